"""Serializers of the change feed."""

from __future__ import annotations

from rest_framework import serializers

from procurement.models import Event


class EventOutput(serializers.ModelSerializer):
    cursor = serializers.SerializerMethodField(help_text="Resume after this event.")
    order = serializers.IntegerField(source="order_id", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "cursor",
            "type",
            "order",
            "order_number",
            "entity",
            "entity_id",
            "payload",
            "created_at",
        ]
        read_only_fields = fields

    def get_cursor(self, event: Event) -> str:
        from procurement.selectors.events import encode_cursor, feed_txid

        return encode_cursor(feed_txid(event), event.pk)


class EventPageOutput(serializers.Serializer):
    events = EventOutput(many=True)
    next = serializers.CharField(help_text="Pass as ?after= to get the following events.")
    has_more = serializers.BooleanField(
        help_text="More events are visible now; otherwise poll again later with `next`."
    )
