"""Domain errors render as the API envelope whatever their ``extra`` holds."""

import json
from decimal import Decimal

from rest_framework.renderers import JSONRenderer

from core.errors import ValidationError


def test_an_error_echoing_a_non_finite_number_still_renders_as_json():
    """A value the client sent (a float that overflowed to inf, a NaN) is echoed as text:
    strict JSON has no inf, and a renderer failure would turn a 400 into a 500."""
    error = ValidationError(value=float("inf"), values=[float("nan"), Decimal("NaN")])

    body = json.loads(JSONRenderer().render(error.as_dict()))

    assert body["extra"] == {"value": "inf", "values": ["nan", "NaN"]}
