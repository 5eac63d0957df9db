from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts import selectors, services
from accounts.api.serializers import (
    ApiClientCreatedOutput,
    ApiClientCreateInput,
    ApiClientOutput,
    MeOutput,
    OrganizationOutput,
    SecurityEventOutput,
)
from accounts.models import Organization, SecurityEvent
from core.api.views import ApiView, ListApi


class MeApi(ApiView):
    @extend_schema(responses=MeOutput)
    def get(self, request):
        return Response(MeOutput(request.user).data)


class OrganizationListApi(ListApi):
    required_action = "organization.view"
    serializer_class = OrganizationOutput
    queryset = Organization.objects.none()  # for the schema; rows come from the selector
    filterset_fields = ["kind", "region_code", "tier"]

    def get_queryset(self):
        return selectors.organization_list(actor=self.request.user)


class OrganizationDetailApi(ApiView):
    required_action = "organization.view"

    @extend_schema(responses=OrganizationOutput)
    def get(self, request, pk: int):
        org = selectors.organization_get(actor=request.user, organization_id=pk)
        return Response(OrganizationOutput(org).data)


class ApiClientListCreateApi(ApiView):
    required_actions = {"GET": "api_client.view", "POST": "api_client.manage"}
    # The key is shown in the 201 response only: never stored for Idempotency-Key replays.
    secret_fields = ("key",)

    @extend_schema(responses=ApiClientOutput(many=True))
    def get(self, request):
        clients = selectors.api_client_list(actor=request.user)
        return Response(ApiClientOutput(clients, many=True).data)

    @extend_schema(request=ApiClientCreateInput, responses={201: ApiClientCreatedOutput})
    def post(self, request):
        data = ApiClientCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        org = selectors.organization_get(
            actor=request.user, organization_id=data.validated_data["organization"]
        )
        issued = services.api_client_create(
            actor=request.user,
            organization=org,
            name=data.validated_data["name"],
            roles=data.validated_data.get("roles"),
        )
        body = ApiClientOutput(issued.client).data
        body["key"] = issued.key
        return Response(body, status=status.HTTP_201_CREATED)


class ApiClientRevokeApi(ApiView):
    required_action = "api_client.manage"

    @extend_schema(request=None, responses=ApiClientOutput)
    def post(self, request, pk: int):
        client = services.api_client_revoke(actor=request.user, client_id=pk)
        return Response(ApiClientOutput(client).data)


class SecurityEventListApi(ListApi):
    required_action = "security_event.view"
    serializer_class = SecurityEventOutput
    queryset = SecurityEvent.objects.none()  # for the schema; rows come from the selector
    filterset_fields = ["kind", "organization"]

    def get_queryset(self):
        return selectors.security_event_list_unscoped(actor=self.request.user)
