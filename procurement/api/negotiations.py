"""Negotiation API [R-NEGOTIATION]: the bureau opens, invites, counters, accepts and
concludes; the invited manufacturers offer or accept the round's target."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.selectors import request_actor
from core.api.actions import actions_body
from core.api.params import query_id, query_statuses, status_parameter, validated
from core.api.parsers import FormParser, MultiPartParser
from core.api.views import ApiView, ListApi
from core.errors import NotFoundError
from procurement.api.serializers.listings import DecisionReasonInput
from procurement.api.serializers.negotiations import (
    NegotiationActionsOutput,
    NegotiationCounterInput,
    NegotiationLinkedImportInput,
    NegotiationOfferInput,
    NegotiationOpenInput,
    NegotiationOutput,
    NegotiationRowOutput,
)
from procurement.choices import NegotiationStatus
from procurement.models import Negotiation
from procurement.selectors import negotiations as selectors
from procurement.services import negotiation_sources as sources
from procurement.services import negotiations as services


def _shown(request, pk: int) -> Response:
    negotiation = selectors.negotiation_get(actor=request.user, negotiation_id=pk)
    return Response(NegotiationOutput(negotiation).data)


class NegotiationListOpenApi(ListApi):
    """GET: the negotiations the caller may see (the bureau its region's, a supplier those it
    is invited to), newest first. POST: the bureau drafts a negotiation on products (a target
    each) or on one manufacturer's portfolio (a cut), for hospitals or the whole region."""

    required_actions = {"GET": "negotiation.view", "POST": "negotiation.manage"}
    serializer_class = NegotiationRowOutput
    queryset = Negotiation.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[status_parameter(NegotiationStatus)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.request
        return selectors.negotiation_list(
            actor=request_actor(request),
            status=query_statuses(request, NegotiationStatus.values),
        )

    @extend_schema(request=NegotiationOpenInput, responses={201: NegotiationOutput})
    def post(self, request):
        data = validated(NegotiationOpenInput, request.data)
        negotiation = services.negotiation_open(
            actor=request.user,
            title=data["title"],
            kind=data["kind"],
            items=[
                {"listing_id": row["listing_id"], "target_price": str(row["target_price"])}
                for row in data["items"]
            ],
            manufacturer_id=data["manufacturer"],
            cut_ratio=data["cut_ratio"],
            hospital_ids=data["hospitals"],
            all_hospitals=data["all_hospitals"],
            outcome=data["outcome"],
            deadline=data["deadline"],
            effective_on=data["effective_on"],
            valid_until=data["valid_until"],
        )
        shown = selectors.negotiation_get(actor=request.user, negotiation_id=negotiation.pk)
        return Response(NegotiationOutput(shown).data, status=status.HTTP_201_CREATED)


class NegotiationDetailApi(ApiView):
    """One negotiation with its hospitals, rounds, products and offers (a supplier sees only
    its own products; another region's or not invited: 404)."""

    required_action = "negotiation.view"

    @extend_schema(responses=NegotiationOutput)
    def get(self, request, pk: int):
        return _shown(request, pk)


class NegotiationActionsApi(ApiView):
    """What the caller may do now: the negotiation's actions, or ``?item=`` one product's."""

    required_action = "negotiation.view"

    @extend_schema(
        parameters=[OpenApiParameter("item", int, description="A product of the negotiation")],
        responses=NegotiationActionsOutput,
    )
    def get(self, request, pk: int):
        negotiation = selectors.negotiation_get(actor=request.user, negotiation_id=pk)
        item_id = query_id(request, "item")
        item = None
        if item_id is not None:
            item = next((i for i in negotiation.shown_items if i.pk == item_id), None)  # type: ignore[attr-defined]
            if item is None:
                raise NotFoundError()
        return Response(
            actions_body(
                selectors.negotiation_actions(
                    actor=request.user, negotiation=negotiation, item=item
                )
            )
        )


class NegotiationInviteApi(ApiView):
    """[R-NEGOTIATION] send the invitations: round 1 opens until its deadline."""

    required_action = "negotiation.manage"

    @extend_schema(request=None, responses=NegotiationOutput)
    def post(self, request, pk: int):
        services.negotiation_invite(actor=request.user, negotiation_id=pk)
        return _shown(request, pk)


class NegotiationCounterApi(ApiView):
    """[R-NEGOTIATION] counter: a new round with its deadline and new targets; every product
    not agreed awaits a new offer."""

    required_action = "negotiation.manage"

    @extend_schema(request=NegotiationCounterInput, responses=NegotiationOutput)
    def post(self, request, pk: int):
        data = validated(NegotiationCounterInput, request.data)
        services.negotiation_counter(
            actor=request.user,
            negotiation_id=pk,
            deadline=data["deadline"],
            note=data["note"],
            targets={row["item"]: str(row["target_price"]) for row in data["targets"]},
        )
        return _shown(request, pk)


class NegotiationConcludeApi(ApiView):
    """[R-NEGOTIATION] [R-DISCLOSE] conclude and publish: the agreements apply from the
    effective date."""

    required_action = "negotiation.manage"

    @extend_schema(request=None, responses=NegotiationOutput)
    def post(self, request, pk: int):
        services.negotiation_conclude(actor=request.user, negotiation_id=pk)
        return _shown(request, pk)


class NegotiationCancelApi(ApiView):
    """Cancel a negotiation not concluded, with a reason."""

    required_action = "negotiation.manage"

    @extend_schema(request=DecisionReasonInput, responses=NegotiationOutput)
    def post(self, request, pk: int):
        data = validated(DecisionReasonInput, request.data)
        services.negotiation_cancel(actor=request.user, negotiation_id=pk, reason=data["reason"])
        return _shown(request, pk)


class NegotiationOfferApi(ApiView):
    """[R-NEGOTIATION] the product's manufacturer offers a price by the round's deadline, no
    higher than its listed price and the reference price."""

    required_action = "negotiation.offer"

    @extend_schema(request=NegotiationOfferInput, responses=NegotiationOutput)
    def post(self, request, pk: int, item: int):
        data = validated(NegotiationOfferInput, request.data)
        services.negotiation_offer(
            actor=request.user, negotiation_id=pk, item_id=item, price=str(data["price"])
        )
        return _shown(request, pk)


class NegotiationAcceptCounterApi(ApiView):
    """[R-NEGOTIATION] the manufacturer accepts the round's target for its product."""

    required_action = "negotiation.offer"

    @extend_schema(request=None, responses=NegotiationOutput)
    def post(self, request, pk: int, item: int):
        services.negotiation_accept_counter(actor=request.user, negotiation_id=pk, item_id=item)
        return _shown(request, pk)


class NegotiationAcceptOfferApi(ApiView):
    """[R-NEGOTIATION] the bureau accepts the manufacturer's offer for a product."""

    required_action = "negotiation.manage"

    @extend_schema(request=None, responses=NegotiationOutput)
    def post(self, request, pk: int, item: int):
        services.negotiation_accept_offer(actor=request.user, negotiation_id=pk, item_id=item)
        return _shown(request, pk)


class NegotiationLinkedImportApi(ApiView):
    """[R-NEGOTIATION] NJ 2.3 linked price cuts: upload other regions' winning prices
    (multipart ``file``, an XLSX); the manufacturers of the listed products of those national
    codes priced above them are invited at once to match them. A malformed workbook is 400
    ``negotiation_import_invalid`` with ``extra.row`` and ``extra.column``; nothing is
    written."""

    required_action = "negotiation.manage"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": NegotiationLinkedImportInput},
        responses={201: NegotiationOutput},
    )
    def post(self, request):
        data = validated(NegotiationLinkedImportInput, request.data)
        negotiation = sources.negotiation_linked_import(
            actor=request.user,
            raw=data["file"],
            title=data["title"],
            deadline=data["deadline"],
            effective_on=data["effective_on"],
            valid_until=data["valid_until"],
        )
        shown = selectors.negotiation_get(actor=request.user, negotiation_id=negotiation.pk)
        return Response(NegotiationOutput(shown).data, status=status.HTTP_201_CREATED)
