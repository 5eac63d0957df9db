"""Region policy over the API: the same read and edit as the page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core import selectors, services
from core.api.views import ApiView
from core.policy import RULES, RegionPolicy


class RegionPolicyOutput(serializers.ModelSerializer):
    rules = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Null while the region has not saved its own policy (the defaults apply).",
    )

    class Meta:
        model = RegionPolicy
        fields = ["region_code", *RULES, "rules", "updated_at"]

    def get_rules(self, obj) -> dict[str, str]:
        return dict(RULES)


class RegionPolicyInput(serializers.ModelSerializer):
    class Meta:
        model = RegionPolicy
        fields = list(RULES)
        extra_kwargs = {name: {"required": False} for name in RULES}


class RegionPolicyApi(ApiView):
    required_actions = {"GET": "region_policy.view", "PATCH": "region_policy.edit"}
    serializer_class = RegionPolicyOutput

    @extend_schema(responses=RegionPolicyOutput)
    def get(self, request):
        policy = selectors.region_policy_get(actor=request.user)
        return Response(RegionPolicyOutput(policy).data)

    @extend_schema(request=RegionPolicyInput, responses=RegionPolicyOutput)
    def patch(self, request):
        data = RegionPolicyInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        policy = services.region_policy_update(actor=request.user, changes=data.validated_data)
        return Response(RegionPolicyOutput(policy).data)
