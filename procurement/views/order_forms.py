"""Page forms for orders, deliveries, acceptance, returns and invoices.

They only parse what a person typed into the shapes the services take; the services decide.
Forms with one row per order or delivery line name their fields ``<name>_<line id>`` and keep
``line_ids`` in the order they are sent to the service, so that a refusal naming "line 2" (the
service's 1-based position) lands next to the right row: see ``attach_error``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import DomainError
from procurement.views.listing_forms import BootstrapForm


def _date_input() -> forms.DateInput:
    """A browser date picker; its value must be ISO (YYYY-MM-DD) whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
_INDEXED = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def _style(field: forms.Field, *, small: bool = True) -> None:
    """The Bootstrap classes BootstrapForm gives its declared fields, for fields added later
    (small ones: they sit in table rows)."""
    widget = field.widget
    if isinstance(widget, forms.Select):
        css = "form-select form-select-sm" if small else "form-select"
    else:
        css = "form-control form-control-sm" if small else "form-control"
    widget.attrs["class"] = css


class LineForm(BootstrapForm):
    """A form with a row of fields per line; ``line_ids`` is the order lines are sent in."""

    line_prefixes: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_ids: list[int] = []

    def add_line_field(self, name: str, field: forms.Field) -> None:
        _style(field)
        # The row shows no <label>: the column header names it, screen readers get this.
        field.widget.attrs["aria-label"] = str(field.label)
        self.fields[name] = field

    def field_for(self, line_id: int, name: str) -> str | None:
        key = f"{name}_{line_id}"
        if key in self.fields:
            return key
        for prefix in self.line_prefixes:
            key = f"{prefix}_{line_id}"
            if key in self.fields:
                return key
        return None

    def row(self, line_id: int, name: str):
        """The bound field ``name`` of a line, for templates (``form|row:...`` is not needed)."""
        key = f"{name}_{line_id}"
        return self[key] if key in self.fields else None


def _line_of(form: LineForm, error: DomainError, values: dict[int, str]) -> int | None:
    """Which line a refusal is about: its 1-based ``line`` position, an ``order_line`` or
    ``delivery_line`` id, or the line whose scanned text contains the DI or lot it names."""
    extra = error.extra if isinstance(error.extra, dict) else {}
    position = extra.get("line")
    if isinstance(position, int) and 1 <= position <= len(form.line_ids):
        return form.line_ids[position - 1]
    for key in ("order_line", "delivery_line"):
        if extra.get(key) in form.line_ids:
            return extra[key]
    for key in ("di", "lot", "value"):
        needle = str(extra.get(key) or "")
        if not needle:
            continue
        found = [line_id for line_id, text in values.items() if needle and needle in text]
        if len(found) == 1:
            return found[0]
    return None


def attach_error(
    form: LineForm, error: DomainError, *, scanned: dict[int, str] | None = None
) -> None:
    """Put a service refusal next to the field it is about; anything else above the form."""
    extra = error.extra if isinstance(error.extra, dict) else {}
    fields = extra.get("fields")
    if isinstance(fields, dict) and fields:
        for name, messages in fields.items():
            target = None
            match = _INDEXED.match(str(name))
            if match:
                position, field = int(match.group(1)), match.group(2)
                if 1 <= position <= len(form.line_ids):
                    field = SERVICE_FIELD_NAMES.get(field, field)
                    target = form.field_for(form.line_ids[position - 1], field)
            elif name in form.fields:
                target = name
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(target, str(message))
    else:
        line_id = _line_of(form, error, scanned or {})
        target = None
        if line_id is not None:
            target = form.field_for(line_id, LINE_ERROR_FIELDS.get(error.code, "quantity"))
        form.add_error(target, error.message)
    form.mark_invalid()


# ---------------------------------------------------------------------------------------------
# Lists


class SearchForm(BootstrapForm):
    """A list's search form (GET): small controls, nothing required; a value that does not
    parse is shown next to its field and that filter is left out (``filters``)."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            _style(field)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class OrderSearchForm(SearchForm):
    number = forms.CharField(label=_("Order number"), required=False, max_length=32)
    date_from = forms.DateField(label=_("Created from"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("Created to"), required=False, widget=_date_input())
    counterpart = forms.TypedChoiceField(
        label=_("Counterpart"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data=None, *, counterparts: Iterable[tuple[int, str]] = (), label=None):
        super().__init__(data)
        field = self.fields["counterpart"]
        field.choices = [("", _("All")), *counterparts]
        if label:
            field.label = label


class UsageSearchForm(SearchForm):
    doctor_code = forms.CharField(label=_("Doctor's staff code"), required=False, max_length=32)
    department = forms.CharField(label=_("Department"), required=False, max_length=100)
    operation_id = forms.CharField(label=_("Operation id"), required=False, max_length=64)
    date_from = forms.DateField(label=_("Used from"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("Used to"), required=False, widget=_date_input())


# ---------------------------------------------------------------------------------------------
# The supplier's answer


class RespondForm(LineForm):
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
                    widget=_date_input(),
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
        self.fields["distributor"].choices = [
            ("", _("%(name)s delivers itself") % {"name": supplier_name}),
            *[(d.pk, d.name) for d in distributors],
        ]


# ---------------------------------------------------------------------------------------------
# Delivery notes, acceptance and returns


class DeliveryForm(LineForm):
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
                    initial=line.outstanding,
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


class AcceptForm(LineForm):
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
        return [code for code in self.data.getlist(f"barcodes_{line_id}") if code.strip()]

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


# ---------------------------------------------------------------------------------------------
# Invoices


class InvoiceForm(LineForm):
    """Number, date, issuer and a quantity per line with accepted goods not yet invoiced. The
    amounts are not typed: the page computes them from the order's prices and shows them
    before the invoice is registered."""

    line_prefixes = ("quantity",)

    number = forms.CharField(label=_("Invoice number"), max_length=40)
    issued_on = forms.DateField(label=_("Issue date"), widget=_date_input())
    issuer = forms.TypedChoiceField(label=_("Issuer"), coerce=int)

    def __init__(self, *args, lines: Sequence[Any], issuers: Iterable[Any], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = clock.local_today()
        self.fields["issuer"].choices = [(org.pk, org.name) for org in issuers]
        for line in lines:
            self.add_line_field(
                f"quantity_{line.pk}",
                forms.IntegerField(
                    label=_("Quantity"),
                    required=False,
                    min_value=0,
                    initial=line.invoicable,
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
