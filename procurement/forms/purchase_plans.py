"""The page form that sets a hospital's annual purchase total [R-LIST-ALT-CAP];
procurement.services.purchase_plans decides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core import clock
from core.forms import AmountFormField, BootstrapForm


class PurchasePlanForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "price_above_cap": "total",
        "amount_invalid": "total",
        "purchase_plan_year_invalid": "year",
    }

    hospital: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Hospital"), queryset=None, required=False
    )
    year = forms.IntegerField(label=_("Year"))
    total = AmountFormField(label=_("Annual purchase total (CNY)"))

    def __init__(self, *args, hospitals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = clock.local_today().year
        if hospitals is None:
            del self.fields["hospital"]
        else:
            self.fields["hospital"].queryset = hospitals
            self.fields["hospital"].required = True
