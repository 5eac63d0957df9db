"""Serializer fields every app's API shares, with the OpenAPI schema each one declares.

Money is declared here once: a CNY amount (core.money) travels as a decimal string with two
places, ``"1234.50"``, never as a JSON number, in requests and in responses alike. Clients
generate code from the schema, so the declaration must be what the server sends.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from core.money import (
    DECIMAL_PLACES,
    MAX_DIGITS,
    RATIO_DECIMAL_PLACES,
    RATIO_MAX_DIGITS,
    AmountInvalidError,
    parse_amount,
)

_WHOLE = MAX_DIGITS - DECIMAL_PLACES
# What the server sends: always both decimals ("700.00"), as numeric(18, 2)::text does too.
MONEY_RESPONSE_PATTERN = rf"^-?[0-9]{{1,{_WHOLE}}}\.[0-9]{{{DECIMAL_PLACES}}}$"
# What a client sends: a plain string, cents optional ("700", "700.5", "700.50").
MONEY_REQUEST_PATTERN = rf"^[0-9]{{1,{_WHOLE}}}(\.[0-9]{{1,{DECIMAL_PLACES}}})?$"
MONEY_REQUEST_PATTERN_SIGNED = rf"^-?[0-9]{{1,{_WHOLE}}}(\.[0-9]{{1,{DECIMAL_PLACES}}})?$"


class MoneyField(serializers.DecimalField):
    """A CNY amount: out as a decimal string with two places; in as a string parsed by
    core.money.parse_amount, which refuses JSON numbers (a float has already lost the cents),
    a third decimal, negative amounts (unless ``allow_negative``) and more digits than the
    money column holds, with the field error code ``amount_invalid``."""

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        self.allow_negative = allow_negative
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        try:
            return parse_amount(data, allow_negative=self.allow_negative)
        except AmountInvalidError as error:
            raise serializers.ValidationError(error.message, code=error.code) from None


class MoneyFieldSchema(OpenApiSerializerFieldExtension):
    """The one OpenAPI declaration of money, for MoneyField and its subclasses."""

    target_class = MoneyField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            pattern = MONEY_RESPONSE_PATTERN
        elif self.target.allow_negative:
            pattern = MONEY_REQUEST_PATTERN_SIGNED
        else:
            pattern = MONEY_REQUEST_PATTERN
        return {"type": "string", "format": "decimal", "pattern": pattern, "example": "1234.50"}


class RatioField(serializers.DecimalField):
    """A share between 0 and 1 (core.money.ratio_field), as a decimal string: "0.1500"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(max_digits=RATIO_MAX_DIGITS, decimal_places=RATIO_DECIMAL_PLACES, **kwargs)
