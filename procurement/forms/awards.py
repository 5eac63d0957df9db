"""Forms of what follows a final round: the bureau's renewal decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapForm
from procurement.choices import RenewalDecision


class RenewalForm(BootstrapForm):
    """[R-VBP-CONTRACT] renew the group's contracts (optionally with a price cut) or tender
    the group anew."""

    error_fields = {"price_cut_invalid": "price_cut", "reason_required": "reason"}

    decision = forms.ChoiceField(label=_("Decision"), choices=RenewalDecision.choices)
    price_cut = forms.CharField(
        label=_("Price cut"),
        required=False,
        help_text=_("A share of the contract price, e.g. 0.05 for 5%; empty for none."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
