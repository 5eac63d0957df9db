"""Payment flow API [R-ESCROW] [R-PAY-30] [R-DIRECT]: suppliers request payment for confirmed
invoices, hospital finance approves, disputes a line or pays into escrow, the agency pays from
the fund where the region settles directly and runs the settlement batches (with their bank
file). Every POST is idempotent (Idempotency-Key, core.api.views)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.actions import actions_body
from core.api.params import query_id, query_statuses, status_parameter, validated
from core.api.views import ApiView, ListApi
from core.exports import XLSX_TYPE, xlsx_response
from procurement.models import Invoice
from settlement.api.serializers.payments import (
    DirectSettlementOutput,
    DisputeInput,
    OverdueInvoiceOutput,
    PayableInvoiceOutput,
    PayInput,
    PaymentLineRowOutput,
    PaymentRequestActionsOutput,
    PaymentRequestCreateInput,
    PaymentRequestOutput,
    PaymentRequestRowOutput,
    SettlementBatchOutput,
    SettlementBatchRowOutput,
)
from settlement.choices import PaymentLineStatus, PaymentRequestStatus
from settlement.models import DirectSettlement, PaymentRequest, PaymentRequestLine, SettlementBatch
from settlement.selectors import payments as selectors
from settlement.services import payments as services


def _request_body(request, pk: int) -> dict:
    shown = selectors.payment_request_get(actor=request.user, request_id=pk)
    return PaymentRequestOutput(shown).data


class PaymentRequestListCreateApi(ListApi):
    """GET: the payment requests the caller may see (the supplier its own, the hospital those
    to it, the bureau and agency their region's), newest first. POST: the supplier requests
    payment for confirmed invoices it issued to one hospital [R-ESCROW]."""

    required_actions = {"GET": "payment_request.view", "POST": "payment_request.create"}
    serializer_class = PaymentRequestRowOutput
    queryset = PaymentRequest.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[status_parameter(PaymentRequestStatus), OpenApiParameter("hospital", int)]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        return selectors.payment_request_list(
            actor=request_actor(request),
            status=query_statuses(request, PaymentRequestStatus.values),
            hospital_id=query_id(request, "hospital"),
        )

    @extend_schema(request=PaymentRequestCreateInput, responses={201: PaymentRequestOutput})
    def post(self, request):
        data = validated(PaymentRequestCreateInput, request.data)
        created = services.payment_request_create(actor=request.user, invoice_ids=data["invoices"])
        return Response(_request_body(request, created.pk), status=status.HTTP_201_CREATED)


class PaymentRequestDetailApi(ApiView):
    """One request with its lines (another party's: 404)."""

    required_action = "payment_request.view"

    @extend_schema(responses=PaymentRequestOutput)
    def get(self, request, pk: int):
        return Response(_request_body(request, pk))


class PaymentRequestActionsApi(ApiView):
    required_action = "payment_request.view"

    @extend_schema(responses=PaymentRequestActionsOutput)
    def get(self, request, pk: int):
        shown = selectors.payment_request_get(actor=request.user, request_id=pk)
        return Response(
            actions_body(selectors.payment_request_actions(actor=request.user, request=shown))
        )


class PaymentRequestApproveApi(ApiView):
    """Hospital finance approves the open lines: Dr hospital_payable / Cr supplier_receivable."""

    required_action = "payment_request.approve"

    @extend_schema(request=None, responses=PaymentRequestOutput)
    def post(self, request, pk: int):
        services.payment_request_approve(actor=request.user, request_id=pk)
        return Response(_request_body(request, pk))


class PaymentRequestDisputeApi(ApiView):
    """Hospital finance disputes one line with a reason; it drops out of the request."""

    required_action = "payment_request.approve"

    @extend_schema(request=DisputeInput, responses=PaymentRequestOutput)
    def post(self, request, pk: int):
        data = validated(DisputeInput, request.data)
        services.payment_request_dispute(
            actor=request.user, request_id=pk, line_id=data["line"], reason=data["reason"]
        )
        return Response(_request_body(request, pk))


class PaymentRequestPayApi(ApiView):
    """Hospital finance records its bank transfer into escrow: Dr escrow / Cr hospital_payable.
    Paid once: a second payment is refused (409), a replay of the same Idempotency-Key answers
    the stored response."""

    required_action = "payment_request.pay"

    @extend_schema(request=PayInput, responses=PaymentRequestOutput)
    def post(self, request, pk: int):
        data = validated(PayInput, request.data)
        services.payment_request_pay(
            actor=request.user, request_id=pk, transfer_reference=data["transfer_reference"]
        )
        return Response(_request_body(request, pk))


class PaymentRequestPayDirectApi(ApiView):
    """[R-DIRECT] the agency pays the approved request from the fund (Dr supplier_receivable /
    Cr fund), deducted from the hospital's next fund settlement."""

    required_action = "payment_request.pay_direct"

    @extend_schema(request=None, responses=PaymentRequestOutput)
    def post(self, request, pk: int):
        services.payment_request_pay_direct(actor=request.user, request_id=pk)
        return Response(_request_body(request, pk))


class PayableInvoiceListApi(ListApi):
    """The caller's confirmed invoices not yet in a payment request."""

    required_action = "payment_request.create"
    serializer_class = PayableInvoiceOutput
    queryset = Invoice.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return selectors.payable_invoice_list(actor=request_actor(self.request))


class PaymentLineListApi(ListApi):
    """Per invoice, what was requested, disputed and paid to the supplier."""

    required_action = "payment_request.view"
    serializer_class = PaymentLineRowOutput
    queryset = PaymentRequestLine.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[status_parameter(PaymentLineStatus)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        return selectors.payment_line_list(
            actor=request_actor(request),
            status=query_statuses(request, PaymentLineStatus.values),
        )


class PaymentOverdueListApi(ListApi):
    """[R-PAY-30] invoices whose supplier is not paid within the region's deadline after
    acceptance (seed: 30 days), for the hospital, the supplier and the bureau and agency."""

    required_action = "payment_request.view"
    serializer_class = OverdueInvoiceOutput
    queryset = Invoice.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return selectors.payment_overdue_list(actor=request_actor(self.request))


class DirectSettlementListApi(ListApi):
    """[R-DIRECT] what the fund paid on hospitals' behalf; ``undeducted=true``: what their next
    fund settlement deducts."""

    required_action = "payment_request.view"
    serializer_class = DirectSettlementOutput
    queryset = DirectSettlement.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("undeducted", bool)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        return selectors.direct_settlement_list(
            actor=request_actor(request),
            undeducted=request.query_params.get("undeducted") == "true",
        )


class SettlementBatchListCreateApi(ListApi):
    """GET: the settlement batches (a supplier: those that paid it). POST: the agency pays every
    request of its region paid into escrow to its supplier, in one batch [R-ESCROW]."""

    required_actions = {"GET": "settlement_batch.view", "POST": "settlement_batch.run"}
    serializer_class = SettlementBatchRowOutput
    queryset = SettlementBatch.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return selectors.settlement_batch_list(actor=request_actor(self.request))

    @extend_schema(request=None, responses={201: SettlementBatchOutput})
    def post(self, request):
        batch = services.settlement_batch_run(actor=request.user)
        return Response(_batch_body(request, batch.pk), status=status.HTTP_201_CREATED)


def _batch_body(request, pk: int) -> dict:
    batch = selectors.settlement_batch_get(actor=request.user, batch_id=pk)
    payouts = selectors.settlement_batch_payouts(actor=request.user, batch=batch)
    return SettlementBatchOutput(batch, context={"payouts": payouts}).data


class SettlementBatchDetailApi(ApiView):
    required_action = "settlement_batch.view"

    @extend_schema(responses=SettlementBatchOutput)
    def get(self, request, pk: int):
        return Response(_batch_body(request, pk))


class SettlementBatchBankFileApi(ApiView):
    """The batch's bank payment file (XLSX; columns in docs/settlement-bank-file.md)."""

    required_action = "settlement_batch.run"

    @extend_schema(
        responses={(200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX")}
    )
    def get(self, request, pk: int):
        batch = selectors.settlement_batch_get(actor=request.user, batch_id=pk)
        return xlsx_response(
            selectors.bank_file_name(batch),
            selectors.bank_file_headers(),
            selectors.bank_file_rows(batch),
            sheet=batch.number,
        )
