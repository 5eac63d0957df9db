"""The page form in which hospital finance proposes its annual purchase total, with a reason,
for the bureau's approval [R-LIST-ALT-CAP]; procurement.services.purchase_plans decides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock
from core.forms import AmountFormField, BootstrapForm


class PurchasePlanForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "price_above_cap": "total",
        "amount_invalid": "total",
        "purchase_plan_year_invalid": "year",
        "reason_required": "reason",
    }

    year = forms.IntegerField(label=_("Year"))
    total = AmountFormField(label=_("Annual purchase total (CNY)"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why last year's platform purchases are not the right base."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = clock.local_today().year
