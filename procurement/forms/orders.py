"""Page forms of the order pages: the order search, the supplier's answer per line, the
distributor choice. They parse what was typed; procurement.services.orders decides.

``OrderLineForm`` is the base of every form with a row per order or delivery line (here,
procurement.forms.deliveries and procurement.forms.invoices): it knows which refusal code
belongs to which per-line field (core.forms.attach_error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock
from core.forms import BootstrapForm, LineForm, SearchForm, date_input

# A service refusal's code -> the per-line field it is about. Codes not listed here go to the
# line's first field ("quantity"), or above the form when no line is named.
LINE_ERROR_FIELDS = {
    "udi_missing": "barcode",
    "udi_unknown": "barcode",
    "udi_product_mismatch": "barcode",
    "lot_expired": "barcode",
    "barcode_invalid": "barcode",
    "scan_lot_mismatch": "barcode",
    "restricted_reason_required": "reason",
    "reason_required": "reason",
    "promised_date_invalid": "promised_on",
    "invoice_exceeds_accepted": "quantity",
    "delivery_quantity_exceeded": "quantity",
    "acceptance_incomplete": "accepted",
}
# Field names the services use in ``extra["fields"]`` ("lines[2].expiry_date") -> ours.
SERVICE_FIELD_NAMES = {
    "udi_di": "barcode",
    "lot": "barcode",
    "serial": "barcode",
    "production_date": "barcode",
    "expiry_date": "barcode",
    "accepted_quantity": "accepted",
    "refused_quantity": "refused",
}


class OrderLineForm(LineForm):
    """A form with a row of fields per order or delivery line."""

    line_error_fields = LINE_ERROR_FIELDS
    service_field_names = SERVICE_FIELD_NAMES


class OrderSearchForm(SearchForm):
    number = forms.CharField(label=_("Order number"), required=False, max_length=32)
    date_from = forms.DateField(label=_("Created from"), required=False, widget=date_input())
    date_to = forms.DateField(label=_("Created to"), required=False, widget=date_input())
    counterpart = forms.TypedChoiceField(
        label=_("Counterpart"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data=None, *, counterparts: Iterable[tuple[int, str]] = (), label=None):
        super().__init__(data)
        field = cast(forms.TypedChoiceField, self.fields["counterpart"])
        field.choices = [("", _("All")), *counterparts]
        if label:
            field.label = label


class RespondForm(OrderLineForm):
    """Confirm (with the promised delivery date) or reject (with a reason) each pending line."""

    line_prefixes = ("decision",)

    def __init__(self, *args, lines: Sequence[Any], **kwargs):
        super().__init__(*args, **kwargs)
        default_day = clock.local_today() + dt.timedelta(days=3)
        for line in lines:
            self.add_line_field(
                f"decision_{line.pk}",
                forms.ChoiceField(
                    label=_("Answer"),
                    required=False,
                    choices=[
                        ("confirm", _("Confirm")),
                        ("reject", _("Reject")),
                        ("", _("Later")),
                    ],
                    initial="confirm",
                ),
            )
            self.add_line_field(
                f"promised_on_{line.pk}",
                forms.DateField(
                    label=_("Promised delivery date"),
                    required=False,
                    initial=default_day,
                    widget=date_input(),
                ),
            )
            self.add_line_field(
                f"reason_{line.pk}",
                forms.CharField(label=_("Reason"), required=False, max_length=500),
            )
        self.lines = list(lines)

    def clean(self):
        data = super().clean()
        answers = []
        for line in self.lines:
            decision = data.get(f"decision_{line.pk}")
            if decision == "confirm":
                if not data.get(f"promised_on_{line.pk}"):
                    self.add_error(f"promised_on_{line.pk}", _("Give the promised delivery date."))
                answers.append(
                    {
                        "line": line.pk,
                        "decision": "confirm",
                        "promised_on": data.get(f"promised_on_{line.pk}"),
                    }
                )
            elif decision == "reject":
                if not (data.get(f"reason_{line.pk}") or "").strip():
                    self.add_error(f"reason_{line.pk}", _("Give a reason for rejecting."))
                answers.append(
                    {"line": line.pk, "decision": "reject", "reason": data.get(f"reason_{line.pk}")}
                )
        if not answers and not self.errors:
            raise forms.ValidationError(_("Answer at least one line."))
        self.line_ids = [answer["line"] for answer in answers]
        data["answers"] = answers
        return data


class DistributorForm(BootstrapForm):
    distributor = forms.TypedChoiceField(
        label=_("Delivered by"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, distributors: Iterable[Any] = (), supplier_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["distributor"]).choices = [
            ("", _("%(name)s delivers itself") % {"name": supplier_name}),
            *[(d.pk, d.name) for d in distributors],
        ]
