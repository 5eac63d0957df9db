"""Page forms of volume-based procurement rounds, groups, amendments, the dry run and demand;
procurement.services.rounds and .demand decide."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.forms import AmountFormField, BootstrapForm, add_domain_error, date_input
from procurement.models import TenderGroup
from procurement.selectors.rounds import GROUP_ATTRIBUTES

RULE_EXAMPLE = '{"condition": {"op": "any_of", "of": [{"op": "price_at_most_k_times_lowest", "k": "1.8"}, {"op": "min_cut_vs", "base": "max_valid", "ratio": "0.5"}]}, "min_valid_bids": 2}'


def attach_error(form: BootstrapForm, error: DomainError) -> None:
    """A refusal next to the field it names (``extra.field``), else as the form's error."""
    name = error.extra.get("field") if isinstance(error.extra, dict) else None
    if name in form.fields:
        form.add_error(name, error.message)
        form.mark_invalid()
    else:
        add_domain_error(form, error)


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RoundForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    cycle_start = forms.DateField(label=_("Procurement cycle start"), widget=date_input())
    cycle_end = forms.DateField(label=_("Procurement cycle end"), widget=date_input())
    agreed_ratio = forms.DecimalField(
        label=_("Agreed ratio"),
        min_value=0,
        max_value=1,
        decimal_places=4,
        help_text=_("Share of the base volume, e.g. 0.8 for 80%."),
    )
    advance_ratio = forms.DecimalField(
        label=_("Advance ratio"), min_value=0, max_value=1, decimal_places=4
    )
    demand_deadline = forms.DateTimeField(label=_("Demand deadline"), widget=datetime_input())
    bid_deadline = forms.DateTimeField(label=_("Bid deadline"), widget=datetime_input())
    opening_at = forms.DateTimeField(label=_("Opening time"), widget=datetime_input())
    publicity_end = forms.DateTimeField(label=_("Publicity end"), widget=datetime_input())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AmendForm(RoundForm):
    reason = forms.CharField(label=_("Reason for the amendment"), max_length=500)
    group: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Product group to change"), queryset=TenderGroup.objects.none(), required=False
    )
    max_valid_price = AmountFormField(label=_("New maximum valid bid price"), required=False)
    winning_rule = forms.CharField(
        label=_("New winning rule (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["reason"]

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["name"]
        self.fields["group"].queryset = groups

    def clean_winning_rule(self):
        return _json_rule(self.cleaned_data.get("winning_rule"), required=False)


def _json_rule(text, *, required: bool):
    text = (text or "").strip()
    if not text:
        if required:
            raise forms.ValidationError(_("Give the winning rule."))
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise forms.ValidationError(_("The winning rule is not valid JSON.")) from None


class GroupForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "winning_rule_invalid": "winning_rule",
        "group_filter_invalid": "code_prefixes",
        "group_code_taken": "code",
        "amount_invalid": "max_valid_price",
    }

    code = forms.CharField(label=_("Group code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    code_prefixes = forms.CharField(
        label=_("National-code prefixes"),
        help_text=_("One or more, separated by spaces or commas; a product matches any of them."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    max_valid_price = AmountFormField(label=_("Maximum valid bid price (CNY)"))
    reference_price = AmountFormField(label=_("Reference price (CNY)"), required=False)
    winning_rule = forms.CharField(
        label=_("Winning rule (JSON)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Conditions: n_lowest {n}, price_at_most_k_times_lowest {k}, min_cut_vs {base: "
            "reference or max_valid, ratio}, any_of / all_of [...]. Equal prices share a rank; "
            "a group with fewer valid bids than min_valid_bids has no winner. Example: %(example)s"
        )
        % {"example": RULE_EXAMPLE},
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in GROUP_ATTRIBUTES:
            self.fields[f"attr_{name}"] = forms.CharField(
                label=_("Filter: %(attribute)s contains") % {"attribute": _attribute_label(name)},
                required=False,
                max_length=200,
            )
            self.fields[f"attr_{name}"].widget.attrs["class"] = "form-control"
        if editing:
            self.fields["code"].disabled = True

    def clean_code_prefixes(self):
        text = self.cleaned_data["code_prefixes"].replace(",", " ").replace("，", " ")
        return [part for part in text.split() if part]

    def clean_winning_rule(self):
        return _json_rule(self.cleaned_data.get("winning_rule"), required=True)

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data.get("code"),
            "name": data["name"],
            "code_prefixes": data["code_prefixes"],
            "attribute_filters": {
                name: data[f"attr_{name}"] for name in GROUP_ATTRIBUTES if data.get(f"attr_{name}")
            },
            "max_valid_price": data["max_valid_price"],
            "reference_price": data.get("reference_price"),
            "winning_rule": data["winning_rule"],
        }


def _attribute_label(name: str):
    from catalog.models import Consumable

    return getattr(Consumable._meta.get_field(name), "verbose_name", name)


class DryRunForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "dry_run_bids_invalid": "bids",
        "winning_rule_invalid": "winning_rule",
    }

    group: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Product group"), queryset=TenderGroup.objects.none()
    )
    bids = forms.CharField(
        label=_("Hypothetical bids"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "甲, 55.50\n乙, 60.00"}),
        help_text=_("One bid a line: a label, a comma and a price."),
    )
    winning_rule = forms.CharField(
        label=_("Try another winning rule (JSON, optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups

    def clean_winning_rule(self):
        return _json_rule(self.cleaned_data.get("winning_rule"), required=False)


class DemandReviewForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "reason_required": "reason",
        "demand_volume_invalid": "volume",
    }

    volume = forms.IntegerField(label=_("Base volume"), min_value=0, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
