"""A small procurement world for order tests, and helpers that walk an order through the
flow with the real services (so counters and events are what production would write).

``make_world()`` gives: a hospital in Nanjing (320106) with a purchaser and a finance user, a
manufacturer with a sales user, one listed product with a GS1 UDI-DI, a distributor authorised
for Nanjing (320100) with its sales user, the hospital's annual purchase plan, and a second
hospital with its own purchaser for tenancy tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from accounts.choices import Role
from accounts.models import Organization, User
from accounts.tests.factories import (
    DistributorFactory,
    HospitalFactory,
    OrganizationFactory,
    UserFactory,
)
from catalog.models import DeviceIdentifier
from catalog.tests.factories import DeviceIdentifierFactory
from core import clock
from core.errors import DomainError
from procurement.choices import Catalogue, PurchaseLabel
from procurement.models import Delivery, Invoice, Listing, Order
from procurement.services import deliveries, invoices, orders
from procurement.tests.factories import (
    AnnualPurchasePlanFactory,
    ListingDistributorFactory,
    ListingFactory,
)


@dataclass
class World:
    hospital: Organization
    purchaser: User
    finance: User
    manufacturer: Organization
    sales: User
    distributor: Organization
    distributor_sales: User
    listing: Listing
    device: DeviceIdentifier
    other_hospital: Organization
    other_purchaser: User

    @property
    def di(self) -> str:
        return self.device.di


def make_world(
    *,
    price: Decimal = Decimal("100.00"),
    catalogue: str = Catalogue.CAPPED,
    label: str = PurchaseLabel.NORMAL,
    plan_total: Decimal | None = Decimal("1000000.00"),
) -> World:
    hospital = HospitalFactory(region_code="320106")
    manufacturer = OrganizationFactory()
    listing = ListingFactory(
        manufacturer=manufacturer, price=price, catalogue=catalogue, label=label
    )
    distributor = DistributorFactory()
    ListingDistributorFactory(listing=listing, distributor=distributor, region_code="320100")
    if plan_total is not None:
        AnnualPurchasePlanFactory(hospital=hospital, total=plan_total)
    other_hospital = HospitalFactory(region_code="320106")
    return World(
        hospital=hospital,
        purchaser=UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER]),
        finance=UserFactory(organization=hospital, roles=[Role.HOSPITAL_FINANCE]),
        manufacturer=manufacturer,
        sales=UserFactory(organization=manufacturer, roles=[Role.SUPPLIER_SALES]),
        distributor=distributor,
        distributor_sales=UserFactory(organization=distributor, roles=[Role.SUPPLIER_SALES]),
        listing=listing,
        device=DeviceIdentifierFactory(consumable=listing.consumable),
        other_hospital=other_hospital,
        other_purchaser=UserFactory(organization=other_hospital, roles=[Role.HOSPITAL_PURCHASER]),
    )


def add_listing(w: World, **kwargs: Any) -> Listing:
    """Another listed product of the world's manufacturer (unless told otherwise), with a DI."""
    kwargs.setdefault("manufacturer", w.manufacturer)
    kwargs.setdefault("catalogue", Catalogue.CAPPED)
    listing = ListingFactory(**kwargs)
    DeviceIdentifierFactory(consumable=listing.consumable)
    return listing


def di_of(listing: Listing) -> str:
    return DeviceIdentifier.objects.filter(consumable=listing.consumable).first().di


def gs1(di: str, *, lot: str = "LOT1", expiry: dt.date | None = None, serial: str = "") -> str:
    """A GS1 UDI in human-readable form: (01) GTIN, (17) expiry, (10) lot, (21) serial."""
    expiry = expiry or clock.local_today() + dt.timedelta(days=365)
    text = f"(01){di}(17){expiry:%y%m%d}(10){lot}"
    return text + (f"(21){serial}" if serial else "")


def patient_hash(case_number: str = "ZY2026-000123") -> str:
    return hashlib.sha256(f"salt:{case_number}".encode()).hexdigest()


def promised() -> dt.date:
    return clock.local_today() + dt.timedelta(days=3)


# --- Walking an order through the flow -------------------------------------------------------


def draft(w: World, quantity: int = 10, listing: Listing | None = None) -> Order:
    lines = [{"listing": (listing or w.listing).pk, "quantity": quantity}]
    return orders.order_create(department="骨科", actor=w.purchaser, lines=lines)[0]


def submitted(w: World, quantity: int = 10) -> Order:
    order = draft(w, quantity)
    return orders.order_submit(actor=w.purchaser, order_id=order.pk)


def confirmed(w: World, quantity: int = 10, distributor: bool = False) -> Order:
    order = submitted(w, quantity)
    answers = [
        {"line": line.pk, "decision": "confirm", "promised_on": promised()}
        for line in order.lines.all()
    ]
    return orders.order_respond(
        actor=w.sales,
        order_id=order.pk,
        answers=answers,
        distributor_id=w.distributor.pk if distributor else None,
    )


def shipped(w: World, quantity: int = 10, deliver: int | None = None) -> tuple[Order, Delivery]:
    order = confirmed(w, quantity)
    line = order.lines.get()
    delivery = deliveries.delivery_create(
        actor=w.sales,
        order_id=order.pk,
        lines=[{"order_line": line.pk, "quantity": deliver or quantity, "barcode": gs1(w.di)}],
    )
    return order, delivery


def accepted(w: World, quantity: int = 10, refused: int = 0) -> tuple[Order, Delivery]:
    order, delivery = shipped(w, quantity)
    line = delivery.lines.get()
    deliveries.delivery_accept(
        actor=w.purchaser,
        delivery_id=delivery.pk,
        lines=[
            {
                "delivery_line": line.pk,
                "accepted_quantity": quantity - refused,
                "refused_quantity": refused,
                "reason": "破损" if refused else "",
            }
        ],
    )
    return order, delivery


def invoiced(
    w: World, quantity: int = 10, number: str = "144031900111-00000001"
) -> tuple[Order, Invoice]:
    order, _delivery = accepted(w, quantity)
    line = order.lines.get()
    amount = str(line.unit_price * quantity)
    invoice = invoices.invoice_register(
        actor=w.sales,
        order_id=order.pk,
        number=number,
        issued_on=clock.local_today(),
        amount=amount,
        lines=[{"order_line": line.pk, "quantity": quantity, "amount": amount}],
    )
    return order, invoice


def state() -> dict[str, Any]:
    """Everything a refused request must leave as it was: row counts, every order's and
    line's status and counters, every delivery's and invoice's status."""
    from procurement.models import (
        DeliveryLine,
        Event,
        InvoiceLine,
        OrderLine,
        ReturnRecord,
        UsageRecord,
    )

    counters = [
        "status",
        "unit_price",
        "amount",
        "delivered_quantity",
        "accepted_quantity",
        "refused_quantity",
        "returned_quantity",
        "invoiced_quantity",
    ]
    return {
        "counts": [
            model.objects.count()
            for model in (
                Order,
                OrderLine,
                Delivery,
                DeliveryLine,
                Invoice,
                InvoiceLine,
                ReturnRecord,
                UsageRecord,
                Event,
            )
        ],
        "orders": list(Order.objects.order_by("pk").values_list("status", "total", "distributor")),
        "lines": list(OrderLine.objects.order_by("pk").values_list(*counters)),
        "deliveries": list(Delivery.objects.order_by("pk").values_list("status")),
        "delivery_lines": list(
            DeliveryLine.objects.order_by("pk").values_list(
                "accepted_quantity", "refused_quantity", "returned_quantity"
            )
        ),
        "invoices": list(Invoice.objects.order_by("pk").values_list("status")),
    }


def refused(call, code: str, **kwargs) -> DomainError:
    """Run ``call(**kwargs)``, expect DomainError ``code``, and assert that nothing changed
    (:func:`state`); return the error for a test to check its ``extra``."""
    before = state()
    with pytest.raises(DomainError) as error:
        call(**kwargs)
    assert error.value.code == code, error.value.as_dict()
    assert state() == before
    return error.value
