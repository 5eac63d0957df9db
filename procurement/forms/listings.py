"""Page forms of listings: the manufacturer's application, the bureau's decisions and labels,
price changes and distributor authorisations. They parse what was typed;
procurement.services.listings and .labels decide."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.forms import AmountFormField, BootstrapForm, style_small
from core.regions import MAINLAND_PROVINCES
from procurement.choices import GreenChannel, PurchaseLabel
from procurement.services.listings import EVIDENCE_MAX

PROVINCE_PREFIX = "province_"


class ListingForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "price_above_cap": "price",
        "amount_invalid": "price",
        "registration_number_invalid": "registration_number",
        "registration_number_mismatch": "registration_number",
        "consumable_not_listable": "consumable_code",
        "listing_exists": "consumable_code",
    }

    consumable_code = forms.CharField(
        label=_("National code"),
        max_length=27,
        help_text=_("The 27-character national medical consumables code."),
    )
    price = AmountFormField(label=_("Listed price (CNY)"))
    registration_number = forms.CharField(
        label=_("Registration certificate number"), max_length=100
    )
    companion_service = forms.BooleanField(label=_("Companion service included"), required=False)
    green_channel = forms.ChoiceField(
        label=_("Green channel"), choices=GreenChannel.choices, required=False
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The product of an application never changes: apply again for another one.
            del self.fields["consumable_code"]
        # [R-LIST-OTHER] one evidence box per mainland province: a province counts when its
        # evidence (the platform, its listing number or a link) is given.
        for code, name in MAINLAND_PROVINCES.items():
            field = forms.CharField(label=f"{code} {name}", required=False, max_length=EVIDENCE_MAX)
            style_small(field)
            self.fields[PROVINCE_PREFIX + code] = field

    def province_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith(PROVINCE_PREFIX)]

    def other_fields(self) -> list:
        return [self[name] for name in self.fields if not name.startswith(PROVINCE_PREFIX)]

    def clean(self):
        """The province boxes become ``provinces``: [{code, evidence}] for those filled."""
        data = super().clean()
        provinces = []
        for name in list(data):
            if name.startswith(PROVINCE_PREFIX):
                evidence = (data.pop(name) or "").strip()
                if evidence:
                    provinces.append({"code": name[len(PROVINCE_PREFIX) :], "evidence": evidence})
        data["provinces"] = provinces
        return data

    @property
    def provinces_changed(self) -> bool:
        return any(name.startswith(PROVINCE_PREFIX) for name in self.changed_data)

    @staticmethod
    def provinces_initial(listing) -> dict[str, str]:
        return {
            PROVINCE_PREFIX + row.province_code: row.evidence for row in listing.provinces.all()
        }


class NoteForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LabelForm(BootstrapForm):
    label = forms.ChoiceField(label=_("Purchase label"), choices=PurchaseLabel.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PriceChangeForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "price_unchanged": "new_price",
    }

    new_price = AmountFormField(label=_("New price (CNY)"))
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DistributorAddForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "region_invalid": "region_code",
        "distributor_invalid": "distributor",
    }

    distributor: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Distributor"), queryset=None
    )
    region_code = forms.CharField(
        label=_("Region code"),
        max_length=6,
        help_text=_("GB/T 2260, e.g. 320100 for all of Nanjing."),
    )

    def __init__(self, *args, distributors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = distributors


class EvidenceFileForm(BootstrapForm):
    """[R-LIST-OTHER] one evidence file for one of the provinces the application names."""

    province = forms.ChoiceField(label=_("Province"))
    file = forms.FileField(
        label=_("Evidence file"),
        help_text=_("PDF, PNG or JPEG, at most 5 MB; the type is judged by the content."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, provinces: Mapping[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["province"]).choices = [
            (code, f"{code} {name}") for code, name in provinces.items()
        ]
