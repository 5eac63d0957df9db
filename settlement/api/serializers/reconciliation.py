"""Serializers of reconciliation [R-ESCROW]: ledger checks, bank statements, published hashes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import MoneyField
from settlement.choices import StatementMatchKind
from settlement.models import (
    BankStatement,
    BankStatementLine,
    LedgerCheck,
    PaymentRequest,
    PublishedDayHash,
    SettlementPayout,
    StatementMatch,
)


class FindingOutput(serializers.Serializer):
    check = serializers.CharField(help_text="What does not hold: escrow_drift, chain_broken, …")
    object = serializers.CharField(help_text="Where: the account, entry, request or batch.")
    detail = serializers.DictField(help_text="The figures.")


class LedgerCheckOutput(serializers.ModelSerializer):
    findings = FindingOutput(many=True)

    class Meta:
        model = LedgerCheck
        fields = ["id", "checked_at", "entries", "last_hash", "ok", "findings"]


class BankStatementImportInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8 with or without BOM, or GB18030): 交易日期, 交易流水号, "
        "对方转账参考号, 对方户名, 对方账号, 收入金额, 支出金额, 摘要 "
        "(docs/settlement-bank-file.md)."
    )


class BankStatementOutput(serializers.ModelSerializer):
    total_in = MoneyField(read_only=True)
    total_out = MoneyField(read_only=True)
    matched = serializers.SerializerMethodField(help_text="How many of its lines are matched.")

    class Meta:
        model = BankStatement
        fields = [
            "id",
            "region_code",
            "file_name",
            "content_hash",
            "encoding",
            "period_start",
            "period_end",
            "line_count",
            "total_in",
            "total_out",
            "imported_at",
            "matched",
        ]

    def get_matched(self, statement) -> int:
        annotated = getattr(statement, "matched", None)
        if annotated is not None:
            return annotated
        return StatementMatch.objects.filter(line__statement=statement).count()


class StatementMatchOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=StatementMatchKind.choices)
    payment_request = serializers.CharField(source="request.number", allow_null=True, default=None)
    settlement_batch = serializers.CharField(
        source="payout.batch.number", allow_null=True, default=None
    )
    supplier = serializers.CharField(source="payout.supplier.name", allow_null=True, default=None)


class BankStatementLineOutput(serializers.ModelSerializer):
    amount_in = MoneyField(read_only=True)
    amount_out = MoneyField(read_only=True)
    match = serializers.SerializerMethodField()

    class Meta:
        model = BankStatementLine
        fields = [
            "id",
            "statement",
            "row",
            "booked_on",
            "bank_reference",
            "counterparty_reference",
            "counterparty_name",
            "counterparty_account",
            "amount_in",
            "amount_out",
            "memo",
            "match",
        ]

    @extend_schema_field(StatementMatchOutput(allow_null=True))
    def get_match(self, line) -> dict | None:
        match = getattr(line, "match", None) if hasattr(line, "match") else None
        return dict(StatementMatchOutput(match).data) if match is not None else None


class MissingPaymentOutput(serializers.ModelSerializer):
    amount = MoneyField(read_only=True)
    hospital = serializers.CharField(source="hospital.name")

    class Meta:
        model = PaymentRequest
        fields = ["id", "number", "hospital", "amount", "transfer_reference", "paid_at"]


class MissingPayoutOutput(serializers.ModelSerializer):
    amount = MoneyField(read_only=True)
    batch = serializers.CharField(source="batch.number")
    supplier = serializers.CharField(source="supplier.name")
    run_at = serializers.DateTimeField(source="batch.created_at")

    class Meta:
        model = SettlementPayout
        fields = ["id", "batch", "supplier", "amount", "run_at"]


class BankStatementDetailOutput(serializers.Serializer):
    statement = BankStatementOutput()
    lines = BankStatementLineOutput(many=True)
    missing_payments = MissingPaymentOutput(many=True)
    missing_payouts = MissingPayoutOutput(many=True)


class BankStatementMatchOutput(serializers.Serializer):
    matched_now = serializers.IntegerField()
    statement = BankStatementOutput()


class PublicDayHashOutput(serializers.ModelSerializer):
    class Meta:
        model = PublishedDayHash
        fields = ["day", "seq", "hash"]
