"""The page forms of the hospital's own catalogue [R-HOSP-CATALOGUE]: the search, the
committee's decision that admits the products ticked, and the reason of a stop or resumption;
the services decide."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapForm, SearchForm, date_input
from procurement.choices import CatalogueEntryStatus


class CatalogueSearchForm(SearchForm):
    q = forms.CharField(label=_("Product, code or manufacturer"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *CatalogueEntryStatus.choices],
    )


class CatalogueAdmitForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "catalogue_decision_required": "decision_reference",
    }

    decision_date = forms.DateField(label=_("Committee decision date"), widget=date_input())
    decision_reference = forms.CharField(
        label=_("Committee decision reference"),
        max_length=100,
        help_text=_("The decision number of the 药事会 or 医用耗材管理委员会."),
    )
