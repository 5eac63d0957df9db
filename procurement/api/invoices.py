"""Invoices over the API: the carrier registers one for accepted goods, hospital finance
confirms or rejects it. The services check organisation, state and [R-TWO-INVOICE].
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.actions import actions_body
from core.api.pagination import CappedCountPagination
from core.api.params import query_id, query_statuses, status_parameter, validated
from core.api.views import ApiView, ListApi
from procurement.api.serializers.invoices import (
    InvoiceActionsOutput,
    InvoiceCreateInput,
    InvoiceOutput,
)
from procurement.api.serializers.orders import OrderReasonInput
from procurement.choices import InvoiceStatus
from procurement.models import Invoice
from procurement.selectors import invoices as invoice_selectors
from procurement.services import invoices


class InvoiceListCreateApi(ListApi):
    """GET: invoices with their lines. POST: register an invoice for accepted goods."""

    required_actions = {"GET": "order.view", "POST": "invoice.register"}
    serializer_class = InvoiceOutput
    queryset = Invoice.objects.none()
    filter_backends: list = []
    # Page numbers as HIS clients use them; the count stops past core.paging.COUNT_CAP
    # (``count_capped`` says it did), so that a page costs no COUNT of every row.
    pagination_class = CappedCountPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("order", int),
            status_parameter(InvoiceStatus),
            OpenApiParameter(
                "unpaid", bool, description="Only invoices the hospital has not paid yet."
            ),
            OpenApiParameter("month", str, description="registered in YYYY-MM (Asia/Shanghai)"),
            OpenApiParameter("district", str, description="hospital region code prefix"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return invoice_selectors.invoice_list(
            actor=request_actor(self.request),
            order_id=query_id(self.request, "order"),
            status=query_statuses(self.request, InvoiceStatus.values),
            unpaid=self.request.query_params.get("unpaid") in ("1", "true"),
            **invoice_selectors.invoice_slice(self.request.query_params),
        )

    @extend_schema(request=InvoiceCreateInput, responses={201: InvoiceOutput})
    def post(self, request):
        data = validated(InvoiceCreateInput, request.data)
        invoice = invoices.invoice_register(
            actor=request.user,
            order_id=data["order"],
            number=data["number"],
            issued_on=data["issued_on"],
            amount=data["amount"],
            lines=data["lines"],
            issuer_id=data.get("issuer"),
        )
        shown = invoice_selectors.invoice_get(actor=request.user, invoice_id=invoice.pk)
        return Response(InvoiceOutput(shown).data, status=status.HTTP_201_CREATED)


class InvoiceDetailApi(ApiView):
    required_action = "order.view"

    @extend_schema(responses=InvoiceOutput)
    def get(self, request, pk: int):
        invoice = invoice_selectors.invoice_get(actor=request.user, invoice_id=pk)
        return Response(InvoiceOutput(invoice).data)


class InvoiceActionsApi(ApiView):
    """What the caller may do with the invoice now (core.api.actions)."""

    required_action = "order.view"

    @extend_schema(responses=InvoiceActionsOutput)
    def get(self, request, pk: int):
        invoice = invoice_selectors.invoice_get(actor=request.user, invoice_id=pk)
        actions = invoice_selectors.invoice_actions(actor=request.user, invoice=invoice)
        return Response(actions_body(actions))


class InvoiceConfirmApi(ApiView):
    """Hospital finance confirms: the invoice is ready for settlement [R-PAY-30]."""

    required_action = "invoice.confirm"

    @extend_schema(request=None, responses=InvoiceOutput)
    def post(self, request, pk: int):
        invoices.invoice_confirm(actor=request.user, invoice_id=pk)
        invoice = invoice_selectors.invoice_get(actor=request.user, invoice_id=pk)
        return Response(InvoiceOutput(invoice).data)


class InvoiceRejectApi(ApiView):
    required_action = "invoice.confirm"

    @extend_schema(request=OrderReasonInput, responses=InvoiceOutput)
    def post(self, request, pk: int):
        data = validated(OrderReasonInput, request.data)
        invoices.invoice_reject(actor=request.user, invoice_id=pk, reason=data.get("reason", ""))
        invoice = invoice_selectors.invoice_get(actor=request.user, invoice_id=pk)
        return Response(InvoiceOutput(invoice).data)
