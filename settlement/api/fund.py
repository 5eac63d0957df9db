"""Settlement API, the fund's half: ledger accounts and their postings, the advance fund
[R-ADVANCE] [R-ADVANCE-OFFSET] and the monthly fund settlement [R-FUND-MONTHLY]. The same
services and selectors as settlement/views/fund.py."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.actions import actions_body
from core.api.params import query_date, query_statuses, status_parameter, validated
from core.api.parsers import FormParser, MultiPartParser
from core.api.views import ApiView, ListApi
from core.errors import RequestTooLargeError
from settlement.api.serializers.fund import (
    AccountOutput,
    AdvanceDetailOutput,
    AdvanceOutput,
    FundClaimInput,
    FundClaimOutput,
    FundClaimsImportInput,
    FundSettlementActionsOutput,
    FundSettlementDetailOutput,
    FundSettlementOpenInput,
    FundSettlementOutput,
    PostingOutput,
)
from settlement.choices import AdvanceStatus, FundSettlementStatus
from settlement.models import Account, Advance, FundSettlement, Posting
from settlement.selectors import advances as advance_selectors
from settlement.selectors import fund as fund_selectors
from settlement.selectors import ledger as ledger_selectors
from settlement.services import advances as advance_services
from settlement.services import fund as fund_services


class AccountListApi(ListApi):
    """The ledger accounts the caller may see with their balances: a party its own, the bureau
    and the agency their region's (escrow and the fund included)."""

    required_action = "fund_settlement.view"
    serializer_class = AccountOutput
    queryset = Account.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return ledger_selectors.account_list(actor=request_actor(self.request))


class AccountPostingsApi(ListApi):
    """One account's postings, oldest first, each with its entry (the account's statement)."""

    required_action = "fund_settlement.view"
    serializer_class = PostingOutput
    queryset = Posting.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        actor = request_actor(self.request)
        account = ledger_selectors.account_get(actor=actor, account_id=self.kwargs["pk"])
        return ledger_selectors.account_statement(account_id=account.pk)


class AdvanceListApi(ListApi):
    """[R-ADVANCE] the advances the caller may see (the hospital its own, the regulators their
    region's), newest cycle first."""

    required_action = "advance.view"
    serializer_class = AdvanceOutput
    queryset = Advance.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[status_parameter(AdvanceStatus)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        qs = advance_selectors.advance_list(actor=request_actor(request))
        statuses = query_statuses(request, AdvanceStatus.values)
        return qs.filter(status__in=statuses) if statuses else qs


class AdvanceDetailApi(ApiView):
    """[R-ADVANCE-OFFSET] one advance with its offset schedule, month by month."""

    required_action = "advance.view"

    @extend_schema(responses=AdvanceDetailOutput)
    def get(self, request, pk: int):
        advance = advance_selectors.advance_get(actor=request.user, advance_id=pk)
        return Response(AdvanceDetailOutput(advance).data)


class AdvancePayDueApi(ApiView):
    """[R-ADVANCE] pay now the advances due in the caller's region (contracts in force, cycle
    started, no advance yet); the nightly task does the same for every region."""

    required_action = "advance.pay"

    @extend_schema(request=None, responses={200: AdvanceOutput(many=True)})
    def post(self, request):
        paid = advance_services.advances_pay_due(actor=request.user)
        return Response(AdvanceOutput(paid, many=True).data)


def _detail(actor, settlement_id: int) -> dict:
    settlement = fund_selectors.fund_settlement_get(actor=actor, settlement_id=settlement_id)
    body = dict(FundSettlementOutput(settlement).data)
    body["claims"] = list(
        settlement.claims.values("id", "reference", "description", "amount", "source")
    )
    body["adjustments"] = [
        {
            "kind": a.kind,
            "amount": a.amount,
            "reason": a.reason,
            "advance": a.advance_id,
            "violation": a.violation_id,
        }
        for a in settlement.adjustments.all()
    ]
    body["plan"] = None
    if settlement.status == FundSettlementStatus.DRAFT:
        plan = fund_selectors.fund_plan(settlement=settlement)
        body["plan"] = {
            "claims": plan.claims,
            "net": plan.net,
            "carried": plan.carried,
            "adjustments": [
                {
                    "kind": a.kind,
                    "amount": a.amount,
                    "reason": a.reason,
                    "advance": a.advance.pk if a.advance is not None else None,
                    "violation": a.violation_id,
                    "carried": a.carried,
                }
                for a in plan.adjustments
            ],
        }
    return FundSettlementDetailOutput(body).data


class FundSettlementListCreateApi(ListApi):
    """GET: the fund settlements the caller may see, newest month first (``month`` any day of
    it). POST: the agency opens a hospital's settlement for a month (a draft)."""

    required_actions = {"GET": "fund_settlement.view", "POST": "fund_settlement.manage"}
    serializer_class = FundSettlementOutput
    queryset = FundSettlement.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            status_parameter(FundSettlementStatus),
            OpenApiParameter("month", str, description="YYYY-MM-DD, any day of the month"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        month = query_date(request, "month")
        qs = fund_selectors.fund_settlement_list(
            actor=request_actor(request), month=month.replace(day=1) if month else None
        )
        statuses = query_statuses(request, FundSettlementStatus.values)
        return qs.filter(status__in=statuses) if statuses else qs

    @extend_schema(request=FundSettlementOpenInput, responses={201: FundSettlementDetailOutput})
    def post(self, request):
        data = validated(FundSettlementOpenInput, request.data)
        settlement = fund_services.fund_settlement_open(
            actor=request.user, hospital_id=data["hospital"], month=data["month"]
        )
        return Response(_detail(request.user, settlement.pk), status=status.HTTP_201_CREATED)


class FundSettlementDetailApi(ApiView):
    """One settlement: its claims, what it took off (settled) or would take off (draft: the
    plan), and the net paid to the hospital."""

    required_action = "fund_settlement.view"

    @extend_schema(responses=FundSettlementDetailOutput)
    def get(self, request, pk: int):
        return Response(_detail(request.user, pk))


class FundSettlementActionsApi(ApiView):
    required_action = "fund_settlement.view"

    @extend_schema(responses=FundSettlementActionsOutput)
    def get(self, request, pk: int):
        settlement = fund_selectors.fund_settlement_get(actor=request.user, settlement_id=pk)
        actions = fund_selectors.fund_settlement_actions(actor=request.user, settlement=settlement)
        return Response(actions_body(actions))


class FundClaimCreateApi(ApiView):
    """Add one claim (what the fund owes the hospital for the month) to a draft settlement."""

    required_action = "fund_settlement.manage"

    @extend_schema(request=FundClaimInput, responses={201: FundClaimOutput})
    def post(self, request, pk: int):
        data = validated(FundClaimInput, request.data)
        claim = fund_services.fund_claim_add(
            actor=request.user,
            settlement_id=pk,
            reference=data["reference"],
            amount=data["amount"],
            description=data["description"],
        )
        return Response(FundClaimOutput(claim).data, status=status.HTTP_201_CREATED)


class FundSettlementSettleApi(ApiView):
    """[R-FUND-MONTHLY] settle the month: claims, recoveries [R-DIRECT], deductions
    [R-EMERG-DEDUCT], advance offsets [R-ADVANCE-OFFSET] and the net payout, each a ledger
    entry."""

    required_action = "fund_settlement.manage"

    @extend_schema(request=None, responses=FundSettlementDetailOutput)
    def post(self, request, pk: int):
        fund_services.fund_settlement_settle(actor=request.user, settlement_id=pk)
        return Response(_detail(request.user, pk))


class FundClaimsImportApi(ApiView):
    """Import a month's claims for the region's hospitals (XLSX, multipart ``month`` and
    ``file``); any bad row refuses the whole file with every problem's row and column."""

    required_action = "fund_settlement.manage"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": FundClaimsImportInput},
        responses={201: FundClaimOutput(many=True)},
    )
    def post(self, request):
        data = validated(FundClaimsImportInput, request.data)
        upload = data["file"]
        if upload.size > fund_services.MAX_IMPORT_BYTES:
            raise RequestTooLargeError(limit=fund_services.MAX_IMPORT_BYTES)
        claims = fund_services.fund_claims_import(
            actor=request.user, month=data["month"], file=upload
        )
        return Response(FundClaimOutput(claims, many=True).data, status=status.HTTP_201_CREATED)
