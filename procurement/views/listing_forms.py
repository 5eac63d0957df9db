"""Page forms for listings, labels, agreed prices and purchase plans. They only parse what a
person typed; the services decide, and ``add_domain_error`` puts a refusal next to the field it
is about so the form keeps what the user typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import DomainError
from core.money import AmountInvalidError, parse_amount
from procurement.choices import GreenChannel, PurchaseLabel
from procurement.services.listings import MAX_PROVINCES

# A refusal's code -> the form field it is about (anything else goes above the form).
ERROR_FIELDS = {
    "price_above_cap": "price",
    "amount_invalid": "price",
    "registration_number_invalid": "registration_number",
    "registration_number_mismatch": "registration_number",
    "consumable_not_listable": "consumable_code",
    "listing_exists": "consumable_code",
    "price_unchanged": "new_price",
    "agreed_price_dates_invalid": "valid_until",
    "purchase_plan_year_invalid": "year",
    "region_invalid": "region_code",
    "distributor_invalid": "distributor",
}


def add_domain_error(form: forms.Form, error: DomainError, *, price_field: str = "price") -> None:
    fields = error.extra.get("fields") if isinstance(error.extra, dict) else None
    if fields:
        for name, messages in fields.items():
            target = name if name in form.fields else None
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(target, str(message))
        if isinstance(form, BootstrapForm):
            form.mark_invalid()
        return
    field = ERROR_FIELDS.get(error.code)
    if field == "price":
        field = price_field
    form.add_error(field if field in form.fields else None, error.message)
    if isinstance(form, BootstrapForm):
        form.mark_invalid()


class BootstrapForm(forms.Form):
    """Bootstrap 5 classes on every widget; a field with errors is marked invalid."""

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


class ListingForm(BootstrapForm):
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
    provinces_listed = forms.IntegerField(
        label=_("Provinces already listing it"),
        min_value=0,
        max_value=MAX_PROVINCES,
        initial=0,
        help_text=_("Provincial platforms on which the product is listed today."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The product of an application never changes: apply again for another one.
            del self.fields["consumable_code"]


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LabelForm(BootstrapForm):
    label = forms.ChoiceField(label=_("Purchase label"), choices=PurchaseLabel.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PriceChangeForm(BootstrapForm):
    new_price = AmountFormField(label=_("New price (CNY)"))
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DistributorAddForm(BootstrapForm):
    distributor = forms.ModelChoiceField(label=_("Distributor"), queryset=None)
    region_code = forms.CharField(
        label=_("Region code"),
        max_length=6,
        help_text=_("GB/T 2260, e.g. 320100 for all of Nanjing."),
    )

    def __init__(self, *args, distributors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = distributors


class AgreedPriceForm(BootstrapForm):
    listing = forms.ModelChoiceField(label=_("Listing"), queryset=None)
    hospital = forms.ModelChoiceField(label=_("Hospital"), queryset=None, required=False)
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


class PurchasePlanForm(BootstrapForm):
    hospital = forms.ModelChoiceField(label=_("Hospital"), queryset=None, required=False)
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
