"""API of what follows a final round: the award, applying the results, hospitals' choices,
the allocation, renewal decisions, contracts (list, one with its progress, signing) and the
payment standard of a product on a day [R-PAY-STANDARD]; one view per operation, the same
services and selectors as the pages."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from accounts.selectors import request_actor
from core import clock
from core.api.actions import actions_body
from core.api.params import query_date, query_id, query_statuses, validated
from core.api.views import ApiView, ListApi
from core.errors import NotFoundError, ValidationError
from procurement.api.serializers.awards import (
    AwardActionsOutput,
    ChoiceGroupOutput,
    ChoiceInput,
    ContractActionsOutput,
    ContractDetailOutput,
    ContractOutput,
    PaymentStandardAnswerOutput,
    RenewalInput,
    RoundAwardOutput,
)
from procurement.choices import ContractStatus, RenewalDecision
from procurement.models import Contract
from procurement.selectors import awards as selectors
from procurement.selectors import contracts as contract_selectors
from procurement.services import awards, contracts


def _award(request, pk) -> Response:
    found = selectors.round_award_get(actor=request_actor(request), round_id=pk)
    body = {
        "round": found,
        "award": selectors.round_award(round=found),
        "groups": selectors.round_award_groups(actor=request_actor(request), round=found),
    }
    return Response(RoundAwardOutput(body).data)


class RoundAwardApi(ApiView):
    """A final round's award: winners (with and without companion service), payment
    standards and stepped targets per group."""

    required_action = "award.view"

    @extend_schema(responses=RoundAwardOutput)
    def get(self, request, pk: int):
        return _award(request, pk)


class RoundAwardActionsApi(ApiView):
    required_action = "award.view"

    @extend_schema(responses=AwardActionsOutput)
    def get(self, request, pk: int):
        found = selectors.round_award_get(actor=request_actor(request), round_id=pk)
        return Response(
            actions_body(selectors.award_actions(actor=request_actor(request), round=found))
        )


class RoundApplyResultsApi(ApiView):
    """Apply a final round's results (the finalisation does this; idempotent)."""

    required_action = "award.manage"

    @extend_schema(request=None, responses=RoundAwardOutput)
    def post(self, request, pk: int):
        awards.round_apply_results(actor=request_actor(request), round_id=pk)
        return _award(request, pk)


class RoundChoicesApi(ApiView):
    """GET: the caller's groups with agreed volume, their winners and its choices. POST:
    replace its choices (the rest of the agreed volume goes to the best-ranked winner)."""

    required_actions = {"GET": "allocation.choose", "POST": "allocation.choose"}

    def _body(self, request, pk):
        found = selectors.round_award_get(actor=request_actor(request), round_id=pk)
        hospital = selectors.hospital_party_check(actor=request_actor(request), round=found)
        groups = selectors.hospital_choice_groups(hospital=hospital, round=found)
        return Response(ChoiceGroupOutput(groups, many=True).data)

    @extend_schema(responses=ChoiceGroupOutput(many=True))
    def get(self, request, pk: int):
        return self._body(request, pk)

    @extend_schema(request=ChoiceInput, responses=ChoiceGroupOutput(many=True))
    def post(self, request, pk: int):
        data = validated(ChoiceInput, request.data)
        awards.allocation_choose(actor=request_actor(request), round_id=pk, lines=data["lines"])
        return self._body(request, pk)


class RoundAllocateApi(ApiView):
    """Allocate the agreed volume and draw up the contracts (after the choice deadline)."""

    required_action = "award.manage"

    @extend_schema(request=None, responses=ContractOutput(many=True))
    def post(self, request, pk: int):
        made = awards.round_allocate(actor=request_actor(request), round_id=pk)
        rows = contract_selectors.contract_list(actor=request_actor(request)).filter(
            pk__in=[c.pk for c in made]
        )
        return Response(ContractOutput(rows, many=True).data)


class GroupRenewalApi(ApiView):
    """[R-VBP-CONTRACT] at the cycle's end: renew the group's contracts (optionally with a
    price cut) or tender the group anew (its contracts close)."""

    required_action = "award.manage"

    @extend_schema(request=RenewalInput, responses=ContractOutput(many=True))
    def post(self, request, pk: int, group: int):
        data = validated(RenewalInput, request.data)
        if data["decision"] == RenewalDecision.RENEW:
            made = contracts.group_renew(
                actor=request_actor(request),
                round_id=pk,
                group_id=group,
                price_cut=data.get("price_cut") or "0",
                reason=data["reason"],
            )
            ids = [c.pk for c in made]
        else:
            contracts.group_retender(
                actor=request_actor(request), round_id=pk, group_id=group, reason=data["reason"]
            )
            ids = []
        rows = contract_selectors.contract_list(actor=request_actor(request)).filter(pk__in=ids)
        return Response(ContractOutput(rows, many=True).data)


class ContractListApi(ListApi):
    """The contracts the caller is a party to (the bureau: its region's), with progress."""

    required_action = "contract.view"
    serializer_class = ContractOutput
    queryset = Contract.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ContractStatus.values),
            OpenApiParameter("lagging", bool),
            OpenApiParameter("renewal_due", bool),
            OpenApiParameter("to_sign", bool, description="Awaiting the caller's signature."),
            OpenApiParameter("round", int),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        lagging = self.request.query_params.get("lagging")
        if lagging not in (None, "", "true", "false"):
            raise ValidationError(fields={"lagging": ["true or false"]})
        return contract_selectors.contract_list(
            actor=request_actor(self.request),
            status=query_statuses(self.request, ContractStatus.values) or None,
            lagging=None if not lagging else lagging == "true",
            renewal_due=self.request.query_params.get("renewal_due") == "true",
            to_sign=self.request.query_params.get("to_sign") == "true",
            round_id=query_id(self.request, "round"),
        )


class ContractDetailApi(ApiView):
    required_action = "contract.view"

    @extend_schema(responses=ContractDetailOutput)
    def get(self, request, pk: int):
        found = contract_selectors.contract_get(actor=request_actor(request), contract_id=pk)
        body = {"contract": found, "progress": contract_selectors.contract_progress(contract=found)}
        return Response(ContractDetailOutput(body).data)


class ContractActionsApi(ApiView):
    required_action = "contract.view"

    @extend_schema(responses=ContractActionsOutput)
    def get(self, request, pk: int):
        found = contract_selectors.contract_get(actor=request_actor(request), contract_id=pk)
        verdicts = contract_selectors.contract_actions(actor=request_actor(request), contract=found)
        return Response(actions_body(verdicts))


class ContractSignApi(ApiView):
    """[R-VBP-CONTRACT] sign for the caller's party; the third signature puts it in force."""

    required_action = "contract.sign"

    @extend_schema(request=None, responses=ContractDetailOutput)
    def post(self, request, pk: int):
        contracts.contract_sign(actor=request_actor(request), contract_id=pk)
        found = contract_selectors.contract_get(actor=request_actor(request), contract_id=pk)
        body = {"contract": found, "progress": contract_selectors.contract_progress(contract=found)}
        return Response(ContractDetailOutput(body).data)


class PaymentStandardApi(ApiView):
    """[R-PAY-STANDARD] the payment standard of a product on a day (default today): winners
    the group's lowest winning price, non-winners capped at its highest; 404 when no group
    in force holds the product."""

    required_action = "payment_standard.view"

    @extend_schema(
        parameters=[
            OpenApiParameter("consumable", int, required=True),
            OpenApiParameter("on", str, description="YYYY-MM-DD"),
        ],
        responses=PaymentStandardAnswerOutput,
    )
    def get(self, request):
        consumable = query_id(request, "consumable")
        if consumable is None:
            raise ValidationError(fields={"consumable": ["required"]})
        on = query_date(request, "on") or clock.local_today()
        answer = selectors.payment_standard_for(consumable_id=consumable, on=on)
        if answer is None:
            raise NotFoundError()
        body = {
            "consumable": consumable,
            "on": on,
            "kind": answer.kind,
            "amount": answer.amount,
            "standard": answer.standard,
        }
        return Response(PaymentStandardAnswerOutput(body).data)
