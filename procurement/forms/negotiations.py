"""The page forms of negotiations [R-NEGOTIATION]: opening one (products by their national
code and a target each, or a manufacturer's portfolio and a cut), a counter, an offer, and the
list's search; the service decides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AmountFormField, BootstrapForm, SearchForm
from procurement.choices import NegotiationKind, NegotiationOutcome, NegotiationStatus

ITEM_ROWS = 5


class NegotiationOpenForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "negotiation_deadline_invalid": "deadline",
        "negotiation_hospitals_required": "hospitals",
        "negotiation_products_required": "item1_code",
    }

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Negotiation kind"),
        choices=[
            (NegotiationKind.PRODUCTS.value, NegotiationKind.PRODUCTS.label),
            (NegotiationKind.PORTFOLIO.value, NegotiationKind.PORTFOLIO.label),
        ],
        initial=NegotiationKind.PRODUCTS,
    )
    manufacturer = forms.TypedChoiceField(
        label=_("Manufacturer (whole portfolio)"), required=False, coerce=int, empty_value=None
    )
    cut_ratio = forms.DecimalField(
        label=_("Price cut asked, in per cent"),
        required=False,
        min_value=0,
        max_value=99,
        decimal_places=2,
        help_text=_("Whole portfolio: each product's target is its listed price less this cut."),
    )
    hospitals = forms.TypedMultipleChoiceField(
        label=_("Hospitals"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    all_hospitals = forms.BooleanField(label=_("All hospitals of the region"), required=False)
    outcome = forms.ChoiceField(
        label=_("The agreement becomes"),
        choices=NegotiationOutcome.choices,
        initial=NegotiationOutcome.HOSPITAL_PRICE,
    )
    deadline = forms.DateField(
        label=_("Offers due by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_on = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Hospital prices valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, hospitals=(), manufacturers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospitals"].choices = [(h.pk, h.name) for h in hospitals]
        self.fields["hospitals"].widget.attrs["class"] = "form-check-input"
        self.fields["manufacturer"].choices = [("", "—")] + [(m.pk, m.name) for m in manufacturers]
        for i in range(1, ITEM_ROWS + 1):
            self.fields[f"item{i}_code"] = forms.CharField(
                label=_("Product code"), required=False, max_length=40
            )
            self.fields[f"item{i}_target"] = AmountFormField(
                label=_("Target price"), required=False
            )
        for name, field in self.fields.items():
            if name.startswith("item"):
                field.widget.attrs["class"] = "form-control form-control-sm"

    @property
    def item_rows(self) -> list[list]:
        return [[self[f"item{i}_code"], self[f"item{i}_target"]] for i in range(1, ITEM_ROWS + 1)]

    def items(self) -> list[dict[str, object]]:
        data = self.cleaned_data
        rows = []
        for i in range(1, ITEM_ROWS + 1):
            code, target = data.get(f"item{i}_code"), data.get(f"item{i}_target")
            if not code and target is None:
                continue
            rows.append(
                {
                    "consumable_code": code or "",
                    "target_price": str(target) if target is not None else "",
                }
            )
        return rows

    def ratio(self):
        value = self.cleaned_data.get("cut_ratio")
        return None if value is None else value / 100


class NegotiationCounterForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {"negotiation_deadline_invalid": "deadline"}

    deadline = forms.DateField(
        label=_("New round: offers due by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note to the suppliers"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item_ids = []
        for item in items:
            self.fields[f"target_{item.pk}"] = AmountFormField(
                label=_("New target"), required=False
            )
            self.fields[f"target_{item.pk}"].widget.attrs["class"] = "form-control form-control-sm"
            self.item_ids.append(item.pk)

    def targets(self) -> dict[int, str]:
        data = self.cleaned_data
        return {
            pk: str(data[f"target_{pk}"])
            for pk in self.item_ids
            if data.get(f"target_{pk}") is not None
        }


class NegotiationSearchForm(SearchForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *NegotiationStatus.choices]
    )
    todo = forms.ChoiceField(
        label=_("To do"),
        required=False,
        choices=[
            ("", _("All")),
            ("offer", _("Awaiting my offer")),
            ("due", _("Deadline within 3 days")),
            ("decide", _("Offers to decide")),
        ],
    )


class NegotiationLinkedImportForm(BootstrapForm):
    """NJ 2.3: other regions' winning prices, as a workbook."""

    error_fields: ClassVar[Mapping[str, str]] = {
        "negotiation_import_invalid": "file",
        "negotiation_nothing_to_match": "file",
        "negotiation_deadline_invalid": "deadline",
    }

    file = forms.FileField(
        label=_("Workbook of winning prices (XLSX)"),
        help_text=_("A header row, then national code, region, winning price in columns A-C."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    deadline = forms.DateField(
        label=_("Offers due by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_on = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Hospital prices valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
