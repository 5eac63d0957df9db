"""Serializers of sealed bids, custodians, shares and public results (docs/sealed-bids.md).
No output carries a price before the opening; a bid's envelope only to its own supplier."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import MoneyField
from procurement.models import RoundCustodian, TenderBid, TenderBidRefusal, TenderResult

ENVELOPE_HELP = (
    "A compact JWE (RFC 7516): alg ECDH-ES, enc A256GCM, kid = the round's key_fingerprint, "
    'sealed to the round\'s public_jwk; plaintext {"price": "123.40", "companion_price": '
    '"150.00", "product": "<id>", "round": "<id>", "nonce": "<random>"}: companion_price '
    "[R-VBP-COMPANION] is the optional price with companion service (an empty string or absent "
    "for none; not below price; checked against the group maximum at opening like the price) "
    "(docs/sealed-bids.md)."
)


class CustodianLineInput(serializers.Serializer):
    user = serializers.IntegerField(min_value=1)
    discipline_inspection = serializers.BooleanField(default=False)


class CustodiansInput(serializers.Serializer):
    threshold = serializers.IntegerField(min_value=2, max_value=9)
    custodians = CustodianLineInput(many=True)


class CustodianOutput(serializers.ModelSerializer):
    user_name = serializers.SerializerMethodField()
    collected = serializers.SerializerMethodField()
    entered = serializers.SerializerMethodField()

    class Meta:
        model = RoundCustodian
        fields = [
            "position",
            "user",
            "user_name",
            "discipline_inspection",
            "collected",
            "collected_at",
            "entered",
            "entered_at",
        ]

    def get_user_name(self, obj: RoundCustodian) -> str:
        return obj.user.get_full_name() or obj.user.username

    def get_collected(self, obj: RoundCustodian) -> bool:
        return obj.collected_at is not None

    def get_entered(self, obj: RoundCustodian) -> bool:
        return obj.entered_at is not None


class ShareCollectOutput(serializers.Serializer):
    position = serializers.IntegerField()
    fingerprint = serializers.CharField()
    share = serializers.CharField(help_text="Shown once: write it down; the server erased it.")


class ShareEnterInput(serializers.Serializer):
    share = serializers.CharField(max_length=400, trim_whitespace=True)


class ShareEnterOutput(serializers.Serializer):
    status = serializers.CharField()
    entered = serializers.IntegerField()
    needed = serializers.IntegerField()


class BidInput(serializers.Serializer):
    group = serializers.IntegerField(min_value=1)
    product = serializers.IntegerField(min_value=1)
    envelope = serializers.CharField(
        max_length=8192, trim_whitespace=False, help_text=ENVELOPE_HELP
    )


class BidOutput(serializers.ModelSerializer):
    """Who bid for which product and when; the receipt. Never a price."""

    group_code = serializers.CharField(source="group.code", read_only=True)
    product_code = serializers.CharField(source="consumable.code", read_only=True)
    product_name = serializers.CharField(source="consumable.generic_name", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    live = serializers.SerializerMethodField()
    withdrawn_at = serializers.SerializerMethodField()

    class Meta:
        model = TenderBid
        fields = [
            "id",
            "group",
            "group_code",
            "consumable",
            "product_code",
            "product_name",
            "supplier",
            "supplier_name",
            "commitment",
            "replaces",
            "submitted_at",
            "live",
            "withdrawn_at",
        ]

    def get_live(self, obj: TenderBid) -> bool:
        return not hasattr(obj, "withdrawal") and not hasattr(obj, "replaced_by")

    def get_withdrawn_at(self, obj: TenderBid) -> str | None:
        withdrawal = getattr(obj, "withdrawal", None)
        return withdrawal.withdrawn_at.isoformat() if withdrawal is not None else None


class BidReceiptOutput(BidOutput):
    """The receipt: the commitment over exactly the stored envelope (and the envelope)."""

    class Meta(BidOutput.Meta):
        fields = [*BidOutput.Meta.fields, "envelope"]


class BidRefusalOutput(serializers.ModelSerializer):
    class Meta:
        model = TenderBidRefusal
        fields = ["id", "group", "consumable", "action", "code", "message", "created_at"]


class ResultOutput(serializers.ModelSerializer):
    group_code = serializers.CharField(source="group.code", read_only=True)
    product_code = serializers.CharField(source="consumable.code", read_only=True)
    product_name = serializers.CharField(source="consumable.generic_name", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    price = MoneyField(read_only=True, allow_null=True)
    companion_price = MoneyField(
        read_only=True,
        allow_null=True,
        help_text="[R-VBP-COMPANION] the bid price with companion service, if bid.",
    )
    commitment = serializers.CharField(source="bid.commitment", read_only=True, default="")

    class Meta:
        model = TenderResult
        fields = [
            "id",
            "group",
            "group_code",
            "consumable",
            "product_code",
            "product_name",
            "supplier",
            "supplier_name",
            "price",
            "companion_price",
            "valid",
            "invalid_reason",
            "rank",
            "won",
            "commitment",
        ]
