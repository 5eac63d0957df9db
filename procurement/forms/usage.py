"""The search form of the usage records page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SearchForm, date_input
from procurement.choices import UsageCatalogueFlag


class UsageSearchForm(SearchForm):
    doctor_code = forms.CharField(label=_("Doctor's staff code"), required=False, max_length=32)
    department = forms.CharField(label=_("Department"), required=False, max_length=100)
    operation_id = forms.CharField(label=_("Operation id"), required=False, max_length=64)
    date_from = forms.DateField(label=_("Used from"), required=False, widget=date_input())
    date_to = forms.DateField(label=_("Used to"), required=False, widget=date_input())
    # [R-HOSP-CATALOGUE] records of products outside the hospital's catalogue.
    flagged = forms.ChoiceField(
        label=_("Catalogue"),
        required=False,
        choices=[
            ("", _("All records")),
            ("any", _("Outside the catalogue")),
            *[(value, label) for value, label in UsageCatalogueFlag.choices if value],
        ],
    )
