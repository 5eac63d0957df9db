"""The page forms of emergency purchases [R-EMERG-DEADLINE] [R-EMERG-CAP]: the registration
(its head and a few product lines) and the bureau's search; the service decides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AmountFormField, BootstrapForm, SearchForm
from procurement.choices import EmergencyStatus

LINE_ROWS = 5


class EmergencyRegisterForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "emergency_date_in_future": "bought_on",
        "emergency_listed_reason_required": "listed_reason",
    }

    bought_on = forms.DateField(
        label=_("Date bought"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason for the emergency purchase"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the platform could not supply it and why it was urgent."),
    )
    approver_name = forms.CharField(label=_("Approved at the hospital by"), max_length=100)
    approver_role = forms.CharField(label=_("Approver's position"), max_length=100)
    listed_reason = forms.CharField(
        label=_("Reason for buying a product orderable on the platform"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required only when a product is listed and orderable on the platform."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, LINE_ROWS + 1):
            self.fields[f"line{i}_code"] = forms.CharField(
                label=_("Product code"), required=False, max_length=40
            )
            self.fields[f"line{i}_supplier"] = forms.CharField(
                label=_("Supplier"), required=False, max_length=200
            )
            self.fields[f"line{i}_price"] = AmountFormField(label=_("Unit price"), required=False)
            self.fields[f"line{i}_quantity"] = forms.IntegerField(
                label=_("Quantity"), required=False, min_value=1
            )
        for name, field in self.fields.items():
            if name.startswith("line"):
                field.widget.attrs["class"] = "form-control form-control-sm"

    @property
    def head(self) -> list:
        return [self[name] for name in ("bought_on", "approver_name", "approver_role")]

    @property
    def line_rows(self) -> list[list]:
        names = ("code", "supplier", "price", "quantity")
        return [[self[f"line{i}_{name}"] for name in names] for i in range(1, LINE_ROWS + 1)]

    def lines(self) -> list[dict[str, object]]:
        """The lines filled in, as the service takes them (empty rows left out)."""
        data = self.cleaned_data
        rows = []
        for i in range(1, LINE_ROWS + 1):
            values = [data.get(f"line{i}_{n}") for n in ("code", "supplier", "price", "quantity")]
            if not any(v not in (None, "") for v in values):
                continue
            code, supplier, price, quantity = values
            rows.append(
                {
                    "consumable_code": code or "",
                    "supplier_name": supplier or "",
                    "unit_price": str(price) if price is not None else "",
                    "quantity": quantity if quantity is not None else "",
                }
            )
        return rows


class EmergencySearchForm(SearchForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *EmergencyStatus.choices],
    )
    violation = forms.ChoiceField(
        label=_("Violation"),
        required=False,
        choices=[
            ("", _("All")),
            ("any", _("Late or over the cap")),
            ("late", _("Registered after the deadline")),
            ("over_cap", _("Over the emergency purchase cap")),
        ],
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
