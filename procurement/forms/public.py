"""The public section's search forms (GET, no login) [R-DISCLOSE]. Every field is bounded:
a value that does not parse makes the page answer 400 with the reason next to the field."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.choices import ReferencePriceStatus
from core.forms import SearchForm
from procurement.choices import Catalogue, PurchaseLabel
from procurement.models import TenderRound

EXPORT_CHOICES = [("", ""), ("csv", "CSV"), ("xlsx", "Excel")]
_ALL = [("", _("All"))]


class PublicSearchForm(SearchForm):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    export = forms.ChoiceField(choices=EXPORT_CHOICES, required=False, widget=forms.HiddenInput)


class ReferencePriceSearchForm(PublicSearchForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            *_ALL,
            (ReferencePriceStatus.PUBLICITY.value, ReferencePriceStatus.PUBLICITY.label),
            (ReferencePriceStatus.CONFIRMED.value, ReferencePriceStatus.CONFIRMED.label),
        ],
    )


class ListingSearchForm(PublicSearchForm):
    code = forms.CharField(label=_("National code"), max_length=27, required=False)
    catalogue = forms.ChoiceField(
        label=_("Catalogue"), required=False, choices=[*_ALL, *Catalogue.choices]
    )
    label = forms.ChoiceField(
        label=pgettext_lazy("purchase label", "Label"),
        required=False,
        choices=[*_ALL, *PurchaseLabel.choices],
    )


class NegotiationResultSearchForm(PublicSearchForm):
    """Product, national code, manufacturer or negotiation title."""


class TenderResultSearchForm(PublicSearchForm):
    """``rounds``: the rounds whose results are public; another id is refused (400)."""

    round = forms.TypedChoiceField(label=_("Round"), required=False, coerce=int, empty_value=None)
    won = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[*_ALL, ("1", _("Won")), ("0", _("Not won"))],
    )

    def __init__(self, data=None, *, rounds: Iterable[TenderRound] = (), **kwargs):
        super().__init__(data, **kwargs)
        round_field = self.fields["round"]
        if isinstance(round_field, forms.TypedChoiceField):
            round_field.choices = [("", _("All rounds"))] + [
                (str(r.pk), f"{r.number} {r.name}") for r in rounds
            ]
