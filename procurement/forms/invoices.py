"""The page form that registers an invoice; procurement.services.invoices decides."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock
from core.forms import date_input
from procurement.forms.orders import OrderLineForm


class InvoiceForm(OrderLineForm):
    """Number, date, issuer and a quantity per line with accepted goods not yet invoiced. The
    amounts are not typed: the page computes them from the order's prices and shows them
    before the invoice is registered."""

    line_prefixes = ("quantity",)

    number = forms.CharField(
        label=_("Invoice number"),
        max_length=40,
        help_text=_(
            "The 20-digit number of a fully digitalised e-invoice, or the VAT invoice code "
            "(10 or 12 digits) and its 8-digit number."
        ),
    )
    issued_on = forms.DateField(label=_("Issue date"), widget=date_input())
    issuer = forms.TypedChoiceField(label=_("Issuer"), coerce=int)

    def __init__(self, *args, lines: Sequence[Any], issuers: Iterable[Any], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = clock.local_today()
        cast(forms.ChoiceField, self.fields["issuer"]).choices = [
            (org.pk, org.name) for org in issuers
        ]
        for line in lines:
            self.add_line_field(
                f"quantity_{line.pk}",
                forms.IntegerField(
                    label=_("Quantity"),
                    required=False,
                    min_value=0,
                    initial=line.invoicable_quantity,
                ),
            )
        self.lines = list(lines)

    def quantities(self) -> dict[int, int]:
        """The quantities as typed so far (for the amounts preview), invalid ones as 0."""
        result = {}
        for line in self.lines:
            key = f"quantity_{line.pk}"
            if self.is_bound:
                raw = self.data.get(key)
            else:
                raw = self.initial.get(key, self.fields[key].initial)
            text = str(raw if raw is not None else "").strip()
            result[line.pk] = int(text) if text.isascii() and text.isdigit() else 0
        return result

    def clean(self):
        data = super().clean()
        sent = [
            {"order_line": line.pk, "quantity": data.get(f"quantity_{line.pk}")}
            for line in self.lines
            if data.get(f"quantity_{line.pk}")
        ]
        if not sent and not self.errors:
            raise forms.ValidationError(_("Give a quantity for at least one line."))
        self.line_ids = [row["order_line"] for row in sent]
        data["lines"] = sent
        return data
