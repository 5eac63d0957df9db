"""Catalogue API: search, product, scan; reference prices, objections, sync runs, imports."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from accounts.selectors import request_actor
from catalog import selectors
from catalog.api.serializers import (
    CategoryOutput,
    ConsumableDetailOutput,
    ConsumableListOutput,
    CrosswalkConflictOutput,
    ImportJobOutput,
    PriceObjectionOutput,
    ReferencePriceActionsOutput,
    ReferencePriceOutput,
    ScanInput,
    ScanOutput,
    SyncRunOutput,
)
from catalog.models import (
    Category,
    Consumable,
    CrosswalkConflict,
    PriceObjection,
    ReferencePrice,
    SyncRun,
)
from catalog.services.import_jobs import import_jobs_fail_stale
from catalog.services.sync import sync_runs_fail_stale
from core.api.actions import actions_body
from core.api.pagination import CappedCountPagination
from core.api.views import ApiView, ListApi


def _bool(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    return value.lower() in {"1", "true", "yes"}


class ConsumableListApi(ListApi):
    required_action = "catalog.view"
    serializer_class = ConsumableListOutput
    pagination_class = CappedCountPagination
    queryset = Consumable.objects.none()  # for the schema; rows come from the selector
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words in the Chinese names or specification"),
            OpenApiParameter("code", str, description="National code prefix, e.g. C0201"),
            OpenApiParameter(
                "category",
                str,
                description="Category code: 2, 4 or 6 digits (names: GET /api/v1/catalog/categories/)",
            ),
            OpenApiParameter("manufacturer", int),
            OpenApiParameter("high_value", bool),
            OpenApiParameter("status", str, enum=["active", "retired"]),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        manufacturer = params.get("manufacturer")
        return selectors.consumable_list(
            actor=request_actor(self.request),
            q=params.get("q", ""),
            code_prefix=params.get("code", ""),
            category=params.get("category", ""),
            manufacturer=int(manufacturer) if manufacturer and manufacturer.isdigit() else None,
            high_value=_bool(params.get("high_value")),
            status=params.get("status", ""),
        )


class CategoryListApi(ListApi):
    """The national classification with its names: the values of the consumable list's
    ``category`` filter. Level 1 by default; ``parent`` lists a category's children."""

    required_action = "catalog.view"
    serializer_class = CategoryOutput
    pagination_class = None  # at most 17 level-1 categories, a few dozen children each
    queryset = Category.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "parent", str, description="A level-1 or level-2 category code, e.g. 03 or 0311"
            )
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return selectors.category_list(
            actor=request_actor(self.request), parent=self.request.query_params.get("parent", "")
        )


class ConsumableDetailApi(ApiView):
    """A product by its national code; an old code a release replaced gives the product
    that carries it now (its ``code`` differs from the one asked for)."""

    required_action = "catalog.view"

    @extend_schema(responses=ConsumableDetailOutput)
    def get(self, request, code: str):
        consumable = selectors.consumable_get(actor=request.user, code=code)
        context = {
            "replaced_by": selectors.consumable_replacements(consumable=consumable),
            "categories": selectors.consumable_categories(consumable=consumable),
        }
        return Response(ConsumableDetailOutput(consumable, context=context).data)


class ScanApi(ApiView):
    """Parse a scanned barcode (GS1, MA or AHM) and return its product and reference price.
    Read-only, so it is safe to repeat; it still honours Idempotency-Key like every POST."""

    required_action = "catalog.view"

    @extend_schema(request=ScanInput, responses=ScanOutput)
    def post(self, request):
        data = ScanInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = selectors.scan(actor=request.user, barcode=data.validated_data["barcode"])
        return Response(ScanOutput(result).data)


class ReferencePriceListApi(ListApi):
    required_action = "reference_price.view"
    serializer_class = ReferencePriceOutput
    queryset = ReferencePrice.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("open", bool, description="Only proposed, flagged or in publicity"),
            OpenApiParameter(
                "q", str, description="Part of the national code, product name or manufacturer"
            ),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        return selectors.reference_price_list(
            actor=request_actor(self.request),
            status=params.get("status", ""),
            open_only=bool(_bool(params.get("open"))),
            q=params.get("q", ""),
        )


class ReferencePriceActionsApi(ApiView):
    """What the caller may do with the reference price now (core.api.actions): the buttons
    of the publicity page."""

    required_action = "reference_price.view"

    @extend_schema(responses=ReferencePriceActionsOutput)
    def get(self, request, pk: int):
        price = selectors.reference_price_get(actor=request.user, reference_price_id=pk)
        actions = selectors.reference_price_actions(actor=request.user, reference_price=price)
        return Response(actions_body(actions))


class PriceObjectionListApi(ListApi):
    required_action = "price_objection.view"
    serializer_class = PriceObjectionOutput
    queryset = PriceObjection.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return selectors.price_objection_list(
            actor=request_actor(self.request), status=self.request.query_params.get("status", "")
        )


class SyncRunListApi(ListApi):
    required_action = "sync_run.view"
    serializer_class = SyncRunOutput
    queryset = SyncRun.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        runs = selectors.sync_run_list(actor=request_actor(self.request))
        sync_runs_fail_stale()  # a run whose worker died reads as failed, not running
        return runs


class ImportJobDetailApi(ApiView):
    """A job whose worker died reads as failed once its heartbeat is older than the limit."""

    required_action = "catalog.import"

    @extend_schema(responses=ImportJobOutput)
    def get(self, request, pk: int):
        selectors.import_job_get(actor=request.user, job_id=pk)
        import_jobs_fail_stale(job_ids=[pk])
        return Response(
            ImportJobOutput(selectors.import_job_get(actor=request.user, job_id=pk)).data
        )


class CrosswalkConflictListApi(ListApi):
    required_action = "catalog.import"
    serializer_class = CrosswalkConflictOutput
    queryset = CrosswalkConflict.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return selectors.crosswalk_conflict_list(actor=request_actor(self.request))
