"""Credit API [R-CREDIT] [R-MISCONDUCT]: the misconduct catalogue, credit events (recorded by
the bureau), sanctions, scores, credit repair (the supplier applies, the bureau decides) and
the public list of serious cases. The same services and selectors as the pages."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.actions import actions_body
from core.api.pagination import CappedCountPagination
from core.api.params import query_id, query_statuses, status_parameter, validated
from core.api.throttling import PublicRateThrottle
from core.api.views import ApiView, ListApi
from core.errors import ValidationError
from procurement.models.evidence import EVIDENCE_FILE_MAX_BYTES
from supervision.api.serializers.credit import (
    CreditEventActionsOutput,
    CreditEventInput,
    CreditEventOutput,
    CreditEventRowOutput,
    CreditRepairActionsOutput,
    CreditRepairOutput,
    CreditStandingOutput,
    MisconductItemInput,
    MisconductItemOutput,
    PublicCreditCaseOutput,
    RepairApplyInput,
    RepairDecisionInput,
    SanctionOutput,
)
from supervision.choices import CreditEventStatus, RepairStatus, SanctionKind
from supervision.models import CreditEvent, CreditRepair, MisconductItem, Sanction
from supervision.selectors import credit as selectors
from supervision.services import credit as services

PARSERS = [JSONParser, MultiPartParser, FormParser]


def _file(data) -> tuple[str, bytes] | None:
    upload = data.get("evidence")
    if upload is None:
        return None
    return upload.name, upload.read(EVIDENCE_FILE_MAX_BYTES + 1)


def _month(request) -> dt.date | None:
    raw = request.query_params.get("month", "")
    if not raw:
        return None
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date()  # noqa: DTZ007 (a month, no time)
    except ValueError:
        raise ValidationError(fields={"month": ["YYYY-MM"]}) from None


class MisconductItemListApi(ListApi):
    """[R-MISCONDUCT] the misconduct catalogue: each item's level, score deduction, sanctions
    with their days, and whether its events can be repaired."""

    required_action = "misconduct_item.view"
    serializer_class = MisconductItemOutput
    queryset = MisconductItem.objects.none()
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return selectors.misconduct_item_list(actor=request_actor(self.request))


class MisconductItemDetailApi(ApiView):
    """GET: one item. PUT: the bureau edits it (events already recorded keep what it said)."""

    required_actions = {"GET": "misconduct_item.view", "PUT": "misconduct_item.manage"}

    @extend_schema(responses=MisconductItemOutput)
    def get(self, request, pk: int):
        item = selectors.misconduct_item_get(actor=request.user, item_id=pk)
        return Response(MisconductItemOutput(item).data)

    @extend_schema(request=MisconductItemInput, responses=MisconductItemOutput)
    def put(self, request, pk: int):
        selectors.misconduct_item_get(actor=request.user, item_id=pk)
        data = validated(MisconductItemInput, request.data)
        item = services.misconduct_item_update(actor=request.user, item_id=pk, **data)
        return Response(MisconductItemOutput(item).data)


class CreditEventListCreateApi(ListApi):
    """GET: the events the caller may see (an organisation its own, the bureau its region's),
    newest first. POST (JSON, or multipart with an ``evidence`` file): the bureau records a
    misconduct; its sanctions take effect at once."""

    required_actions = {"GET": "credit.view", "POST": "credit.record"}
    serializer_class = CreditEventRowOutput
    queryset = CreditEvent.objects.none()
    filter_backends: list = []
    parser_classes = PARSERS

    @extend_schema(
        parameters=[
            status_parameter(CreditEventStatus),
            OpenApiParameter("month", str, description="YYYY-MM, recorded that month"),
            OpenApiParameter("subject", int),
            OpenApiParameter("repair_pending", bool),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        pending = request.query_params.get("repair_pending", "")
        if pending not in ("", "true", "false"):
            raise ValidationError(fields={"repair_pending": ["true, false"]})
        return selectors.credit_event_list(
            actor=request_actor(request),
            status=query_statuses(request, CreditEventStatus.values),
            subject_id=query_id(request, "subject"),
            month=_month(request),
            repair_pending=pending == "true",
        )

    @extend_schema(request=CreditEventInput, responses={201: CreditEventOutput})
    def post(self, request):
        data = validated(CreditEventInput, request.data)
        event = services.credit_event_record(
            actor=request.user,
            subject_id=data["subject"],
            item_code=data["item"],
            occurred_on=data["occurred_on"],
            description=data["description"],
            evidence_text=data["evidence_text"],
            evidence=_file(data),
            listing_id=data["listing"],
        )
        shown = selectors.credit_event_get(actor=request.user, event_id=event.pk)
        return Response(CreditEventOutput(shown).data, status=status.HTTP_201_CREATED)


class CreditEventDetailApi(ApiView):
    """One event with its sanctions and repair applications (another organisation's: 404)."""

    required_action = "credit.view"

    @extend_schema(responses=CreditEventOutput)
    def get(self, request, pk: int):
        event = selectors.credit_event_get(actor=request.user, event_id=pk)
        return Response(CreditEventOutput(event).data)


class CreditEventActionsApi(ApiView):
    """What the caller may do with the event now: apply for its repair (core.api.actions)."""

    required_action = "credit.view"

    @extend_schema(responses=CreditEventActionsOutput)
    def get(self, request, pk: int):
        event = selectors.credit_event_get(actor=request.user, event_id=pk)
        return Response(
            actions_body(selectors.credit_event_actions(actor=request.user, event=event))
        )


class CreditRepairApplyApi(ApiView):
    """[R-CREDIT] the supplier applies for the repair of its event (JSON, or multipart with
    an ``evidence`` file); a non-repairable event is refused (``credit_repair_not_allowed``)."""

    required_action = "credit.repair_apply"
    parser_classes = PARSERS

    @extend_schema(request=RepairApplyInput, responses={201: CreditRepairOutput})
    def post(self, request, pk: int):
        data = validated(RepairApplyInput, request.data)
        repair = services.credit_repair_apply(
            actor=request.user, event_id=pk, statement=data["statement"], evidence=_file(data)
        )
        return Response(CreditRepairOutput(repair).data, status=status.HTTP_201_CREATED)


class CreditRepairListApi(ListApi):
    """The repair applications the caller may see; ``status=pending`` is the bureau's queue."""

    required_action = "credit.view"
    serializer_class = CreditRepairOutput
    queryset = CreditRepair.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[status_parameter(RepairStatus)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        return selectors.repair_list(
            actor=request_actor(request), status=query_statuses(request, RepairStatus.values)
        )


class CreditRepairActionsApi(ApiView):
    required_action = "credit.view"

    @extend_schema(responses=CreditRepairActionsOutput)
    def get(self, request, pk: int):
        repair = selectors.credit_repair_get(actor=request.user, repair_id=pk)
        return Response(
            actions_body(selectors.credit_repair_actions(actor=request.user, repair=repair))
        )


class CreditRepairApproveApi(ApiView):
    """[R-CREDIT] the bureau approves: the event is repaired, its sanctions lifted."""

    required_action = "credit.decide"

    @extend_schema(request=RepairDecisionInput, responses=CreditRepairOutput)
    def post(self, request, pk: int):
        data = validated(RepairDecisionInput, request.data)
        repair = services.credit_repair_approve(
            actor=request.user, repair_id=pk, reason=data["reason"]
        )
        return Response(CreditRepairOutput(repair).data)


class CreditRepairRejectApi(ApiView):
    """[R-CREDIT] the bureau rejects, with a reason; the event and its sanctions stand."""

    required_action = "credit.decide"

    @extend_schema(request=RepairDecisionInput, responses=CreditRepairOutput)
    def post(self, request, pk: int):
        data = validated(RepairDecisionInput, request.data)
        repair = services.credit_repair_reject(
            actor=request.user, repair_id=pk, reason=data["reason"]
        )
        return Response(CreditRepairOutput(repair).data)


class SanctionListApi(ListApi):
    """The sanctions the caller may see; in force only unless ``in_force=false``."""

    required_action = "credit.view"
    serializer_class = SanctionOutput
    queryset = Sanction.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=SanctionKind.values),
            OpenApiParameter("in_force", bool),
            OpenApiParameter("subject", int),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        kind = request.query_params.get("kind", "")
        if kind and kind not in SanctionKind.values:
            raise ValidationError(fields={"kind": [", ".join(SanctionKind.values)]})
        in_force = request.query_params.get("in_force", "true")
        if in_force not in ("true", "false"):
            raise ValidationError(fields={"in_force": ["true, false"]})
        return selectors.sanction_list(
            actor=request_actor(request),
            in_force=in_force == "true",
            kind=kind,
            subject_id=query_id(request, "subject"),
        )


class CreditStandingApi(ApiView):
    """[R-CREDIT] an organisation's score and rating: the caller's own, or (the bureau) any
    ``organization``."""

    required_action = "credit.view"

    @extend_schema(
        parameters=[OpenApiParameter("organization", int, description="Default: your own")],
        responses=CreditStandingOutput,
    )
    def get(self, request):
        subject_id = query_id(request, "organization") or request.user.organization_id
        if subject_id is None:
            raise ValidationError(fields={"organization": ["required"]})
        standing = selectors.credit_standing(actor=request.user, subject_id=subject_id)
        return Response(
            CreditStandingOutput(
                {
                    "organization": subject_id,
                    "score": standing.score,
                    "rating": standing.rating,
                    "standing_events": standing.standing_events,
                }
            ).data
        )


class PublicCreditCaseListApi(ListApi):
    """[R-CREDIT] [R-DISCLOSE] serious cases disclosed now (no login, throttled per address):
    the organisation, the misconduct, its level and dates; no person, no evidence."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [PublicRateThrottle]
    filter_backends: list = []
    pagination_class = CappedCountPagination
    http_method_names = ["get", "head", "options"]
    serializer_class = PublicCreditCaseOutput
    queryset = CreditEvent.objects.none()

    def get_queryset(self) -> QuerySet:
        return selectors.credit_public_cases()
