"""Reads of quality reports [R-QUALITY], actor-scoped but where named ``*_unscoped``: the
reports (the bureau its region's, by product and by supplier with counts; a hospital its own;
a supplier those on its products), the lot notices addressed to a hospital, who accepted goods
of a lot, and what an actor may do with a report."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from catalog.models import Consumable
from core import permissions
from core.actions import Actions, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError
from procurement.choices import DeliveryStatus
from procurement.models import DeliveryLine
from supervision.choices import QUALITY_STATES, QualityAction, QualityStatus
from supervision.models import LotNotice, QualityReport

RECEIVED = (DeliveryStatus.ACCEPTED, DeliveryStatus.PARTIALLY_ACCEPTED)


def _require(actor: User, action: str) -> None:
    if not permissions.can(actor, action):
        raise PermissionDeniedError(action=action)


def received_lines_unscoped(
    *, consumable_id: int, lot: str = "", hospital_id: int | None = None
) -> QuerySet[DeliveryLine]:
    """Delivery lines of the product whose goods a hospital accepted at the door (scanned, the
    UDI's lot kept on the line): of one ``lot`` and one hospital when given."""
    rows = DeliveryLine.objects.filter(
        order_line__consumable_id=consumable_id,
        accepted_quantity__gt=0,
        delivery__status__in=RECEIVED,
    )
    if lot:
        rows = rows.filter(lot=lot)
    if hospital_id is not None:
        rows = rows.filter(delivery__order__hospital_id=hospital_id)
    return rows


def lot_receivers_unscoped(*, consumable_id: int, lot: str) -> list[int]:
    """[R-QUALITY] the hospitals that accepted goods of ``lot`` of the product, by id."""
    return sorted(
        set(
            received_lines_unscoped(consumable_id=consumable_id, lot=lot).values_list(
                "delivery__order__hospital_id", flat=True
            )
        )
    )


def quality_report_list(
    *,
    actor: User,
    status: list[str] | None = None,
    severity: str = "",
    consumable_id: int | None = None,
    supplier_id: int | None = None,
) -> QuerySet[QualityReport]:
    _require(actor, "quality_report.view")
    rows = QualityReport.objects.visible_to(actor).select_related(
        "consumable", "hospital", "supplier"
    )
    if status:
        rows = rows.filter(status__in=status)
    if severity:
        rows = rows.filter(severity=severity)
    if consumable_id is not None:
        rows = rows.filter(consumable_id=consumable_id)
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    return rows


def quality_report_get(*, actor: User, report_id: int) -> QualityReport:
    found = quality_report_list(actor=actor).filter(pk=report_id).first()
    if found is None:
        raise NotFoundError()
    return found


COUNT_BY = {
    "product": ("consumable_id", "consumable__product_name"),
    "supplier": ("supplier_id", "supplier__name"),
}


def quality_report_counts(*, actor: User, by: str, rows: QuerySet | None = None) -> list[dict]:
    """The reports the actor may see, counted by ``product`` or ``supplier``: ``{id, name,
    total, filed, confirmed, serious}``, most reports first."""
    key, name = COUNT_BY[by]
    rows = quality_report_list(actor=actor) if rows is None else rows
    counted = (
        rows.order_by()
        .values(key, name)
        .annotate(
            total=Count("pk"),
            filed=Count("pk", filter=Q(status=QualityStatus.FILED)),
            confirmed=Count("pk", filter=Q(status=QualityStatus.CONFIRMED)),
            serious=Count("pk", filter=Q(severity__in=["serious", "critical"])),
        )
        .order_by("-total", key)
    )
    return [
        {
            "id": row[key],
            "name": row[name],
            "total": row["total"],
            "filed": row["filed"],
            "confirmed": row["confirmed"],
            "serious": row["serious"],
        }
        for row in counted
    ]


def lot_notice_list(*, actor: User) -> QuerySet[LotNotice]:
    """The lot notices addressed to the actor's hospital (a dismissed report's still listed,
    marked so)."""
    _require(actor, "lot_notice.view")
    return LotNotice.objects.visible_to(actor).select_related("report__consumable")


def lot_notice_get(*, actor: User, notice_id: int) -> LotNotice:
    found = lot_notice_list(actor=actor).filter(pk=notice_id).first()
    if found is None:
        raise NotFoundError()
    return found


def _state_check(report: QualityReport, action: str) -> Callable[[], None]:
    return lambda: QUALITY_STATES.check(report, action)


def quality_report_actions(*, actor: User, report: QualityReport) -> Actions:
    """What the actor may do with the report: the bureau confirms or dismisses a filed one."""
    return Actions(
        [
            verdict(
                action, role_check(actor, "quality_report.decide"), _state_check(report, action)
            )
            for action in (QualityAction.CONFIRM, QualityAction.DISMISS)
        ]
    )


def received_products_unscoped(*, hospital_id: int) -> list[tuple[int, str]]:
    """The products a hospital accepted goods of, ``(id, label)``: what it may report on."""
    ids = DeliveryLine.objects.filter(
        delivery__order__hospital_id=hospital_id,
        accepted_quantity__gt=0,
        delivery__status__in=RECEIVED,
    ).values("order_line__consumable_id")
    return [
        (c.pk, f"{c.product_name} · {c.code}")
        for c in Consumable.objects.filter(pk__in=ids).order_by("product_name", "pk")
    ]
