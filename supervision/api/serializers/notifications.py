from __future__ import annotations

from rest_framework import serializers

from supervision.choices import NotificationKind


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    text = serializers.CharField()
    link = serializers.CharField()
    personal = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_personal(self, obj) -> bool:
        return obj.person_id is not None


class UnreadCountOutput(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadAllOutput(serializers.Serializer):
    marked = serializers.IntegerField()
