"""Forms of the quality report pages [R-QUALITY]."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.choices import QualitySeverity, QualityStatus


class QualityReportForm(forms.Form):
    consumable = forms.TypedChoiceField(label=_("Product"), coerce=int)
    lot = forms.CharField(label=_("Lot (UDI production identifier)"), max_length=40, required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=QualitySeverity.choices)
    occurred_on = forms.DateField(
        label=_("Date of the event"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("What happened"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, products: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        consumable = self.fields["consumable"]
        if isinstance(consumable, forms.ChoiceField):
            consumable.choices = products
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")


class QualitySearchForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *QualityStatus.choices], required=False
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("All")), *QualitySeverity.choices], required=False
    )
    product = forms.IntegerField(label=_("Product"), required=False, min_value=1)
    supplier = forms.IntegerField(label=_("Supplier"), required=False, min_value=1)

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}
