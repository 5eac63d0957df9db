"""A settlement world for the stateful test (test_settlement_stateful.py), built once through
the real procurement services: a final round whose contract for the order world's hospital
(agreed 80 units of A at 80.00, delivered by distributor D, advance ratio 30%) runs from
2026-04-01 for 100 days, and a pool of invoices for that hospital issued in April and May:
some by D for orders that count toward the contract, some by the manufacturer M for goods it
delivered itself (which do not count), most of them already confirmed by the hospital.

What the test's reference model needs is recorded here as the world was built (the amounts
invoiced, the purchases counting toward the contract by day), never read back later from the
settlement code under test.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import time_machine

from accounts.choices import Role
from accounts.models import Organization, User
from accounts.tests.factories import AgencyFactory, UserFactory, user_with_role
from core.clock import SHANGHAI
from core.money import quantize
from procurement.models import Order
from procurement.services import invoices as invoice_services
from procurement.tests.award_world import AwardWorld, bought, make_award_world, signed
from procurement.tests.emergency_world import bought_last_year
from procurement.tests.order_world import invoiced

CYCLE_START = dt.date(2026, 4, 1)
CYCLE_DAYS = 100
_numbers = itertools.count(1)


@dataclass(frozen=True)
class PoolInvoice:
    pk: int
    supplier: str  # "D" or "M"
    amount: Decimal
    confirmed: bool  # confirmed by the hospital when the world was built


@dataclass
class SettleWorld:
    aw: AwardWorld
    agency: User
    other_finance: User  # finance of another hospital of the region
    round_id: int
    cycle_start: dt.date
    cycle_end: dt.date
    agreed: Decimal  # the contract's agreed amount (quantity x price)
    ratio: Decimal
    invoices: list[PoolInvoice] = field(default_factory=list)
    # (day the order was submitted, amount accepted at the line price): orders counting
    # toward the contract [R-ADVANCE-OFFSET].
    counted: list[tuple[dt.date, Decimal]] = field(default_factory=list)

    @property
    def hospital(self) -> Organization:
        return self.aw.w.hospital

    @property
    def other_hospital(self) -> Organization:
        return self.aw.w.other_hospital

    @property
    def finance(self) -> User:
        return self.aw.w.finance

    def sales(self, supplier: str) -> User:
        return self.aw.w.distributor_sales if supplier == "D" else self.aw.w.sales

    def supplier(self, supplier: str) -> Organization:
        return self.aw.w.distributor if supplier == "D" else self.aw.w.manufacturer


def _number() -> str:
    return f"77{next(_numbers):018d}"


def _by_d(sw: SettleWorld, quantity: int, confirm: bool) -> None:
    """An order of A delivered by D (counting toward the contract), invoiced by D."""
    order: Order = bought(sw.aw, quantity)
    order.refresh_from_db()
    line = order.lines.get()
    amount = quantize(line.unit_price * quantity)
    invoice = invoice_services.invoice_register(
        actor=sw.aw.w.distributor_sales,
        order_id=order.pk,
        number=_number(),
        issued_on=order.submitted_at.astimezone(SHANGHAI).date(),
        amount=str(amount),
        lines=[{"order_line": line.pk, "quantity": quantity, "amount": str(amount)}],
    )
    sw.counted.append((order.submitted_at.astimezone(SHANGHAI).date(), amount))
    _pool(sw, invoice, "D", amount, confirm)


def _by_m(sw: SettleWorld, quantity: int, confirm: bool) -> None:
    """An order of A the manufacturer delivered itself (not toward the contract, whose
    distributor is D), invoiced by M."""
    order, invoice = invoiced(sw.aw.w, quantity, number=_number())
    amount = quantize(order.lines.get().unit_price * quantity)
    _pool(sw, invoice, "M", amount, confirm)


def _pool(sw: SettleWorld, invoice, supplier: str, amount: Decimal, confirm: bool) -> None:
    assert invoice.amount == amount
    if confirm:
        invoice_services.invoice_confirm(actor=sw.finance, invoice_id=invoice.pk)
    sw.invoices.append(PoolInvoice(invoice.pk, supplier, amount, confirm))


def make_settle_world() -> SettleWorld:
    april = dt.datetime(2026, 4, 20, 10, tzinfo=SHANGHAI)
    with time_machine.travel(april, tick=False):
        aw = make_award_world(cycle_start=CYCLE_START, cycle_days=CYCLE_DAYS)
        contract = signed(aw)
        # Last year's platform purchases: the emergency cap's base (3% of it), so that the
        # test's late registrations stay under the cap [R-EMERG-DEDUCT].
        bought_last_year(aw.w.hospital, Decimal("1000000.00"), year=2026)
        sw = SettleWorld(
            aw=aw,
            agency=user_with_role(Role.AGENCY_FINANCE, AgencyFactory(region_code="320100")),
            other_finance=UserFactory(
                organization=aw.w.other_hospital, roles=[Role.HOSPITAL_FINANCE]
            ),
            round_id=contract.round_id,
            cycle_start=contract.cycle_start,
            cycle_end=contract.cycle_end,
            agreed=quantize(contract.agreed_quantity * contract.price),
            ratio=aw.tender.advance_ratio,
        )
        _by_d(sw, 7, confirm=True)
        _by_d(sw, 12, confirm=True)
        _by_m(sw, 3, confirm=True)
        _by_m(sw, 9, confirm=False)
    with time_machine.travel(april + dt.timedelta(days=16), tick=False):
        _by_d(sw, 5, confirm=True)
        _by_d(sw, 30, confirm=True)
        _by_d(sw, 4, confirm=False)
        _by_m(sw, 6, confirm=True)
        _by_m(sw, 11, confirm=True)
        _by_m(sw, 2, confirm=False)
    return sw
