"""Serializers of volume-based procurement rounds, their groups, amendments, the dry run and
demand [R-VBP-VOLUME] [R-PAY-STANDARD]."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField
from procurement.api.serializers.common import OrganizationBriefOutput
from procurement.choices import RoundAction
from procurement.models import TenderAmendment, TenderDemand, TenderGroup, TenderRound
from procurement.models.rounds import agreed_volume

RULE_HELP = (
    'A winning rule: {"condition": <condition>, "min_valid_bids": n}; a condition is '
    '{"op": "n_lowest", "n": 3}, {"op": "price_at_most_k_times_lowest", "k": "1.8"}, '
    '{"op": "min_cut_vs", "base": "reference"|"max_valid", "ratio": "0.5"}, or '
    '{"op": "any_of"|"all_of", "of": [...]}. Ties share a rank; a group with fewer '
    "valid bids than min_valid_bids has no winner (procurement/winning_rules.py)."
)


class RatioField(serializers.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(max_digits=5, decimal_places=4, **kwargs)


class GroupOutput(serializers.ModelSerializer):
    max_valid_price = MoneyField(read_only=True)
    reference_price = MoneyField(read_only=True, allow_null=True)
    winning_rule = serializers.JSONField(read_only=True, help_text=RULE_HELP)
    attribute_filters = serializers.DictField(child=serializers.CharField(), read_only=True)
    code_prefixes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = TenderGroup
        fields = [
            "id",
            "code",
            "name",
            "code_prefixes",
            "attribute_filters",
            "max_valid_price",
            "reference_price",
            "winning_rule",
        ]


class AmendmentOutput(serializers.ModelSerializer):
    group = serializers.IntegerField(source="group_id", read_only=True, allow_null=True)
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField()),
        read_only=True,
        help_text="field -> [before, after]",
    )
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = TenderAmendment
        fields = ["id", "group", "changes", "reason", "created_by", "created_at"]


class RoundOutput(serializers.ModelSerializer):
    agreed_ratio = RatioField(read_only=True)
    advance_ratio = RatioField(read_only=True)

    class Meta:
        model = TenderRound
        fields = [
            "id",
            "number",
            "name",
            "jurisdiction",
            "status",
            "cycle_start",
            "cycle_end",
            "agreed_ratio",
            "advance_ratio",
            "demand_deadline",
            "bid_deadline",
            "opening_at",
            "publicity_end",
            "note",
            "created_at",
            "published_at",
        ]


class RoundDetailOutput(RoundOutput):
    groups = GroupOutput(many=True, read_only=True)
    amendments = AmendmentOutput(many=True, read_only=True)
    public_jwk = serializers.JSONField(
        read_only=True,
        allow_null=True,
        help_text="The round's public key (JWK, P-256): seal bids to it (docs/sealed-bids.md).",
    )

    class Meta(RoundOutput.Meta):
        fields = [
            *RoundOutput.Meta.fields,
            "key_threshold",
            "key_fingerprint",
            "public_jwk",
            "opened_at",
            "groups",
            "amendments",
        ]


class RoundInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    cycle_start = serializers.DateField()
    cycle_end = serializers.DateField()
    agreed_ratio = RatioField(min_value=0, max_value=1)
    advance_ratio = RatioField(min_value=0, max_value=1)
    demand_deadline = serializers.DateTimeField()
    bid_deadline = serializers.DateTimeField()
    opening_at = serializers.DateTimeField()
    publicity_end = serializers.DateTimeField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class RoundUpdateInput(RoundInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class GroupInput(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=200)
    code_prefixes = serializers.ListField(
        child=serializers.CharField(max_length=27),
        max_length=50,
        help_text="National-code prefixes (any).",
    )
    attribute_filters = serializers.DictField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        help_text="generic_name, product_name, material, feature, specification, model: contains",
    )
    max_valid_price = MoneyField()
    reference_price = MoneyField(required=False, allow_null=True)
    winning_rule = serializers.JSONField(help_text=RULE_HELP)


class GroupUpdateInput(GroupInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("code")
        for field in self.fields.values():
            field.required = False


class GroupAmendInput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(max_length=200, required=False)
    max_valid_price = MoneyField(required=False)
    reference_price = MoneyField(required=False, allow_null=True)
    winning_rule = serializers.JSONField(required=False, help_text=RULE_HELP)


class RoundAmendInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True)
    changes = RoundUpdateInput(required=False, help_text="Round fields to change.")
    groups = GroupAmendInput(many=True, required=False)


class DryRunBidInput(serializers.Serializer):
    label = serializers.CharField(max_length=100)
    price = serializers.CharField(max_length=30, help_text='An amount as a string, e.g. "55.50".')


class DryRunInput(serializers.Serializer):
    group = serializers.IntegerField()
    bids = DryRunBidInput(many=True)
    winning_rule = serializers.JSONField(
        required=False, help_text="Try this rule instead of the group's. " + RULE_HELP
    )


class DryRunBidOutput(serializers.Serializer):
    label = serializers.CharField(source="key")
    price = MoneyField()
    valid = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True)
    won = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why the bid is invalid; empty when valid.")
    payment_standard = MoneyField(
        allow_null=True,
        help_text="[R-PAY-STANDARD] what the fund pays for it: the lowest winning price for a "
        "winner, the highest winning price as a cap for a non-winner.",
    )


class PaymentStandardOutput(serializers.Serializer):
    winner_price = MoneyField()
    non_winner_cap = MoneyField()


class DryRunOutput(serializers.Serializer):
    group = serializers.IntegerField()
    thin = serializers.BooleanField(help_text="Fewer valid bids than the rule needs: no winner.")
    valid_count = serializers.IntegerField()
    lowest_valid = MoneyField(allow_null=True)
    payment_standard = PaymentStandardOutput(allow_null=True)
    bids = DryRunBidOutput(many=True)


class DemandOutput(serializers.ModelSerializer):
    group = serializers.IntegerField(source="group_id", read_only=True)
    group_code = serializers.CharField(source="group.code", read_only=True)
    hospital = OrganizationBriefOutput(read_only=True)
    base_volume = serializers.IntegerField(read_only=True)
    agreed_volume = serializers.SerializerMethodField(
        help_text="[R-VBP-VOLUME] base volume x agreed ratio, rounded up."
    )

    class Meta:
        model = TenderDemand
        fields = [
            "id",
            "round",
            "group",
            "group_code",
            "hospital",
            "prefill_volume",
            "reported_volume",
            "adjusted_volume",
            "base_volume",
            "agreed_volume",
            "status",
            "review_reason",
            "reported_at",
            "reviewed_at",
        ]

    def get_agreed_volume(self, row) -> int:
        return agreed_volume(row.base_volume, row.round.agreed_ratio)


class DemandRowOutput(serializers.Serializer):
    group = serializers.IntegerField(source="group.pk")
    group_code = serializers.CharField(source="group.code")
    group_name = serializers.CharField(source="group.name")
    prefill_volume = serializers.IntegerField(
        source="prefill", help_text="Units bought on the platform in the last 12 months."
    )
    demand = DemandOutput(allow_null=True)


class DemandListOutput(serializers.Serializer):
    rows = DemandRowOutput(
        many=True, help_text="A hospital's form: one row per group, pre-filled. Empty for others."
    )
    reports = DemandOutput(many=True, help_text="The reports the caller sees.")


class DemandLineInput(serializers.Serializer):
    group = serializers.IntegerField()
    volume = serializers.IntegerField(min_value=0, help_text="Whole units, zero or more.")


class DemandReportInput(serializers.Serializer):
    lines = DemandLineInput(many=True)


class DemandReviewInput(serializers.Serializer):
    volume = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="Omit to accept as reported."
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


RoundActionsOutput = actions_output("Round", RoundAction.choices)
