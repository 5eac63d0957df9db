"""Forms of the fund's pages: the list's search, opening a month, a claim, the XLSX import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from core.forms import BootstrapForm, SearchForm, date_input
from settlement.choices import AdvanceStatus, FundSettlementStatus


class FundSettlementSearchForm(SearchForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *FundSettlementStatus.choices]
    )
    month = forms.DateField(label=_("Month"), required=False, widget=date_input())


class AdvanceSearchForm(SearchForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *AdvanceStatus.choices]
    )


class FundSettlementOpenForm(BootstrapForm):
    hospital = forms.ModelChoiceField(label=_("Hospital"), queryset=Organization.objects.none())
    month = forms.DateField(label=_("Month (any day of it)"), widget=date_input())

    def __init__(self, *args, hospitals=None, **kwargs):
        super().__init__(*args, **kwargs)
        if hospitals is not None:
            self.fields["hospital"].queryset = hospitals


class FundClaimForm(BootstrapForm):
    reference = forms.CharField(label=_("Claim reference"), max_length=60)
    amount = forms.CharField(label=_("Amount"), max_length=40)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class FundClaimsImportForm(BootstrapForm):
    month = forms.DateField(label=_("Month (any day of it)"), widget=date_input())
    file = forms.FileField(label=_("Claims file (XLSX)"))
