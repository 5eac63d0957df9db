"""Listing API: applications, the bureau's decisions and labels, distributor authorisations and
price changes; one view per operation, each calling one service or selector. The base classes
(core.api.views) apply the role table, render errors as ``{code, message, extra}`` and make
every POST idempotent."""

from __future__ import annotations

import json

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from accounts.selectors import request_actor
from catalog import selectors as catalog_selectors
from core.api.actions import actions_body
from core.api.params import validated
from core.api.parsers import FormParser, MultiPartParser
from core.api.schema import ErrorSerializer
from core.api.views import ApiView, ListApi
from core.errors import NotFoundError, ValidationError
from core.web import attachment_response, parse_id
from procurement.api.serializers.listings import (
    AvailableListingOutput,
    DecisionNoteInput,
    DecisionReasonInput,
    DistributorOutput,
    DistributorSetInput,
    EvidenceFileInput,
    EvidenceFileOutput,
    LabelInput,
    ListingActionsOutput,
    ListingApproveInput,
    ListingCreateInput,
    ListingDetailOutput,
    ListingOutput,
    ListingUpdateInput,
    PriceChangeActionsOutput,
    PriceChangeInput,
    PriceChangeOutput,
)
from procurement.choices import Catalogue, ListingStatus, PriceChangeStatus, PurchaseLabel
from procurement.models import Listing, ListingPriceChange
from procurement.models.evidence import EVIDENCE_FILE_MAX_BYTES
from procurement.selectors import listing_evidence as evidence_selectors
from procurement.selectors import listings as selectors
from procurement.services import labels, listings
from procurement.services import listing_evidence as evidence_services


def _bool(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    return value.lower() in {"1", "true", "yes"}


def _price_change(request, price_change_id: int, *, status_code: int = 200) -> Response:
    change = selectors.listing_price_change_get(actor=request.user, price_change_id=price_change_id)
    return Response(PriceChangeOutput(change).data, status=status_code)


def _detail(request, listing_id: int, *, status_code: int = 200) -> Response:
    listing = selectors.listing_detail(actor=request.user, listing_id=listing_id)
    return Response(ListingDetailOutput(listing).data, status=status_code)


LISTING_FILTERS = [
    OpenApiParameter("status", str, enum=ListingStatus.values),
    OpenApiParameter("catalogue", str, enum=Catalogue.values),
    OpenApiParameter("label", str, enum=PurchaseLabel.values),
    OpenApiParameter("q", str, description="Words in the product or manufacturer name"),
    OpenApiParameter("code", str, description="National code prefix"),
]


# ---------------------------------------------------------------------------------------------
# Listings


class ListingListApi(ListApi):
    """GET: listings the caller may see. POST: a manufacturer's draft application."""

    required_actions = {"GET": "listing.view", "POST": "listing.apply"}
    serializer_class = ListingOutput
    queryset = Listing.objects.none()  # for the schema; rows come from the selector
    filter_backends: list = []

    @extend_schema(
        parameters=[
            *LISTING_FILTERS,
            OpenApiParameter("manufacturer", int),
            OpenApiParameter("price_cut_due", bool, description="Flagged by a reference cut"),
            OpenApiParameter("own", bool, description="Only the caller's organisation's"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        return selectors.listing_list(
            actor=request_actor(self.request),
            status=params.get("status", ""),
            catalogue=params.get("catalogue", ""),
            label=params.get("label", ""),
            q=params.get("q", ""),
            code=params.get("code", ""),
            manufacturer_id=parse_id(params.get("manufacturer")),
            price_cut_due=_bool(params.get("price_cut_due")),
            own=bool(_bool(params.get("own"))),
        )

    @extend_schema(request=ListingCreateInput, responses={201: ListingDetailOutput})
    def post(self, request):
        data = validated(ListingCreateInput, request.data)
        try:
            consumable = catalog_selectors.consumable_get(
                actor=request.user, code=data.pop("consumable_code")
            )
        except NotFoundError:
            raise ValidationError(
                fields={"consumable_code": [_("No product in the catalogue has this code.")]}
            ) from None
        grants = [
            listings.DistributorGrant(g["distributor"], g["region_code"])
            for g in data.pop("distributors")
        ]
        listing = listings.listing_create(
            actor=request.user, consumable_id=consumable.pk, distributors=grants, **data
        )
        return _detail(request, listing.pk, status_code=status.HTTP_201_CREATED)


class ListingAvailableListApi(ListApi):
    """Listings the caller's hospital may order (listed, not Forbidden), with the unit price
    it pays: the listed price or a lower agreed price valid today [R-LIST-PRICE-CAP]."""

    required_action = "listing.view"
    serializer_class = AvailableListingOutput
    queryset = Listing.objects.none()
    filter_backends: list = []

    @extend_schema(parameters=[p for p in LISTING_FILTERS if p.name != "status"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        return selectors.listing_available_list(
            actor=request_actor(self.request),
            q=params.get("q", ""),
            code=params.get("code", ""),
            catalogue=params.get("catalogue", ""),
            label=params.get("label", ""),
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        prices = selectors.listing_unit_prices(actor=request.user, listings=page)
        for listing in page:
            listing.unit_price = prices[listing.pk]
        data = AvailableListingOutput(page, many=True).data
        return self.get_paginated_response(data)


class ListingDetailApi(ApiView):
    """GET: one listing with its criteria and suggested label. PATCH: edit a draft or
    rejected application."""

    required_actions = {"GET": "listing.view", "PATCH": "listing.apply"}

    @extend_schema(responses=ListingDetailOutput)
    def get(self, request, pk: int):
        return _detail(request, pk)

    @extend_schema(request=ListingUpdateInput, responses=ListingDetailOutput)
    def patch(self, request, pk: int):
        data = validated(ListingUpdateInput, request.data)
        listings.listing_update(actor=request.user, listing_id=pk, **data)
        return _detail(request, pk)


class ListingActionsApi(ApiView):
    """What the caller may do with the listing now (core.api.actions): the buttons the
    listing page shows."""

    required_action = "listing.view"

    @extend_schema(responses=ListingActionsOutput)
    def get(self, request, pk: int):
        listing = selectors.listing_detail(actor=request.user, listing_id=pk)
        return Response(
            actions_body(selectors.listing_actions(actor=request.user, listing=listing))
        )


class ListingSubmitApi(ApiView):
    required_action = "listing.apply"

    @extend_schema(request=None, responses=ListingDetailOutput)
    def post(self, request, pk: int):
        listings.listing_submit(actor=request.user, listing_id=pk)
        return _detail(request, pk)


class ListingApproveApi(ApiView):
    """[R-LIST-CATALOGUES] [R-LIST-PRICE-CAP] [R-LIST-GREEN] [R-LIST-OTHER]"""

    required_action = "listing.review"

    @extend_schema(request=ListingApproveInput, responses=ListingDetailOutput)
    def post(self, request, pk: int):
        data = validated(ListingApproveInput, request.data)
        listings.listing_approve(
            actor=request.user,
            listing_id=pk,
            reason=data["reason"],
            provinces_checked=data["provinces_checked"],
        )
        return _detail(request, pk)


class ListingRejectApi(ApiView):
    required_action = "listing.review"

    @extend_schema(request=DecisionReasonInput, responses=ListingDetailOutput)
    def post(self, request, pk: int):
        data = validated(DecisionReasonInput, request.data)
        listings.listing_reject(actor=request.user, listing_id=pk, reason=data["reason"])
        return _detail(request, pk)


class ListingSuspendApi(ApiView):
    required_action = "listing.review"

    @extend_schema(request=DecisionReasonInput, responses=ListingDetailOutput)
    def post(self, request, pk: int):
        data = validated(DecisionReasonInput, request.data)
        listings.listing_suspend(actor=request.user, listing_id=pk, reason=data["reason"])
        return _detail(request, pk)


class ListingReinstateApi(ApiView):
    required_action = "listing.review"

    @extend_schema(request=DecisionNoteInput, responses=ListingDetailOutput)
    def post(self, request, pk: int):
        data = validated(DecisionNoteInput, request.data)
        listings.listing_reinstate(actor=request.user, listing_id=pk, reason=data["reason"])
        return _detail(request, pk)


class ListingDelistApi(ApiView):
    """The bureau delists a listed or suspended product (reason required); the manufacturer
    withdraws its own draft or rejected application."""

    required_action = "listing.view"  # either side: the service checks who may, in which state

    @extend_schema(request=DecisionNoteInput, responses=ListingDetailOutput)
    def post(self, request, pk: int):
        data = validated(DecisionNoteInput, request.data)
        listings.listing_delist(actor=request.user, listing_id=pk, reason=data["reason"])
        return _detail(request, pk)


class ListingLabelApi(ApiView):
    """[R-LABELS] set the purchase label, with a reason."""

    required_action = "listing.review"

    @extend_schema(request=LabelInput, responses=ListingDetailOutput)
    def post(self, request, pk: int):
        data = validated(LabelInput, request.data)
        labels.listing_label_set(actor=request.user, listing_id=pk, **data)
        return _detail(request, pk)


class ListingDistributorsApi(ApiView):
    """GET: the authorised distributors. POST: replace them (the manufacturer)."""

    required_actions = {"GET": "listing.view", "POST": "listing.apply"}

    @extend_schema(responses=DistributorOutput(many=True))
    def get(self, request, pk: int):
        rows = selectors.listing_distributor_list(actor=request.user, listing_id=pk)
        return Response(DistributorOutput(rows, many=True).data)

    @extend_schema(request=DistributorSetInput, responses=DistributorOutput(many=True))
    def post(self, request, pk: int):
        data = validated(DistributorSetInput, request.data)
        rows = listings.listing_distributor_set(
            actor=request.user,
            listing_id=pk,
            grants=[
                listings.DistributorGrant(g["distributor"], g["region_code"])
                for g in data["distributors"]
            ],
        )
        return Response(DistributorOutput(rows, many=True).data)


# ---------------------------------------------------------------------------------------------
# Price changes


class ListingPriceChangeRequestApi(ApiView):
    required_action = "listing.apply"

    @extend_schema(request=PriceChangeInput, responses={201: PriceChangeOutput})
    def post(self, request, pk: int):
        data = validated(PriceChangeInput, request.data)
        change = listings.listing_price_change_request(actor=request.user, listing_id=pk, **data)
        return _price_change(request, change.pk, status_code=status.HTTP_201_CREATED)


class PriceChangeListApi(ListApi):
    required_action = "listing.view"
    serializer_class = PriceChangeOutput
    queryset = ListingPriceChange.objects.none()
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=PriceChangeStatus.values),
            OpenApiParameter("listing", int),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        return selectors.listing_price_change_list(
            actor=request_actor(self.request),
            status=params.get("status", ""),
            listing_id=parse_id(params.get("listing")),
        )


class PriceChangeActionsApi(ApiView):
    """What the caller may do with the price change now (core.api.actions)."""

    required_action = "listing.view"

    @extend_schema(responses=PriceChangeActionsOutput)
    def get(self, request, pk: int):
        change = selectors.listing_price_change_list(actor=request.user).filter(pk=pk).first()
        if change is None:
            raise NotFoundError()
        return Response(
            actions_body(selectors.price_change_actions(actor=request.user, change=change))
        )


class PriceChangeApproveApi(ApiView):
    """[R-LIST-PRICE-CAP] the new price applies; never above the reference price."""

    required_action = "listing.review"

    @extend_schema(request=DecisionNoteInput, responses=PriceChangeOutput)
    def post(self, request, pk: int):
        data = validated(DecisionNoteInput, request.data)
        listings.listing_price_change_approve(
            actor=request.user, price_change_id=pk, reason=data["reason"]
        )
        return _price_change(request, pk)


class PriceChangeRejectApi(ApiView):
    required_action = "listing.review"

    @extend_schema(request=DecisionReasonInput, responses=PriceChangeOutput)
    def post(self, request, pk: int):
        data = validated(DecisionReasonInput, request.data)
        listings.listing_price_change_reject(
            actor=request.user, price_change_id=pk, reason=data["reason"]
        )
        return _price_change(request, pk)


# ---------------------------------------------------------------------------------------------
# Evidence files [R-LIST-OTHER]


class EvidenceFileRenderer(BaseRenderer):
    """Lets a client ask for the file's own type; an error is still JSON."""

    media_type = "*/*"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode() if isinstance(data, (dict, list)) else data


class ListingEvidenceApi(ApiView):
    """GET: the application's evidence files (its supplier and the regulators; others 404).
    POST (multipart/form-data, ``province`` and ``file``): attach one to a draft or rejected
    application; a malformed, disguised or oversized file is refused and nothing is stored."""

    required_actions = {"GET": "listing.view", "POST": "listing.apply"}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=EvidenceFileOutput(many=True))
    def get(self, request, pk: int):
        rows = evidence_selectors.listing_evidence_list(actor=request.user, listing_id=pk)
        return Response(EvidenceFileOutput(rows, many=True).data)

    @extend_schema(
        request={"multipart/form-data": EvidenceFileInput},
        responses={201: EvidenceFileOutput, 413: ErrorSerializer},
    )
    def post(self, request, pk: int):
        data = validated(EvidenceFileInput, request.data)
        upload = data["file"]
        # One byte past the limit is enough to refuse it; never read more into memory.
        content = upload.read(EVIDENCE_FILE_MAX_BYTES + 1)
        evidence = evidence_services.listing_evidence_attach(
            actor=request.user,
            listing_id=pk,
            province_code=data["province"],
            name=upload.name,
            content=content,
        )
        return Response(EvidenceFileOutput(evidence).data, status=status.HTTP_201_CREATED)


class ListingEvidenceDownloadApi(ApiView):
    """The evidence file itself, as an attachment of its type (PDF, PNG or JPEG)."""

    required_action = "listing.view"
    renderer_classes = [JSONRenderer, EvidenceFileRenderer]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="PNG"),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="JPEG"),
        }
    )
    def get(self, request, pk: int, evidence_id: int):
        evidence = evidence_selectors.listing_evidence_get(
            actor=request.user, listing_id=pk, evidence_id=evidence_id
        )
        return attachment_response(
            bytes(evidence.content), content_type=evidence.content_type, name=evidence.name
        )
