"""Volume-based procurement round API: the bureau's set-up, publication, amendments and dry
run; hospitals' demand [R-VBP-VOLUME]; one view per operation."""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.models import User
from core.api.actions import actions_body
from core.api.params import query_statuses, validated
from core.api.views import ApiView, ListApi
from procurement.api.serializers.rounds import (
    DemandListOutput,
    DemandOutput,
    DemandReportInput,
    DemandReviewInput,
    DryRunInput,
    DryRunOutput,
    GroupInput,
    GroupOutput,
    GroupUpdateInput,
    RoundActionsOutput,
    RoundAmendInput,
    RoundDetailOutput,
    RoundInput,
    RoundOutput,
    RoundUpdateInput,
)
from procurement.choices import RoundStatus
from procurement.models import TenderRound
from procurement.selectors import demand as demand_selectors
from procurement.selectors import rounds as selectors
from procurement.services import demand, rounds


def _detail(request, pk) -> Response:
    found = selectors.round_get(actor=request.user, round_id=pk)
    return Response(RoundDetailOutput(found).data)


class RoundListApi(ListApi):
    """GET: the rounds the caller sees (the bureau: its region's, drafts included; hospitals
    of the region and suppliers: published ones). POST: create a draft (bureau, agency)."""

    required_actions = {"GET": "round.view", "POST": "round.manage"}
    serializer_class = RoundOutput
    queryset = TenderRound.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=RoundStatus.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return selectors.round_list(
            actor=cast(User, self.request.user),  # IsAuthenticated ran first
            status=query_statuses(self.request, RoundStatus.values),
        )

    @extend_schema(request=RoundInput, responses={201: RoundDetailOutput})
    def post(self, request):
        data = validated(RoundInput, request.data)
        created = rounds.round_create(actor=request.user, **data)
        response = _detail(request, created.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class RoundDetailApi(ApiView):
    """GET: one round with its groups and amendments. PATCH: edit a draft."""

    required_actions = {"GET": "round.view", "PATCH": "round.manage"}

    @extend_schema(responses=RoundDetailOutput)
    def get(self, request, pk: int):
        return _detail(request, pk)

    @extend_schema(request=RoundUpdateInput, responses=RoundDetailOutput)
    def patch(self, request, pk: int):
        data = validated(RoundUpdateInput, request.data)
        rounds.round_update(actor=request.user, round_id=pk, **data)
        return _detail(request, pk)


class RoundActionsApi(ApiView):
    """What the caller may do with the round now (core.api.actions)."""

    required_action = "round.view"

    @extend_schema(responses=RoundActionsOutput)
    def get(self, request, pk: int):
        found = selectors.round_get(actor=request.user, round_id=pk)
        return Response(actions_body(selectors.round_actions(actor=request.user, round=found)))


class RoundPublishApi(ApiView):
    """Publish a draft: it needs groups with satisfiable rules and every date ahead."""

    required_action = "round.manage"

    @extend_schema(request=None, responses=RoundDetailOutput)
    def post(self, request, pk: int):
        rounds.round_publish(actor=request.user, round_id=pk)
        return _detail(request, pk)


class RoundAmendApi(ApiView):
    """Amend a published round: the changes, with a reason, become an amendment every
    supplier sees."""

    required_action = "round.manage"

    @extend_schema(request=RoundAmendInput, responses=RoundDetailOutput)
    def post(self, request, pk: int):
        data = validated(RoundAmendInput, request.data)
        rounds.round_amend(
            actor=request.user,
            round_id=pk,
            reason=data["reason"],
            changes=data.get("changes") or {},
            groups={
                group["id"]: {k: v for k, v in group.items() if k != "id"}
                for group in data.get("groups") or []
            },
        )
        return _detail(request, pk)


class RoundGroupListApi(ApiView):
    """GET: the round's product groups. POST: add one to a draft."""

    required_actions = {"GET": "round.view", "POST": "round.manage"}

    @extend_schema(responses=GroupOutput(many=True))
    def get(self, request, pk: int):
        found = selectors.round_get(actor=request.user, round_id=pk)
        return Response(GroupOutput(selectors.round_groups(round=found), many=True).data)

    @extend_schema(request=GroupInput, responses={201: GroupOutput})
    def post(self, request, pk: int):
        data = validated(GroupInput, request.data)
        group = rounds.group_create(actor=request.user, round_id=pk, **data)
        return Response(GroupOutput(group).data, status=status.HTTP_201_CREATED)


class RoundGroupDetailApi(ApiView):
    """GET: one group. PATCH: edit it while the round is a draft."""

    required_actions = {"GET": "round.view", "PATCH": "round.manage"}

    def _group(self, request, pk, group):
        found = selectors.round_get(actor=request.user, round_id=pk)
        return selectors.round_group_get(round=found, group_id=group)

    @extend_schema(responses=GroupOutput)
    def get(self, request, pk: int, group: int):
        return Response(GroupOutput(self._group(request, pk, group)).data)

    @extend_schema(request=GroupUpdateInput, responses=GroupOutput)
    def patch(self, request, pk: int, group: int):
        data = validated(GroupUpdateInput, request.data)
        updated = rounds.group_update(actor=request.user, round_id=pk, group_id=group, **data)
        return Response(GroupOutput(updated).data)


class RoundDryRunApi(ApiView):
    """[R-PAY-STANDARD] the bureau's dry run: who would win the group with these hypothetical
    bids, at what price, and the payment standard that follows. Writes nothing."""

    required_action = "round.manage"

    @extend_schema(request=DryRunInput, responses=DryRunOutput)
    def post(self, request, pk: int):
        data = validated(DryRunInput, request.data)
        group, outcome = selectors.round_dry_run(
            actor=request.user,
            round_id=pk,
            group_id=data["group"],
            bids=[dict(bid) for bid in data["bids"]],
            winning_rule=data.get("winning_rule"),
        )
        return Response(DryRunOutput(selectors.dry_run_body(group, outcome)).data)


class RoundDemandApi(ApiView):
    """GET: the caller's demand for the round (a hospital: its form rows pre-filled from its
    last 12 months of purchases, and its reports; the bureau: every report of its region).
    POST: a hospital reports base volumes per group, until the demand deadline."""

    required_actions = {"GET": "demand.view", "POST": "demand.report"}

    def _body(self, request, pk) -> Response:
        found = selectors.round_get(actor=request.user, round_id=pk)
        org = request.user.organization
        rows = (
            demand_selectors.demand_rows(actor=request.user, round=found)
            if org is not None and org.is_hospital
            else []
        )
        reports = demand_selectors.demand_list(actor=request.user, round_id=found.pk)
        return Response(DemandListOutput({"rows": rows, "reports": reports}).data)

    @extend_schema(responses=DemandListOutput)
    def get(self, request, pk: int):
        return self._body(request, pk)

    @extend_schema(request=DemandReportInput, responses=DemandListOutput)
    def post(self, request, pk: int):
        data = validated(DemandReportInput, request.data)
        demand.demand_report(
            actor=request.user, round_id=pk, lines=[dict(line) for line in data["lines"]]
        )
        return self._body(request, pk)


class DemandReviewApi(ApiView):
    """The bureau accepts a report (no volume) or adjusts its base volume with a reason."""

    required_action = "demand.review"

    @extend_schema(request=DemandReviewInput, responses=DemandOutput)
    def post(self, request, pk: int):
        data = validated(DemandReviewInput, request.data)
        row = demand.demand_review(
            actor=request.user,
            demand_id=pk,
            volume=data.get("volume"),
            reason=data.get("reason", ""),
        )
        return Response(
            DemandOutput(demand_selectors.demand_get(actor=request.user, demand_id=row.pk)).data
        )
