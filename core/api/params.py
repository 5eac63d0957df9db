"""What every API view does with its input before calling a service or selector: validate a
body with an input serializer, read ids, dates, flags and status filters from the query
string. A value that does not parse is refused with ``invalid`` and ``extra.fields``, never
ignored (an unknown status would otherwise give an empty list that looks like an answer).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from core.errors import ValidationError


def validated(serializer_class: Any, data: Any) -> Any:
    """The input serializer's ``validated_data``; a shape error is ``invalid`` with fields."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def query_statuses(request: Request, allowed: list[str]) -> list[str]:
    """?status=a,b or ?status=a&status=b; an unknown status is refused, not silently empty."""
    values = [
        part.strip()
        for raw in request.query_params.getlist("status")
        for part in raw.split(",")
        if part.strip()
    ]
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError(fields={"status": [_("Unknown status: %(s)s") % {"s": unknown}]})
    return values


def query_id(request: Request, name: str) -> int | None:
    """An id filter: absent is None, anything but digits is refused."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise ValidationError(fields={name: [_("A valid id is required.")]})
    return int(value)


def query_date(request: Request, name: str) -> dt.date | None:
    """A YYYY-MM-DD filter: absent is None, another format is refused."""
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(fields={name: [_("Give the date as YYYY-MM-DD.")]}) from None


def status_parameter(choices: Any) -> OpenApiParameter:
    """The schema of a ``status`` filter that takes several statuses of ``choices``."""
    return OpenApiParameter(
        "status",
        str,
        description="Filter by status; several as a,b or repeated. One of: "
        + ", ".join(choices.values),
    )
