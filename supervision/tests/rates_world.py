"""A five-rates world [R-FIVE-RATES]: trade rows written directly in their final state, with
the timestamps a test names (Asia/Shanghai), so that each rate's fixture is a few hand-counted
rows. The flow's services are tested in procurement and settlement; the rates only read."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from accounts.choices import Role
from accounts.models import Organization, User
from accounts.tests.factories import (
    AgencyFactory,
    BureauFactory,
    HospitalFactory,
    OrganizationFactory,
    UserFactory,
)
from core import clock
from core.money import quantize
from procurement.models import Delivery, DeliveryLine, Invoice, InvoiceLine, OrderLine
from procurement.tests.factories import (
    DeliveryFactory,
    DeliveryLineFactory,
    InvoiceFactory,
    ListingFactory,
    OrderFactory,
    OrderLineFactory,
)
from settlement.models import PaymentRequest, PaymentRequestLine

_numbers = itertools.count(1)

NOVEMBER = dt.date(2026, 11, 1)
DECEMBER = dt.date(2026, 12, 1)


def at(day: int, hour: int = 10, minute: int = 0, *, month: int = 11) -> dt.datetime:
    """An instant of 2026 in Asia/Shanghai (November unless told)."""
    year = 2026
    return dt.datetime(year, month, day, hour, minute, tzinfo=clock.SHANGHAI)


@dataclass
class RatesWorld:
    hospital: Organization  # 320106 (Nanjing, Gulou)
    other_hospital: Organization  # 320102 (Nanjing, Xuanwu)
    far_hospital: Organization  # 310101 (Shanghai): outside Nanjing's jurisdiction
    supplier: Organization
    other_supplier: Organization
    bureau: User  # Nanjing 320100
    agency: User
    purchaser: User
    other_purchaser: User
    sales: User
    other_sales: User
    admin: User
    _listings: dict

    def listing(self, supplier: Organization, price: Decimal):
        key = (supplier.pk, price)
        if key not in self._listings:
            self._listings[key] = ListingFactory(
                manufacturer=supplier,
                consumable__manufacturer=supplier,
                price=price,
            )
        return self._listings[key]


def make_rates_world() -> RatesWorld:
    hospital = HospitalFactory(region_code="320106", name="鼓楼医院")
    other = HospitalFactory(region_code="320102", name="玄武医院")
    far = HospitalFactory(region_code="310101", name="黄浦医院")
    supplier = OrganizationFactory(name="甲器械")
    other_supplier = OrganizationFactory(name="乙器械")
    bureau_org = BureauFactory(region_code="320100")
    return RatesWorld(
        hospital=hospital,
        other_hospital=other,
        far_hospital=far,
        supplier=supplier,
        other_supplier=other_supplier,
        bureau=UserFactory(organization=bureau_org, roles=[Role.BUREAU_OFFICER]),
        agency=UserFactory(
            organization=AgencyFactory(region_code="320100"), roles=[Role.AGENCY_FINANCE]
        ),
        purchaser=UserFactory(organization=hospital, roles=[Role.HOSPITAL_PURCHASER]),
        other_purchaser=UserFactory(organization=other, roles=[Role.HOSPITAL_PURCHASER]),
        sales=UserFactory(organization=supplier, roles=[Role.SUPPLIER_SALES]),
        other_sales=UserFactory(organization=other_supplier, roles=[Role.SUPPLIER_SALES]),
        admin=UserFactory(organization=BureauFactory(), roles=[Role.PLATFORM_ADMIN]),
        _listings={},
    )


def order_line(
    w: RatesWorld,
    *,
    quantity: int,
    price: str,
    submitted_at: dt.datetime,
    hospital: Organization | None = None,
    supplier: Organization | None = None,
    urgent: bool = False,
    status: str = "confirmed",
) -> OrderLine:
    supplier = supplier or w.supplier
    order = OrderFactory(
        hospital=hospital or w.hospital,
        supplier=supplier,
        status="confirmed",
        is_urgent=urgent,
        submitted_at=submitted_at,
    )
    return OrderLineFactory(
        order=order,
        listing=w.listing(supplier, Decimal(price)),
        quantity=quantity,
        status=status,
        confirmed_at=submitted_at if status == "confirmed" else None,
    )


def ship(
    line: OrderLine,
    *,
    quantity: int,
    shipped_at: dt.datetime,
    accepted_at: dt.datetime | None = None,
    refused: int = 0,
) -> DeliveryLine:
    delivery = DeliveryFactory(
        order=line.order,
        status="accepted" if accepted_at else "shipped",
        accepted_at=accepted_at,
    )
    Delivery.objects.filter(pk=delivery.pk).update(shipped_at=shipped_at)
    accepted = quantity - refused if accepted_at else 0
    return DeliveryLineFactory(
        delivery=delivery,
        order_line=line,
        quantity=quantity,
        refused_quantity=refused,
        accepted_quantity=accepted,
    )


def goods(
    w: RatesWorld,
    *,
    quantity: int,
    price: str,
    accepted_at: dt.datetime,
    hospital: Organization | None = None,
    supplier: Organization | None = None,
) -> tuple[OrderLine, DeliveryLine]:
    """An order line delivered whole and accepted at ``accepted_at``."""
    line = order_line(
        w,
        quantity=quantity,
        price=price,
        submitted_at=accepted_at - dt.timedelta(days=1),
        hospital=hospital,
        supplier=supplier,
    )
    shipped = ship(
        line,
        quantity=quantity,
        shipped_at=accepted_at - dt.timedelta(hours=2),
        accepted_at=accepted_at,
    )
    return line, shipped


def invoice(*lines: OrderLine, status: str = "confirmed") -> Invoice:
    """An invoice billing the lines' whole quantities."""
    first = lines[0]
    total = sum((quantize(line.unit_price * line.quantity) for line in lines), Decimal(0))
    made = InvoiceFactory(
        order=first.order,
        amount=total,
        status=status,
        number=f"{next(_numbers):020d}",
    )
    for line in lines:
        InvoiceLine.objects.create(
            invoice=made,
            order_line=line,
            quantity=line.quantity,
            amount=quantize(line.unit_price * line.quantity),
        )
    return made


def invoiced(w: RatesWorld, *, quantity: int, price: str, accepted_at: dt.datetime, **kw):
    line, _shipped = goods(w, quantity=quantity, price=price, accepted_at=accepted_at, **kw)
    return invoice(line)


def payment_request(
    w: RatesWorld,
    *invoices: Invoice,
    requested_at: dt.datetime,
    approved_at: dt.datetime | None = None,
    paid_at: dt.datetime | None = None,
    settled_at: dt.datetime | None = None,
    method: str = "escrow",
    disputed: tuple[Invoice, ...] = (),
) -> PaymentRequest:
    """A request for ``invoices`` as far as the timestamps given take it."""
    status = "requested"
    if approved_at:
        status = "approved"
    if paid_at:
        status = "paid"
    if settled_at:
        status = "settled"
    hospital = invoices[0].hospital
    request = PaymentRequest.objects.create(
        number=f"PR-T-{next(_numbers):06d}",
        supplier=invoices[0].issuer,
        hospital=hospital,
        region_code=hospital.region_code,
        status=status,
        amount=sum((i.amount for i in invoices if i not in disputed), Decimal(0)),
        requested_by=w.sales,
        requested_at=requested_at,
        approved_at=approved_at,
        approved_by=w.purchaser if approved_at else None,
        method=method if paid_at else "",
        paid_at=paid_at,
        settled_at=settled_at,
    )
    for item in invoices:
        line_status = "open"
        if item in disputed:
            line_status = "disputed"
        elif settled_at:
            line_status = "paid"
        PaymentRequestLine.objects.create(
            request=request,
            invoice=item,
            amount=item.amount,
            status=line_status,
            paid_at=settled_at if line_status == "paid" else None,
        )
    return request
