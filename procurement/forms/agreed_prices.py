"""The page form that proposes an agreed price; procurement.services.agreed_prices decides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.forms import AmountFormField, BootstrapForm
from procurement.models import Listing


class AgreedPriceForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "price_above_cap": "price",
        "amount_invalid": "price",
        "agreed_price_dates_invalid": "valid_until",
    }

    listing: forms.ModelChoiceField[Listing] = forms.ModelChoiceField(
        label=_("Listing"), queryset=None
    )
    hospital: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Hospital"), queryset=None, required=False
    )
    price = AmountFormField(label=_("Agreed price (CNY)"))
    annual_volume = forms.IntegerField(label=_("Committed annual volume"), min_value=0, initial=0)
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, listings=None, hospitals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].queryset = listings
        self.fields["listing"].label_from_instance = lambda o: (
            f"{o.consumable.product_name} {o.consumable.specification} · {o.manufacturer.name}"
        )
        if hospitals is None:
            del self.fields["hospital"]
        else:
            self.fields["hospital"].queryset = hospitals
            self.fields["hospital"].required = True
