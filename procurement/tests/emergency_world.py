"""Helpers for emergency purchase tests: last year's platform purchases of a hospital, a frozen
day, and a registration with sensible defaults."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine

from catalog.tests.factories import ConsumableFactory
from core.clock import SHANGHAI
from procurement.services import emergency, purchase_totals
from procurement.tests.factories import OrderFactory, OrderLineFactory


def bought_last_year(hospital, total: Decimal, *, year: int) -> None:
    """One submitted order of ``total`` in ``year`` - 1: the cap's base."""
    order = OrderFactory(
        hospital=hospital,
        status="submitted",
        submitted_at=dt.datetime(year - 1, 6, 1, 10, tzinfo=SHANGHAI),
    )
    OrderLineFactory(order=order, quantity=1, unit_price=total, amount=total)
    # Made by factories, not the order services: bring the running totals up to date.
    purchase_totals.purchase_totals_rebuild(hospital_ids=[hospital.pk])


def on(day: dt.date):
    """Freeze the clock at noon of ``day`` in Asia/Shanghai."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=SHANGHAI), tick=False)


def register(actor, *, bought_on, price="100.00", quantity=1, product=None, **kwargs):
    product = product or ConsumableFactory()
    fields = {
        "bought_on": bought_on,
        "reason": "急诊手术，平台无货",
        "approver_name": "王主任",
        "approver_role": "分管副院长",
        "lines": [
            {
                "consumable_id": product.pk,
                "supplier_name": "南京某医疗器械有限公司",
                "unit_price": str(price) if isinstance(price, Decimal) else price,
                "quantity": quantity,
            }
        ],
    }
    fields.update(kwargs)
    return emergency.emergency_purchase_register(actor=actor, **fields)
