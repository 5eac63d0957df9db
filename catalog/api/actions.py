"""Catalogue actions over the API: the reference-price lifecycle, objections, sync, imports.
The same service calls as the pages (catalog/views_bureau.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from catalog.api.serializers import (
    ImportJobOutput,
    ImportRetryInput,
    ImportUploadInput,
    ObjectionResolveInput,
    PriceObjectionOutput,
    ReasonInput,
    ReferencePriceOutput,
)
from catalog.services import prices
from core.api.parsers import FormParser, MultiPartParser
from core.api.views import ApiView


class ReferencePricePublicityStartApi(ApiView):
    required_action = "reference_price.manage"

    @extend_schema(request=None, responses=ReferencePriceOutput)
    def post(self, request, pk: int):
        price = prices.reference_price_publicity_start(reference_price_id=pk, actor=request.user)
        return Response(ReferencePriceOutput(price).data)


class ReferencePriceConfirmApi(ApiView):
    required_action = "reference_price.manage"

    @extend_schema(request=None, responses=ReferencePriceOutput)
    def post(self, request, pk: int):
        price = prices.reference_price_confirm(reference_price_id=pk, actor=request.user)
        return Response(ReferencePriceOutput(price).data)


class ReferencePriceWithdrawApi(ApiView):
    required_action = "reference_price.manage"

    @extend_schema(request=ReasonInput, responses=ReferencePriceOutput)
    def post(self, request, pk: int):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        price = prices.reference_price_withdraw(
            reference_price_id=pk, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(ReferencePriceOutput(price).data)


class PriceObjectionRaiseApi(ApiView):
    required_action = "price_objection.raise"

    @extend_schema(request=ReasonInput, responses={201: PriceObjectionOutput})
    def post(self, request, pk: int):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        objection = prices.price_objection_raise(
            reference_price_id=pk, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(PriceObjectionOutput(objection).data, status=status.HTTP_201_CREATED)


class PriceObjectionResolveApi(ApiView):
    required_action = "price_objection.resolve"

    @extend_schema(request=ObjectionResolveInput, responses=PriceObjectionOutput)
    def post(self, request, pk: int):
        data = ObjectionResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        objection = prices.price_objection_resolve(
            objection_id=pk, actor=request.user, **data.validated_data
        )
        return Response(PriceObjectionOutput(objection).data)


class SyncRunStartApi(ApiView):
    """Queue a lowest-price sync now (the nightly beat runs it at 02:00 anyway)."""

    required_action = "sync_run.start"

    @extend_schema(request=None, responses={202: None})
    def post(self, request):
        from catalog.services.sync_start import sync_run_enqueue

        sync_run_enqueue(actor=request.user)
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)


class ImportJobCreateApi(ApiView):
    required_action = "catalog.import"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportUploadInput}, responses={202: ImportJobOutput}
    )
    def post(self, request):
        from catalog.services.import_jobs import import_job_create

        data = ImportUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = import_job_create(
            actor=request.user,
            kind=data.validated_data["kind"],
            uploaded_file=data.validated_data["file"],
            partial=data.validated_data["partial"],
        )
        return Response(ImportJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ImportJobRetryApi(ApiView):
    """Import a failed job's file again, as a new job (202); 409 unless the job failed."""

    required_action = "catalog.import"

    @extend_schema(request=ImportRetryInput, responses={202: ImportJobOutput})
    def post(self, request, pk: int):
        from catalog.services.import_jobs import import_job_retry

        data = ImportRetryInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = import_job_retry(
            actor=request.user, job_id=pk, partial=data.validated_data.get("partial")
        )
        return Response(ImportJobOutput(job).data, status=status.HTTP_202_ACCEPTED)
