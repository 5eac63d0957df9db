from rest_framework import serializers

from accounts.models import ApiClient, Organization, SecurityEvent, User


class OrganizationOutput(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    region_name = serializers.CharField(source="region_display")

    class Meta:
        model = Organization
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "uscc",
            "region_code",
            "region_name",
            "tier",
            "ownership",
            "insurance_code",
            "is_active",
        ]


class MeOutput(serializers.ModelSerializer):
    organization = OrganizationOutput()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "roles", "organization"]


class ApiClientOutput(serializers.ModelSerializer):
    organization: "serializers.PrimaryKeyRelatedField[Organization]" = (
        serializers.PrimaryKeyRelatedField(read_only=True)
    )
    roles = serializers.ListField(source="user.roles", child=serializers.CharField())

    class Meta:
        model = ApiClient
        fields = [
            "id",
            "name",
            "organization",
            "key_prefix",
            "roles",
            "created_at",
            "revoked_at",
            "last_used_at",
        ]


class ApiClientCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    organization = serializers.IntegerField()
    roles = serializers.ListField(child=serializers.CharField(), required=False)


class ApiClientCreatedOutput(ApiClientOutput):
    key = serializers.CharField(help_text="The secret key. Shown once; store it now.")

    class Meta(ApiClientOutput.Meta):
        fields = [*ApiClientOutput.Meta.fields, "key"]


class SecurityEventOutput(serializers.ModelSerializer):
    class Meta:
        model = SecurityEvent
        fields = [
            "id",
            "at",
            "kind",
            "user",
            "username",
            "organization",
            "roles",
            "ip",
            "path",
            "request_id",
            "object_type",
            "object_id",
            "result",
            "reason",
            "detail",
            "seq",
            "chain_hash",
        ]
