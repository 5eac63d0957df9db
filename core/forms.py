"""The form base every page form builds on.

Page forms only parse what a person typed into the shapes the services take; the services
decide. A refusal from a service lands next to the field it is about, and the form keeps what
was typed: ``add_domain_error`` for plain forms (the form names, in ``error_fields``, which
error code belongs to which field), ``attach_error`` for forms with a row of fields per line.

Line forms name their fields ``<name>_<line id>`` and keep ``line_ids`` in the order the
lines are sent to the service, so that a refusal naming "line 2" (the service's 1-based
position) lands next to the right row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, LinesRefusedError
from core.money import AmountInvalidError, parse_amount
from core.policy import RATIO_FIELDS, RegionPolicy
from core.workcalendar import DayKind

HUNDRED = Decimal(100)


def percent_display(ratio: Decimal | None) -> str:
    """0.1500 -> "15", 0.0250 -> "2.5": a share as the percentage people type."""
    if ratio is None:
        return ""
    text = format(Decimal(ratio) * HUNDRED, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class PercentField(forms.DecimalField):
    """A share typed as a percentage: "15" means 15% and is stored as the ratio 0.1500 (two
    places of percent are the four places of the ratio)."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", HUNDRED)
        super().__init__(max_digits=5, decimal_places=2, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal"})

    def to_python(self, value):
        value = super().to_python(value)
        # "15.00" and "15" are the same percentage; only significant places count.
        return value.normalize() if isinstance(value, Decimal) and value.is_finite() else value

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return percent_display(value)
        return value

    def clean(self, value):
        percent = super().clean(value)
        if percent is None:
            return None
        return (percent / HUNDRED).quantize(Decimal("0.0001"))

    def has_changed(self, initial, data):
        try:
            return self.clean(data) != (Decimal(initial) if initial is not None else None)
        except forms.ValidationError:
            return True


class RegionPolicyForm(forms.ModelForm):
    """The region's figures; shares are typed and shown in percent (RATIO_FIELDS)."""

    class Meta:
        model = RegionPolicy
        fields = [f.name for f in RegionPolicy.figures()]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RATIO_FIELDS:
            model_field = RegionPolicy._meta.get_field(name)
            self.fields[name] = PercentField(
                label=capfirst(model_field.verbose_name), help_text=_("in percent, e.g. 15")
            )
        for field in self.fields.values():
            style_small(field)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"

    def display(self, name: str, value) -> str:
        """A figure as the page shows it: shares with a % sign."""
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        return f"{percent_display(value)}%" if name in RATIO_FIELDS else str(value)

    def changes(self) -> list[dict]:
        """What saving would change: label, old and new value as shown. Call after is_valid
        (which has already copied the new values onto the instance: the old ones are the
        form's initial values)."""
        return [
            {
                "name": name,
                "label": self.fields[name].label,
                "before": self.display(name, self.initial.get(name)),
                "after": self.display(name, self.cleaned_data[name]),
            }
            for name in self.changed_data
        ]


def date_input() -> forms.DateInput:
    """A browser date picker; its value must be ISO (YYYY-MM-DD) whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def style_small(field: forms.Field) -> None:
    """The Bootstrap classes BootstrapForm gives its declared fields, in the small size, for
    fields added later (they sit in table rows or a search bar)."""
    widget = field.widget
    widget.attrs["class"] = (
        "form-select form-select-sm"
        if isinstance(widget, forms.Select)
        else "form-control form-control-sm"
    )


class BootstrapForm(forms.Form):
    """Bootstrap 5 classes on every widget; a field with errors is marked invalid.

    ``error_fields`` maps a service refusal's code to the field it is about (see
    ``add_domain_error``); codes not listed go above the form."""

    error_fields: ClassVar[Mapping[str, str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Put a service refusal next to the field it is about (``extra["fields"]``, else the
    form's ``error_fields``); anything else above the form."""
    fields = error.extra.get("fields") if isinstance(error.extra, dict) else None
    if fields:
        for name, messages in fields.items():
            target = name if name in form.fields else None
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(target, str(message))
    else:
        field = getattr(form, "error_fields", {}).get(error.code)
        form.add_error(field if field in form.fields else None, error.message)
    if isinstance(form, BootstrapForm):
        form.mark_invalid()


class AmountFormField(forms.CharField):
    """A CNY amount typed as text (¥ and thousands separators allowed), exact to the cent."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return parse_amount(value)
        except AmountInvalidError as error:
            raise forms.ValidationError(error.message) from None


class ReasonForm(BootstrapForm):
    """The reason a refusal, a cancellation or a rejection must give."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class SearchForm(BootstrapForm):
    """A list's search form (GET): small controls, nothing required; a value that does not
    parse is shown next to its field and that filter is left out (``filters``)."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            style_small(field)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class HistoryFilterForm(SearchForm):
    """The change history's filters: object type (and object), person, Beijing day range."""

    model = forms.ChoiceField(label=_("Record type"), required=False)
    object_id = forms.CharField(label=_("Record ID"), required=False, max_length=40)
    username = forms.CharField(label=_("Person (user name)"), required=False, max_length=150)
    date_from = forms.DateField(label=_("Changed from"), required=False, widget=date_input())
    date_to = forms.DateField(label=_("Changed until"), required=False, widget=date_input())

    def __init__(self, data=None, *, models: list[tuple[str, str]], **kwargs):
        labels = {label for label, _name in models}
        value = data.get("model") if data is not None else None
        if value and value not in labels and value.removesuffix("Event") in labels:
            # Event-model labels (procurement.OrderEvent) stay accepted in links and the API.
            data = data.copy()
            data["model"] = value.removesuffix("Event")
        super().__init__(data, **kwargs)
        self.fields["model"].choices = [("", _("All records")), *models]  # type: ignore[attr-defined]  # a ChoiceField
        style_small(self.fields["model"])


# ---------------------------------------------------------------------------------------------
# Forms with a row of fields per line

_INDEXED = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


class LineForm(BootstrapForm):
    """A form with a row of fields per line; ``line_ids`` is the order lines are sent in.

    ``line_error_fields`` maps a refusal's code to the per-line field it is about (codes not
    listed go to ``quantity``, else the line's first field in ``line_prefixes``);
    ``service_field_names`` maps the names services use in ``extra["fields"]``
    (``lines[2].expiry_date``) to the form's."""

    line_prefixes: tuple[str, ...] = ()
    line_error_fields: ClassVar[Mapping[str, str]] = {}
    service_field_names: ClassVar[Mapping[str, str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_ids: list[int] = []

    def add_line_field(self, name: str, field: forms.Field) -> None:
        style_small(field)
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
    """Put a service refusal next to the field it is about; anything else above the form.
    Several lines refused at once (``LinesRefusedError``) go each next to its own line."""
    if isinstance(error, LinesRefusedError):
        for position, line_error in error.errors.items():
            _attach_one(form, line_error, scanned=scanned or {}, position=position)
    else:
        _attach_one(form, error, scanned=scanned or {})
    form.mark_invalid()


def _attach_one(
    form: LineForm, error: DomainError, *, scanned: dict[int, str], position: int | None = None
) -> None:
    extra = error.extra if isinstance(error.extra, dict) else {}
    fields = extra.get("fields")
    if isinstance(fields, dict) and fields:
        for name, messages in fields.items():
            target = None
            match = _INDEXED.match(str(name))
            if match:
                position, field = int(match.group(1)), match.group(2)
                if 1 <= position <= len(form.line_ids):
                    field = form.service_field_names.get(field, field)
                    target = form.field_for(form.line_ids[position - 1], field)
            elif name in form.fields:
                target = name
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(target, str(message))
    else:
        line_id = None
        if position is not None and 1 <= position <= len(form.line_ids):
            line_id = form.line_ids[position - 1]
        if line_id is None:
            line_id = _line_of(form, error, scanned)
        target = None
        if line_id is not None:
            name = form.line_error_fields.get(error.code, "quantity")
            target = form.field_for(line_id, name)
        form.add_error(target, error.message)
    form.mark_invalid()


class CalendarDayForm(BootstrapForm):
    """A holiday or make-up working day for the platform's calendar (core.services)."""

    date = forms.DateField(label=_("date"), widget=date_input())
    kind = forms.ChoiceField(label=_("type of day"), choices=DayKind.choices)
    name = forms.CharField(label=_("holiday"), max_length=40, required=False)

    error_fields: ClassVar[Mapping[str, str]] = {
        "calendar_day_exists": "date",
        "calendar_workday_not_weekend": "date",
        "calendar_year_out_of_range": "date",
    }
