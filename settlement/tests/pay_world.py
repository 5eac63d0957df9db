"""A payment world: the order world (procurement/tests/order_world.py) with confirmed invoices,
the agency and bureau of Nanjing, and helpers walking a payment request through the flow with
the real services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from accounts.choices import Role
from accounts.models import User
from accounts.tests.factories import AgencyFactory, BureauFactory, UserFactory
from procurement.models import Invoice
from procurement.services import invoices as invoice_services
from procurement.tests.order_world import World, invoiced, make_world
from settlement.models import PaymentRequest
from settlement.services import payments

_numbers = itertools.count(1)


@dataclass
class PayWorld:
    w: World
    agency: User
    bureau: User

    @property
    def sales(self) -> User:
        return self.w.sales

    @property
    def finance(self) -> User:
        return self.w.finance


def make_pay_world() -> PayWorld:
    w = make_world()
    agency_org = AgencyFactory(region_code="320100")
    bureau_org = BureauFactory(region_code="320100")
    return PayWorld(
        w=w,
        agency=UserFactory(organization=agency_org, roles=[Role.AGENCY_FINANCE]),
        bureau=UserFactory(organization=bureau_org, roles=[Role.BUREAU_OFFICER]),
    )


def confirmed_invoice(pw: PayWorld, quantity: int = 10) -> Invoice:
    """An accepted delivery (with a scanned UDI) invoiced and confirmed by the hospital."""
    _order, invoice = invoiced(pw.w, quantity, number=f"{next(_numbers):020d}")
    return invoice_services.invoice_confirm(actor=pw.finance, invoice_id=invoice.pk)


def requested(pw: PayWorld, *invoices: Invoice) -> PaymentRequest:
    chosen = invoices or (confirmed_invoice(pw),)
    return payments.payment_request_create(actor=pw.sales, invoice_ids=[i.pk for i in chosen])


def approved(pw: PayWorld, *invoices: Invoice) -> PaymentRequest:
    request = requested(pw, *invoices)
    return payments.payment_request_approve(actor=pw.finance, request_id=request.pk)


def paid(pw: PayWorld, *invoices: Invoice, reference: str | None = None) -> PaymentRequest:
    request = approved(pw, *invoices)
    return payments.payment_request_pay(
        actor=pw.finance,
        request_id=request.pk,
        transfer_reference=reference or f"TR{request.pk:08d}",
    )
