"""Serializers of the hospital's own catalogue (院内目录) [R-HOSP-CATALOGUE]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField
from procurement.api.serializers.common import ConsumableBriefOutput, OrganizationBriefOutput
from procurement.choices import CatalogueAction, CatalogueEntryStatus, CatalogueEventKind


class CatalogueAdmitInput(serializers.Serializer):
    listings = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=200,
        help_text="Listing ids to admit, all or nothing (the committee admits a list at once).",
    )
    decision_date = serializers.DateField(help_text="The committee's decision date; not later.")
    decision_reference = serializers.CharField(
        max_length=100, help_text="The committee's decision number, e.g. 药事会〔2026〕3号."
    )


class CatalogueReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Required: kept in the history.")


class CatalogueListingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    manufacturer = OrganizationBriefOutput()
    price = MoneyField(read_only=True, help_text="The listed price.")
    catalogue = serializers.CharField(help_text="The platform's catalogue (capped, alternate).")
    label = serializers.CharField()  # type: ignore[assignment]
    status = serializers.CharField(help_text="The listing's status on the platform.")


class CatalogueEntryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    hospital = OrganizationBriefOutput()
    listing = CatalogueListingOutput()
    consumable = ConsumableBriefOutput()
    status = serializers.ChoiceField(choices=CatalogueEntryStatus.choices)
    decision_date = serializers.DateField()
    decision_reference = serializers.CharField()
    admitted_by: serializers.StringRelatedField = serializers.StringRelatedField(allow_null=True)
    admitted_at = serializers.DateTimeField()
    stop_reason = serializers.CharField(help_text="While stopped: why.")
    changed_at = serializers.DateTimeField(help_text="When the status last changed.")


class CatalogueEventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CatalogueEventKind.choices)
    reason = serializers.CharField()
    decision_date = serializers.DateField(allow_null=True)
    decision_reference = serializers.CharField()
    actor: serializers.StringRelatedField = serializers.StringRelatedField(allow_null=True)
    at = serializers.DateTimeField()


class CatalogueEntryDetailOutput(CatalogueEntryOutput):
    history = CatalogueEventOutput(many=True, help_text="Admission, stops and resumptions.")


class CatalogueAdmitOutput(serializers.Serializer):
    entries = CatalogueEntryOutput(many=True)


class CatalogueAdmissibleOutput(serializers.Serializer):
    """A listed product the hospital has not admitted yet."""

    id = serializers.IntegerField(help_text="The listing id to admit.")
    consumable = ConsumableBriefOutput()
    manufacturer = OrganizationBriefOutput()
    price = MoneyField(read_only=True)
    catalogue = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


CatalogueActionsOutput = actions_output("CatalogueEntry", CatalogueAction.choices)
