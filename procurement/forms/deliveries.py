"""Page forms of delivery notes: what the carrier ships (quantity and UDI scan per line), what
the hospital accepts or refuses at the door, and returns. procurement.services.deliveries
decides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapForm
from procurement.forms.orders import OrderLineForm


class DeliveryForm(OrderLineForm):
    """A quantity and a scan field per confirmed line with something left to deliver."""

    line_prefixes = ("quantity",)

    def __init__(self, *args, lines: Sequence[Any], **kwargs):
        super().__init__(*args, **kwargs)
        for line in lines:
            self.add_line_field(
                f"quantity_{line.pk}",
                forms.IntegerField(
                    label=_("Quantity"),
                    required=False,
                    min_value=0,
                    initial=line.deliverable_quantity,
                ),
            )
            self.add_line_field(
                f"barcode_{line.pk}",
                forms.CharField(label=_("UDI barcode"), required=False, max_length=500, strip=True),
            )
        for index, line in enumerate(lines):
            widget = self.fields[f"barcode_{line.pk}"].widget
            # A scanner types the code and presses Enter: the page moves to the next scan
            # field instead of submitting (data-scan), and the first one has the focus.
            widget.attrs.update({"data-scan": "1", "autocomplete": "off"})
            if index == 0:
                widget.attrs["autofocus"] = True
        self.lines = list(lines)

    def clean(self):
        data = super().clean()
        sent = []
        for line in self.lines:
            quantity = data.get(f"quantity_{line.pk}")
            if quantity:
                sent.append(
                    {
                        "order_line": line.pk,
                        "quantity": quantity,
                        "barcode": data.get(f"barcode_{line.pk}") or "",
                    }
                )
        if not sent and not self.errors:
            raise forms.ValidationError(_("Give a quantity for at least one line."))
        self.line_ids = [row["order_line"] for row in sent]
        data["lines"] = sent
        return data

    def scanned(self) -> dict[int, str]:
        return {line.pk: str(self.data.get(f"barcode_{line.pk}") or "") for line in self.lines}


class AcceptForm(OrderLineForm):
    """Accepted and refused quantities (with a reason) for every line of a delivery note; the
    barcodes scanned at the door come along as hidden ``barcodes_<line id>`` inputs."""

    line_prefixes = ("accepted",)

    def __init__(self, *args, lines: Sequence[Any], **kwargs):
        super().__init__(*args, **kwargs)
        for line in lines:
            self.add_line_field(
                f"accepted_{line.pk}",
                forms.IntegerField(label=_("Accepted"), min_value=0, initial=line.quantity),
            )
            self.add_line_field(
                f"refused_{line.pk}", forms.IntegerField(label=_("Refused"), min_value=0, initial=0)
            )
            self.add_line_field(
                f"reason_{line.pk}",
                forms.CharField(label=_("Reason for refusing"), required=False, max_length=500),
            )
        self.lines = list(lines)
        self.line_ids = [line.pk for line in self.lines]

    def barcodes(self, line_id: int) -> list[str]:
        if not self.is_bound:
            return []
        data = cast(QueryDict, self.data)  # a bound form's POST
        return [code for code in data.getlist(f"barcodes_{line_id}") if code.strip()]

    def clean(self):
        data = super().clean()
        for line in self.lines:
            # Said here so it lands next to the line; the service requires it as well.
            reason = (data.get(f"reason_{line.pk}") or "").strip()
            if data.get(f"refused_{line.pk}") and not reason:
                self.add_error(f"reason_{line.pk}", _("Give a reason for refusing."))
        data["lines"] = [
            {
                "delivery_line": line.pk,
                "accepted_quantity": data.get(f"accepted_{line.pk}"),
                "refused_quantity": data.get(f"refused_{line.pk}") or 0,
                "reason": data.get(f"reason_{line.pk}") or "",
                "barcodes": self.barcodes(line.pk),
            }
            for line in self.lines
        ]
        return data


class ReturnForm(BootstrapForm):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=500)
