"""Serializers of the ledger's accounts, the advance fund and the monthly fund settlement."""

from __future__ import annotations

from rest_framework import serializers

from core.api.actions import actions_output
from core.api.fields import MoneyField, RatioField
from procurement.api.serializers.common import OrganizationBriefOutput
from settlement.choices import (
    AccountKind,
    AdvanceStatus,
    EntryKind,
    FundClaimSource,
    FundSettlementAction,
    FundSettlementStatus,
    Side,
)
from settlement.models import FundAdjustment


class AccountOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AccountKind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    organization = OrganizationBriefOutput(allow_null=True)
    region_code = serializers.CharField()
    normal_side = serializers.ChoiceField(choices=Side.choices)
    debits = MoneyField(read_only=True)
    credits = MoneyField(read_only=True)
    balance = MoneyField(read_only=True, help_text="On the account's normal side.")
    floor = MoneyField(read_only=True, allow_null=True)


class PostingOutput(serializers.Serializer):
    entry = serializers.IntegerField(source="entry.seq", help_text="The entry's sequence number.")
    kind = serializers.ChoiceField(source="entry.kind", choices=EntryKind.choices)
    effective_date = serializers.DateField(source="entry.effective_date")
    created_at = serializers.DateTimeField(source="entry.created_at")
    memo = serializers.CharField(source="entry.memo")
    source_type = serializers.CharField(source="entry.source_type")
    source_id = serializers.IntegerField(source="entry.source_id", allow_null=True)
    amount = MoneyField(read_only=True, allow_negative=True, help_text="Debit > 0, credit < 0.")
    hash = serializers.CharField(source="entry.hash")


class AdvanceOffsetOutput(serializers.Serializer):
    settlement = serializers.IntegerField(source="settlement_id")
    month = serializers.DateField(source="settlement.month")
    amount = MoneyField(read_only=True)
    purchases_to_date = MoneyField(read_only=True, allow_null=True)
    cumulative_offset = MoneyField(read_only=True, allow_null=True)
    reason = serializers.CharField()


class AdvanceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField(source="round_id")
    round_name = serializers.CharField(source="round.name")
    hospital = OrganizationBriefOutput()
    cycle_start = serializers.DateField()
    cycle_end = serializers.DateField()
    agreed_amount = MoneyField(read_only=True)
    ratio = RatioField(read_only=True)
    amount = MoneyField(read_only=True)
    offset_amount = MoneyField(read_only=True)
    remaining = MoneyField(read_only=True)
    status = serializers.ChoiceField(choices=AdvanceStatus.choices)
    paid_at = serializers.DateTimeField()


class AdvanceDetailOutput(AdvanceOutput):
    offsets = AdvanceOffsetOutput(many=True, help_text="The offset schedule, month by month.")


class FundClaimOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    description = serializers.CharField()
    amount = MoneyField(read_only=True)
    entered_as = serializers.ChoiceField(source="source", choices=FundClaimSource.choices)


class FundAdjustmentOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FundAdjustment.Kind.choices)
    amount = MoneyField(read_only=True)
    reason = serializers.CharField()
    advance = serializers.IntegerField(source="advance_id", allow_null=True)
    violation = serializers.IntegerField(source="violation_id", allow_null=True)
    carried = MoneyField(
        read_only=True, required=False, help_text="Planned only: due, left for the next month."
    )


class FundPlanOutput(serializers.Serializer):
    claims = MoneyField(read_only=True)
    adjustments = FundAdjustmentOutput(many=True)
    net = MoneyField(read_only=True)
    carried = MoneyField(read_only=True)


class FundSettlementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    hospital = OrganizationBriefOutput()
    month = serializers.DateField(help_text="The first day of the month.")
    status = serializers.ChoiceField(choices=FundSettlementStatus.choices)
    claims_total = MoneyField(read_only=True)
    offsets_total = MoneyField(read_only=True)
    recoveries_total = MoneyField(read_only=True)
    deductions_total = MoneyField(read_only=True)
    net_amount = MoneyField(read_only=True)
    settled_at = serializers.DateTimeField(allow_null=True)


class FundSettlementDetailOutput(FundSettlementOutput):
    claims = FundClaimOutput(many=True)
    adjustments = FundAdjustmentOutput(many=True)
    plan = FundPlanOutput(
        allow_null=True, help_text="Draft only: what settling now would take off and pay."
    )


class FundSettlementOpenInput(serializers.Serializer):
    hospital = serializers.IntegerField(min_value=1)
    month = serializers.DateField(help_text="Any day of the month; not a month to come.")


class FundClaimInput(serializers.Serializer):
    reference = serializers.CharField(max_length=60)
    amount = MoneyField()
    description = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )


class FundClaimsImportInput(serializers.Serializer):
    month = serializers.DateField()
    file = serializers.FileField(help_text="XLSX: 医疗机构统一社会信用代码, 结算单号, 金额, 说明")


FundSettlementActionsOutput = actions_output(
    "FundSettlementActionsOutput", [a.value for a in FundSettlementAction]
)


class FundViewOutput(serializers.Serializer):
    """[R-DIRECT] [R-ADVANCE] the bureau's view of the fund over a period."""

    start = serializers.DateField(source="period.start")
    end = serializers.DateField(source="period.end", help_text="Inclusive.")
    fund_accounts = AccountOutput(many=True)
    fund_paid_out = MoneyField(read_only=True, help_text="The fund accounts' balance.")
    advances_outstanding = MoneyField(read_only=True, help_text="Advanced, not yet offset.")
    advances_offsetting = serializers.IntegerField()
    direct_amount = MoneyField(read_only=True, help_text="Paid to suppliers by the fund directly.")
    direct_count = serializers.IntegerField()
    escrow_amount = MoneyField(read_only=True, help_text="Paid to suppliers out of escrow.")
    supplier_payments = MoneyField(read_only=True)
    ratio = RatioField(
        read_only=True,
        allow_null=True,
        help_text="[R-DIRECT] direct / supplier payments, by amount; null with no payment.",
    )
    goal = RatioField(read_only=True, help_text="The region policy's direct settlement target.")
    meets_goal = serializers.BooleanField(allow_null=True)
