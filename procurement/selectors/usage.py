"""Reads for usage records, the consumables used in operations as the hospitals' HIS reported
them [R-TRACE]; always actor-scoped."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from accounts.models import User
from core import permissions
from procurement.models import UsageRecord


def usage_list(
    *,
    actor: User,
    doctor_code: str = "",
    department: str = "",
    operation_id: str = "",
    consumable_id: int | None = None,
    used_from: dt.date | None = None,
    used_to: dt.date | None = None,
    flagged: str = "",
) -> QuerySet:
    """Usage records newest first, with product and brand: two queries a page. ``flagged``:
    ``any`` for the records outside the hospital's catalogue [R-HOSP-CATALOGUE], or one flag
    (``not_admitted``, ``stopped``)."""
    permissions.require(actor, "usage.view")
    qs = UsageRecord.objects.visible_to(actor).select_related(
        "hospital", "consumable", "manufacturer"
    )
    filters = Q()
    if doctor_code:
        filters &= Q(doctor_code=doctor_code)
    if department:
        filters &= Q(department=department)
    if operation_id:
        filters &= Q(operation_id=operation_id)
    if consumable_id:
        filters &= Q(consumable_id=consumable_id)
    if used_from:
        filters &= Q(used_at__date__gte=used_from)
    if used_to:
        filters &= Q(used_at__date__lte=used_to)
    if flagged == "any":
        filters &= ~Q(catalogue_flag="")
    elif flagged:
        filters &= Q(catalogue_flag=flagged)
    return qs.filter(filters).order_by("-used_at", "-id")
