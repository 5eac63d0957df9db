"""A quality world [R-QUALITY]: the rates world's hospitals, suppliers and bureau, with goods of
one product accepted by hospitals in given lots (delivery lines written in their final state,
as UDI-scanned acceptances leave them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.choices import Role
from accounts.models import Organization
from accounts.tests.factories import HospitalFactory, UserFactory
from core import clock
from procurement.models import DeliveryLine
from procurement.tests.factories import (
    DeliveryFactory,
    DeliveryLineFactory,
    OrderFactory,
    OrderLineFactory,
)
from supervision.services import quality as services
from supervision.tests.rates_world import RatesWorld, make_rates_world


def received(
    w: RatesWorld,
    hospital: Organization,
    lot: str,
    *,
    supplier: Organization | None = None,
    accepted: bool = True,
) -> DeliveryLine:
    """Goods of the world's product (``supplier``'s) of ``lot`` delivered to ``hospital``,
    accepted at the door (or still shipped)."""
    supplier = supplier or w.supplier
    order = OrderFactory(hospital=hospital, supplier=supplier, status="confirmed")
    line = OrderLineFactory(
        order=order, listing=w.listing(supplier, Decimal("10.00")), status="confirmed"
    )
    delivery = DeliveryFactory(
        order=order,
        status="accepted" if accepted else "shipped",
        accepted_at=clock.now() if accepted else None,
    )
    return DeliveryLineFactory(
        delivery=delivery,
        order_line=line,
        quantity=line.quantity,
        accepted_quantity=line.quantity if accepted else 0,
        lot=lot,
    )


def third_hospital(region_code: str = "320104"):
    hospital = HospitalFactory(region_code=region_code, name="秦淮医院")
    return hospital, UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER])


def product(w: RatesWorld, supplier: Organization | None = None):
    return w.listing(supplier or w.supplier, Decimal("10.00")).consumable


def file(w: RatesWorld, *, actor=None, lot="LOTA", severity="general", **kw):
    return services.quality_report_file(
        actor=actor or w.purchaser,
        consumable_id=kw.pop("consumable_id", product(w).pk),
        lot=lot,
        severity=severity,
        occurred_on=kw.pop("occurred_on", clock.local_today() - dt.timedelta(days=1)),
        description=kw.pop("description", "导管在使用中断裂"),
    )


__all__ = ["make_rates_world"]
