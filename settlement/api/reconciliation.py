"""Reconciliation API [R-ESCROW]: the daily ledger checks and their findings; the escrow
account's bank statements (the agency imports them, CSV, and has them matched to the recorded
transfers; the bureau reads them); and, public (no login), each day's last ledger hash. Every
POST is idempotent (Idempotency-Key, core.api.views)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.pagination import CappedCountPagination
from core.api.params import validated
from core.api.throttling import PublicRateThrottle
from core.api.views import ApiView, ListApi
from core.errors import NotFoundError, RequestTooLargeError
from settlement.api.serializers.reconciliation import (
    BankStatementDetailOutput,
    BankStatementImportInput,
    BankStatementLineOutput,
    BankStatementMatchOutput,
    BankStatementOutput,
    LedgerCheckOutput,
    PublicDayHashOutput,
)
from settlement.models import BankStatement, BankStatementLine, LedgerCheck, PublishedDayHash
from settlement.selectors import ledger as ledger_selectors
from settlement.selectors import reconciliation as selectors
from settlement.services import reconciliation as services


class LedgerCheckListApi(ListApi):
    """The daily reconciliations, newest first; ``ok=0``: those that found drift."""

    required_action = "ledger_check.view"
    serializer_class = LedgerCheckOutput
    queryset = LedgerCheck.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("ok", str, enum=["0", "1"])])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        ok = {"0": False, "1": True}.get(self.request.query_params.get("ok", ""))
        return ledger_selectors.ledger_check_list(actor=request_actor(self.request), ok=ok)


class LedgerCheckDetailApi(ApiView):
    """One check with its findings (what, where, the figures)."""

    required_action = "ledger_check.view"

    @extend_schema(responses=LedgerCheckOutput)
    def get(self, request, pk: int):
        check = ledger_selectors.ledger_check_list(actor=request.user).filter(pk=pk).first()
        if check is None:
            raise NotFoundError()
        return Response(LedgerCheckOutput(check).data)


def _statement_body(statement: BankStatement) -> dict:
    return BankStatementOutput(statement).data


class BankStatementListCreateApi(ListApi):
    """GET: the escrow account's imported statements, newest first. POST: the agency imports
    one (multipart ``file``, CSV; docs/settlement-bank-file.md): any bad row refuses the whole
    file with every problem's row and column (400 bank_statement_file_invalid); the same file
    again is 409 bank_statement_duplicate."""

    required_actions = {"GET": "bank_statement.view", "POST": "bank_statement.import"}
    serializer_class = BankStatementOutput
    queryset = BankStatement.objects.none()
    filter_backends: list = []
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet:
        return selectors.bank_statement_list(actor=request_actor(self.request))

    @extend_schema(
        request={"multipart/form-data": BankStatementImportInput},
        responses={201: BankStatementOutput},
    )
    def post(self, request):
        data = validated(BankStatementImportInput, request.data)
        upload = data["file"]
        if upload.size > services.MAX_STATEMENT_BYTES:
            raise RequestTooLargeError(limit=services.MAX_STATEMENT_BYTES)
        statement = services.bank_statement_import(
            actor=request.user, file_name=upload.name, data=upload.read()
        )
        return Response(_statement_body(statement), status=status.HTTP_201_CREATED)


class BankStatementDetailApi(ApiView):
    """One statement: its lines (each with its match, if any) and the recorded transfers of
    its period that no line accounts for."""

    required_action = "bank_statement.view"

    @extend_schema(responses=BankStatementDetailOutput)
    def get(self, request, pk: int):
        statement = selectors.bank_statement_get(actor=request.user, statement_id=pk)
        body = BankStatementDetailOutput(
            {
                "statement": statement,
                "lines": selectors.statement_lines(statement=statement),
                "missing_payments": selectors.missing_payments(statement=statement),
                "missing_payouts": selectors.missing_payouts(statement=statement),
            }
        ).data
        return Response(body)


class BankStatementMatchApi(ApiView):
    """Match the statement's unmatched lines again (transfers recorded since the import)."""

    required_action = "bank_statement.import"

    @extend_schema(request=None, responses=BankStatementMatchOutput)
    def post(self, request, pk: int):
        count = services.bank_statement_match(actor=request.user, statement_id=pk)
        statement = selectors.bank_statement_get(actor=request.user, statement_id=pk)
        return Response({"matched_now": count, "statement": _statement_body(statement)})


class BankStatementUnmatchedLineListApi(ListApi):
    """Every statement line no recorded transfer accounts for, newest first."""

    required_action = "bank_statement.view"
    serializer_class = BankStatementLineOutput
    queryset = BankStatementLine.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return selectors.unmatched_line_list(actor=request_actor(self.request))


class PublicDayHashListApi(ListApi):
    """[R-ESCROW] [R-DISCLOSE] each day's last ledger entry (sequence number) and its hash, as
    the daily check published them, newest first. No login, no amounts, no parties."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [PublicRateThrottle]
    filter_backends: list = []
    pagination_class = CappedCountPagination
    http_method_names = ["get", "head", "options"]
    serializer_class = PublicDayHashOutput
    queryset = PublishedDayHash.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.day_hash_public_list()
