"""Serializers of what follows a final round: the award (winners, payment standards, stepped
targets), hospitals' choices, contracts with their progress, renewal decisions
[R-VBP-COMPANION] [R-VBP-STEPPED] [R-PAY-STANDARD] [R-VBP-CONTRACT]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField
from procurement.api.serializers.common import (
    ConsumableBriefOutput,
    OrganizationBriefOutput,
    RawIntegerField,
)
from procurement.choices import AwardAction, ContractAction, RenewalDecision
from procurement.models import Contract, PaymentStandard, RoundAward, SteppedTarget


class WinnerOutput(serializers.Serializer):
    result = serializers.IntegerField(source="result.pk")
    consumable = ConsumableBriefOutput(source="result.consumable")
    supplier = OrganizationBriefOutput(source="result.supplier")
    rank = serializers.IntegerField(source="result.rank", allow_null=True)
    price = MoneyField(help_text="The winning price without companion service.")
    companion_price = MoneyField(
        source="result.companion_price",
        allow_null=True,
        help_text="[R-VBP-COMPANION] the winning price with companion service, if bid.",
    )
    via = serializers.ChoiceField(
        choices=["bid", "stepped"],
        help_text="bid: won by its bid; stepped: reached its stepped price-cut target.",
    )


class PaymentStandardVersionOutput(serializers.ModelSerializer):
    group = serializers.IntegerField(source="group_id")
    winner_price = MoneyField()
    non_winner_cap = MoneyField()
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)

    class Meta:
        model = PaymentStandard
        fields = [
            "id",
            "group",
            "winner_price",
            "non_winner_cap",
            "valid_from",
            "valid_to",
            "supersedes",
            "reason",
        ]


class TargetStepOutput(serializers.Serializer):
    due_on = serializers.DateField()
    price = MoneyField()


class SteppedTargetOutput(serializers.ModelSerializer):
    consumable = ConsumableBriefOutput()
    supplier = OrganizationBriefOutput()
    start_price = MoneyField()
    level = MoneyField(help_text="The winning price level: the group's highest winning price.")
    reached_price = MoneyField(allow_null=True)
    steps = TargetStepOutput(many=True, source="steps.all")

    class Meta:
        model = SteppedTarget
        fields = [
            "id",
            "consumable",
            "supplier",
            "start_price",
            "level",
            "steps",
            "status",
            "reached_price",
            "reached_at",
        ]


class GroupAwardOutput(serializers.Serializer):
    id = serializers.IntegerField(source="group.pk")
    code = serializers.CharField(source="group.code")
    name = serializers.CharField(source="group.name")
    winners = WinnerOutput(many=True)
    payment_standards = PaymentStandardVersionOutput(many=True, source="standards")
    stepped_targets = SteppedTargetOutput(many=True, source="targets")


class RoundAwardStateOutput(serializers.ModelSerializer):
    class Meta:
        model = RoundAward
        fields = ["applied_at", "choice_deadline", "allocated_at"]


class RoundAwardOutput(serializers.Serializer):
    round = serializers.IntegerField(source="round.pk")
    number = serializers.CharField(source="round.number")
    award = RoundAwardStateOutput(allow_null=True)
    groups = GroupAwardOutput(many=True)


AwardActionsOutput = actions_output("Award", AwardAction.choices)
ContractActionsOutput = actions_output("Contract", ContractAction.choices)


class ChoiceLineInput(serializers.Serializer):
    result = RawIntegerField(help_text="The id of a winning product's result (see the award).")
    quantity = RawIntegerField(minimum=0)


class ChoiceInput(serializers.Serializer):
    lines = ChoiceLineInput(many=True, allow_empty=True)


class ChoiceGroupOutput(serializers.Serializer):
    group = serializers.IntegerField(source="group.pk")
    code = serializers.CharField(source="group.code")
    agreed = serializers.IntegerField(help_text="[R-VBP-VOLUME] the hospital's agreed volume.")
    winners = WinnerOutput(many=True)
    chosen = serializers.DictField(child=serializers.IntegerField(), help_text="result -> quantity")


class MonthProgressOutput(serializers.Serializer):
    month = serializers.DateField()
    done = serializers.IntegerField()
    cumulative = serializers.IntegerField()


class ProgressOutput(serializers.Serializer):
    agreed = serializers.IntegerField()
    done = serializers.IntegerField()
    done_share = serializers.DecimalField(max_digits=9, decimal_places=4)
    elapsed_share = serializers.DecimalField(max_digits=9, decimal_places=4)
    lagging = serializers.BooleanField()
    months = MonthProgressOutput(many=True)


class ContractOutput(serializers.ModelSerializer):
    hospital = OrganizationBriefOutput()
    manufacturer = OrganizationBriefOutput()
    distributor = OrganizationBriefOutput()
    consumable = ConsumableBriefOutput()
    round = serializers.IntegerField(source="round_id")
    group = serializers.IntegerField(source="group_id")
    listing = serializers.IntegerField(source="listing_id")
    price = MoneyField()
    done = serializers.IntegerField(help_text="Units counted toward the contract.")
    lagging = serializers.BooleanField(
        help_text="Done share behind the elapsed share of the cycle."
    )
    renewed_from = serializers.IntegerField(source="renewed_from_id", allow_null=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "status",
            "round",
            "group",
            "hospital",
            "manufacturer",
            "distributor",
            "consumable",
            "listing",
            "agreed_quantity",
            "price",
            "cycle_start",
            "cycle_end",
            "done",
            "lagging",
            "hospital_signed_at",
            "manufacturer_signed_at",
            "distributor_signed_at",
            "renewed_from",
        ]


class ContractDetailOutput(serializers.Serializer):
    contract = ContractOutput()
    progress = ProgressOutput()


class RenewalInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=RenewalDecision.choices)
    price_cut = serializers.CharField(
        required=False, allow_blank=True, help_text='A share, e.g. "0.05"; empty for none.'
    )
    reason = serializers.CharField(allow_blank=True)


class PaymentStandardAnswerOutput(serializers.Serializer):
    consumable = serializers.IntegerField()
    on = serializers.DateField()
    kind = serializers.ChoiceField(choices=["winner", "non_winner"])
    amount = MoneyField(
        help_text="Winners: the standard; non-winners: the cap (the fund pays at most this)."
    )
    standard = PaymentStandardVersionOutput()
