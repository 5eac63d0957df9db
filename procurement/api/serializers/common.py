"""Fields and brief outputs every procurement serializer shares: raw quantities and amounts
(checked by the services, so the API, the pages and the services' tests get the same error
code), and the brief organisation and product shapes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from accounts.models import Organization
from catalog.models import Consumable
from core.api.fields import MoneyField
from procurement.selectors.orders import MAX_QUANTITY


class OrganizationBriefOutput(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name"]


class ConsumableBriefOutput(serializers.ModelSerializer):
    class Meta:
        model = Consumable
        fields = [
            "id",
            "code",
            "generic_name",
            "product_name",
            "specification",
            "model",
            "unit",
            "registration_number",
        ]


class RawIntegerField(serializers.Field):
    """A whole number, checked by the service (``quantity_invalid``). ``minimum`` is what the
    service accepts: 1 for a quantity, 0 for a count such as refused units."""

    def __init__(self, *, minimum: int = 1, **kwargs: Any) -> None:
        self.minimum = minimum
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class RawIntegerFieldSchema(OpenApiSerializerFieldExtension):
    target_class = RawIntegerField

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "integer",
            "minimum": self.target.minimum,
            "maximum": MAX_QUANTITY,
            "example": 2,
        }


class RawAmountField(MoneyField):
    """A CNY amount (MoneyField's schema), passed on as sent: core.money.parse_amount checks it
    in the service (``amount_invalid``; JSON numbers are refused)."""

    def to_internal_value(self, data: Any) -> Any:
        return data
