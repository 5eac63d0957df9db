"""Sealed bids API (docs/sealed-bids.md): custodians and shares, bids, withdrawals and
refusals, the opening and the public results; one view per operation. No response carries a
price before the opening: the server has none."""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.models import User
from core.api.params import validated
from core.api.views import ApiView, ListApi
from procurement.api.rounds import _detail
from procurement.api.serializers.bids import (
    BidInput,
    BidOutput,
    BidReceiptOutput,
    BidRefusalOutput,
    CustodianOutput,
    CustodiansInput,
    ResultOutput,
    ShareCollectOutput,
    ShareEnterInput,
    ShareEnterOutput,
)
from procurement.api.serializers.rounds import RoundDetailOutput
from procurement.models import RoundCustodian, TenderBid, TenderBidRefusal, TenderResult
from procurement.selectors import bids as selectors
from procurement.selectors.rounds import round_party_check
from procurement.services import bids


class RoundCustodiansApi(ApiView):
    """GET: who holds the round's key shares and whether each collected and entered it (the
    round's regulators). POST: name the custodians of a draft and k (bureau, agency)."""

    required_actions = {"GET": "round.manage", "POST": "round.manage"}

    @extend_schema(responses=CustodianOutput(many=True))
    def get(self, request, pk: int):
        round = selectors.bid_round_get(actor=request.user, round_id=pk)
        round_party_check(actor=request.user, round=round, permission="round.manage")
        return Response(CustodianOutput(selectors.custodian_list(round=round), many=True).data)

    @extend_schema(request=CustodiansInput, responses=CustodianOutput(many=True))
    def post(self, request, pk: int):
        data = validated(CustodiansInput, request.data)
        bids.round_custodians_set(
            actor=request.user,
            round_id=pk,
            threshold=data["threshold"],
            custodians=data["custodians"],
        )
        round = selectors.bid_round_get(actor=request.user, round_id=pk)
        return Response(CustodianOutput(selectors.custodian_list(round=round), many=True).data)


class ShareCollectApi(ApiView):
    """A custodian collects their share of the round's key, exactly once: the server erases
    it as it answers. An Idempotency-Key replay never repeats it."""

    required_action = "share.hold"
    secret_fields = ("share",)

    @extend_schema(request=None, responses=ShareCollectOutput)
    def post(self, request, pk: int):
        custodian, text = bids.share_collect(actor=request.user, round_id=pk)
        response = Response(
            ShareCollectOutput(
                {
                    "position": custodian.position,
                    "fingerprint": custodian.round.key_fingerprint,
                    "share": text,
                }
            ).data
        )
        response["Cache-Control"] = "no-store"
        return response


class ShareEnterApi(ApiView):
    """A custodian enters their share, from the opening time; the k-th opens the round."""

    required_action = "share.hold"

    @extend_schema(request=ShareEnterInput, responses=ShareEnterOutput)
    def post(self, request, pk: int):
        data = validated(ShareEnterInput, request.data)
        round = bids.share_enter(actor=request.user, round_id=pk, share=data["share"])
        entered = RoundCustodian.objects.filter(round=round, entered_at__isnull=False).count()
        return Response(
            ShareEnterOutput(
                {"status": round.status, "entered": entered, "needed": round.key_threshold}
            ).data
        )


class RoundOpenApi(ApiView):
    """The bureau opens a round once k custodians have entered their shares."""

    required_action = "round.open"

    @extend_schema(request=None, responses=RoundDetailOutput)
    def post(self, request, pk: int):
        bids.round_open(actor=request.user, round_id=pk)
        return _detail(request, pk)


class RoundFinaliseApi(ApiView):
    """After the publicity the results become final and are applied (the beat does it too)."""

    required_action = "round.open"

    @extend_schema(request=None, responses=RoundDetailOutput)
    def post(self, request, pk: int):
        bids.round_finalise(actor=request.user, round_id=pk)
        return _detail(request, pk)


class RoundBidListApi(ListApi):
    """GET: the round's bids the caller sees (a supplier its own; the bureau who bid for
    which product and when), never a price. POST: a supplier submits a sealed bid (a
    compact JWE); a live bid of the same product is replaced; the answer is the receipt."""

    required_actions = {"GET": "bid.view", "POST": "bid.submit"}
    serializer_class = BidOutput
    queryset = TenderBid.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        actor = cast(User, self.request.user)  # IsAuthenticated ran first
        round = selectors.bid_round_get(actor=actor, round_id=self.kwargs["pk"])
        return selectors.bid_list(actor=actor, round=round)

    @extend_schema(request=BidInput, responses={201: BidReceiptOutput})
    def post(self, request, pk: int):
        data = validated(BidInput, request.data)
        bid = bids.bid_submit(
            actor=request.user,
            round_id=pk,
            group_id=data["group"],
            product_id=data["product"],
            envelope=data["envelope"],
        )
        return Response(BidReceiptOutput(bid).data, status=status.HTTP_201_CREATED)


class BidWithdrawApi(ApiView):
    """A supplier withdraws its live bid before the deadline."""

    required_action = "bid.submit"

    @extend_schema(request=None, responses=BidOutput)
    def post(self, request, pk: int, bid: int):
        withdrawal = bids.bid_withdraw(actor=request.user, round_id=pk, bid_id=bid)
        found = TenderBid.objects.visible_to(request.user).get(pk=withdrawal.bid_id)
        return Response(BidOutput(found).data)


class RoundBidRefusalListApi(ListApi):
    """The supplier's refused bids and withdrawals of the round, with their reasons."""

    required_action = "bid.view"
    serializer_class = BidRefusalOutput
    queryset = TenderBidRefusal.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        actor = cast(User, self.request.user)  # IsAuthenticated ran first
        round = selectors.bid_round_get(actor=actor, round_id=self.kwargs["pk"])
        return selectors.bid_refusal_list(actor=actor, round=round)


class RoundPublicResultsApi(ListApi):
    """The results of a round in publicity or final (公示): public, no login needed."""

    permission_classes: list = []
    authentication_classes: list = []
    serializer_class = ResultOutput
    queryset = TenderResult.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        round = selectors.round_public_get(round_id=self.kwargs["pk"])
        return selectors.round_public_results(round=round)
