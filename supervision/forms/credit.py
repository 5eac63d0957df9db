"""The page forms of credit [R-CREDIT] [R-MISCONDUCT]: recording an event, applying for its
repair, editing a misconduct item, the lists' searches; the services decide."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import REGULATOR_KINDS
from accounts.models import Organization
from core.forms import BootstrapForm, SearchForm, date_input
from supervision.choices import CreditEventStatus, MisconductLevel, RepairStatus, SanctionKind
from supervision.models import MisconductItem

TEXT_MAX = 2000


class CreditEventForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "misconduct_item_unknown": "item",
        "credit_subject_invalid": "subject",
        "evidence_file_invalid": "evidence",
        "evidence_file_too_large": "evidence",
    }

    subject = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.none(),
        help_text=_("The supplier (or hospital) the misconduct is recorded against."),
    )
    item = forms.ModelChoiceField(
        label=_("Misconduct"), queryset=MisconductItem.objects.none(), to_field_name="code"
    )
    listing = forms.IntegerField(
        label=_("Listing concerned (id)"),
        required=False,
        min_value=1,
        help_text=_("Empty: a suspension covers every listing of the supplier."),
    )
    occurred_on = forms.DateField(label=_("Date of the misconduct"), widget=date_input())
    description = forms.CharField(
        label=_("What happened"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_text = forms.CharField(
        label=_("Evidence"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence = forms.FileField(label=_("Evidence file (PDF, PNG, JPEG, 5 MB)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = (
            Organization.objects.filter(is_active=True)
            .exclude(kind__in=REGULATOR_KINDS)
            .order_by("name")
        )
        self.fields["item"].queryset = MisconductItem.objects.filter(is_active=True)


class RepairApplyForm(BootstrapForm):
    error_fields: ClassVar[Mapping[str, str]] = {
        "evidence_file_invalid": "evidence",
        "evidence_file_too_large": "evidence",
    }

    statement = forms.CharField(
        label=_("What was corrected"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.FileField(label=_("Evidence file (PDF, PNG, JPEG, 5 MB)"), required=False)


class MisconductItemForm(BootstrapForm):
    name = forms.CharField(label=_("Misconduct"), max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=MisconductLevel.choices)
    score_deduction = forms.IntegerField(label=_("Score deducted"), min_value=0, max_value=100)
    repairable = forms.BooleanField(label=_("Repairable"), required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in SanctionKind:
            field = forms.IntegerField(
                label=_("%(sanction)s (days)") % {"sanction": kind.label},
                min_value=1,
                max_value=3650,
                required=False,
            )
            field.widget.attrs["class"] = "form-control"
            self.fields[f"days_{kind.value}"] = field

    def sanctions(self) -> dict[str, int]:
        return {
            kind.value: self.cleaned_data[f"days_{kind.value}"]
            for kind in SanctionKind
            if self.cleaned_data.get(f"days_{kind.value}")
        }

    @classmethod
    def initial_for(cls, item: MisconductItem) -> dict:
        return {
            "name": item.name,
            "level": item.level,
            "score_deduction": item.score_deduction,
            "repairable": item.repairable,
            "is_active": item.is_active,
            **{f"days_{kind}": days for kind, days in item.sanctions.items()},
        }


class CreditEventSearchForm(SearchForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *CreditEventStatus.choices],
    )
    month = forms.DateField(
        label=_("Month recorded"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class RepairSearchForm(SearchForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *RepairStatus.choices]
    )


class SanctionSearchForm(SearchForm):
    kind = forms.ChoiceField(
        label=_("Sanction"),
        required=False,
        choices=[("", _("All sanctions")), *SanctionKind.choices],
    )
    ended = forms.BooleanField(label=_("Include ended sanctions"), required=False)
