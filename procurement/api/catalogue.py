"""The hospital's own catalogue API (院内目录) [R-HOSP-CATALOGUE]: the hospital's purchasers
admit listed products (one or many, with the committee's decision), stop and resume them with
a reason; the hospital and the bureau of its region read the catalogue and each entry's
history. The same services and selectors as procurement/views/catalogue.py."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.actions import actions_body
from core.api.params import query_id, validated
from core.api.views import ApiView, ListApi
from core.errors import ValidationError
from procurement.api.serializers.catalogue import (
    CatalogueActionsOutput,
    CatalogueAdmissibleOutput,
    CatalogueAdmitInput,
    CatalogueAdmitOutput,
    CatalogueEntryDetailOutput,
    CatalogueEntryOutput,
    CatalogueReasonInput,
)
from procurement.choices import CatalogueEntryStatus
from procurement.models import CatalogueEntry, Listing
from procurement.selectors import catalogue as selectors
from procurement.services import catalogue as services


def _status(request) -> str:
    value = request.query_params.get("status", "")
    if value and value not in CatalogueEntryStatus.values:
        raise ValidationError(fields={"status": [", ".join(CatalogueEntryStatus.values)]})
    return value


def _detail(request, pk: int) -> dict:
    entry = selectors.catalogue_entry_get(actor=request.user, entry_id=pk)
    entry.history = list(selectors.catalogue_history(entry=entry))  # type: ignore[attr-defined]
    return CatalogueEntryDetailOutput(entry).data


class CatalogueListCreateApi(ListApi):
    """GET: the catalogue entries the caller sees (a hospital its own, the bureau its
    region's), newest admission first; ``status=admitted`` (in use) or ``stopped``; ``q``
    searches product, code, manufacturer and decision reference. POST: the hospital's
    purchaser admits listed products, all or nothing, with the committee's decision."""

    required_actions = {"GET": "catalogue.view", "POST": "catalogue.manage"}
    serializer_class = CatalogueEntryOutput
    queryset = CatalogueEntry.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=CatalogueEntryStatus.values),
            OpenApiParameter("q", str, description="Words of the product or manufacturer"),
            OpenApiParameter("hospital", int),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        return selectors.catalogue_entry_list(
            actor=request_actor(request),
            status=_status(request),
            q=request.query_params.get("q", "")[:200],
            hospital_id=query_id(request, "hospital"),
        )

    @extend_schema(request=CatalogueAdmitInput, responses={201: CatalogueAdmitOutput})
    def post(self, request):
        data = validated(CatalogueAdmitInput, request.data)
        created = services.catalogue_admit(
            actor=request.user,
            listing_ids=data["listings"],
            decision_date=data["decision_date"],
            decision_reference=data["decision_reference"],
        )
        shown = selectors.catalogue_entry_list(actor=request.user).filter(
            pk__in=[entry.pk for entry in created]
        )
        body = {"entries": CatalogueEntryOutput(shown, many=True).data}
        return Response(body, status=status.HTTP_201_CREATED)


class CatalogueAdmissibleApi(ListApi):
    """Listed products the caller's hospital has not admitted yet (what it may admit)."""

    required_action = "catalogue.manage"
    serializer_class = CatalogueAdmissibleOutput
    queryset = Listing.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Product or manufacturer"),
            OpenApiParameter("code", str, description="National code prefix"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        return selectors.catalogue_admissible(
            actor=request_actor(self.request),
            q=params.get("q", "")[:200],
            code=params.get("code", "")[:40],
        )


class CatalogueEntryDetailApi(ApiView):
    """One entry with its history (another hospital's: 404)."""

    required_action = "catalogue.view"

    @extend_schema(responses=CatalogueEntryDetailOutput)
    def get(self, request, pk: int):
        return Response(_detail(request, pk))


class CatalogueEntryActionsApi(ApiView):
    """What the caller may do with the entry now (core.api.actions)."""

    required_action = "catalogue.view"

    @extend_schema(responses=CatalogueActionsOutput)
    def get(self, request, pk: int):
        entry = selectors.catalogue_entry_get(actor=request.user, entry_id=pk)
        return Response(actions_body(selectors.catalogue_actions(actor=request.user, entry=entry)))


class CatalogueEntryStopApi(ApiView):
    """Stop the product for the hospital (停用), with a reason: orders of it are refused."""

    required_action = "catalogue.manage"

    @extend_schema(request=CatalogueReasonInput, responses=CatalogueEntryDetailOutput)
    def post(self, request, pk: int):
        data = validated(CatalogueReasonInput, request.data)
        services.catalogue_stop(actor=request.user, entry_id=pk, reason=data["reason"])
        return Response(_detail(request, pk))


class CatalogueEntryResumeApi(ApiView):
    """Resume a stopped product (复用), with a reason."""

    required_action = "catalogue.manage"

    @extend_schema(request=CatalogueReasonInput, responses=CatalogueEntryDetailOutput)
    def post(self, request, pk: int):
        data = validated(CatalogueReasonInput, request.data)
        services.catalogue_resume(actor=request.user, entry_id=pk, reason=data["reason"])
        return Response(_detail(request, pk))
