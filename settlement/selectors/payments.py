"""Reads of the payment flow [R-ESCROW] [R-PAY-30] [R-DIRECT], always actor-scoped but where
named ``*_unscoped``. The rules stated once, for the services, pages, API and home cards:

- ``three_flows_check`` [R-ESCROW]: escrow releases only what the order, its UDI-scanned
  acceptance and the invoice agree on (三流合一): each invoice line's amount is its quantity at
  the order line's unit price; the invoices of an order line bill no more than the quantity
  accepted with a scanned UDI, minus returns; the invoice's amount is its lines' sum; and the
  amount requested is the invoice's amount. A mismatch names the invoice, where, what and the
  figures.
- ``payment_due_list`` / ``payment_overdue_list`` [R-PAY-30]: the clock runs per invoice, from
  the last acceptance of the goods it bills to the supplier being paid; it is due
  ``payment_deadline_days`` (region policy, seed 30) after, and overdue from the day after.
- ``payment_request_actions``: what an actor may do with a request now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Concat, Greatest, Substr

from accounts.models import User
from core import clock
from core.actions import Actions, Allowed, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError
from core.money import ZERO, format_cny, quantize
from core.policy import RegionPolicy, policy_for
from procurement.choices import InvoiceStatus
from procurement.models import Delivery, DeliveryLine, Invoice, InvoiceLine
from settlement.choices import (
    PAYMENT_REQUEST_STATES,
    PaymentLineStatus,
    PaymentRequestAction,
    PaymentRequestStatus,
)
from settlement.errors import DirectSettlementDisabledError, ThreeFlowsMismatchError
from settlement.models import (
    DirectSettlement,
    PaymentRequest,
    PaymentRequestLine,
    SettlementBatch,
)

# ---------------------------------------------------------------------------------------------
# Three flows in one [R-ESCROW]


@dataclass(frozen=True)
class Mismatch:
    """One disagreement between the order, the acceptance and the invoice."""

    invoice: str
    where: str
    what: str
    figures: str

    def error(self) -> ThreeFlowsMismatchError:
        return ThreeFlowsMismatchError(
            invoice=self.invoice, where=self.where, what=self.what, figures=self.figures
        )


_LINE_MISMATCHES = """
WITH req AS (SELECT DISTINCT unnest(%(ids)s::bigint[]) AS invoice_id),
il AS (
    SELECT il.id, il.invoice_id, il.order_line_id, il.quantity, il.amount
    FROM {invoiceline} il JOIN req USING (invoice_id)),
ols AS (SELECT DISTINCT order_line_id FROM il),
kept AS (
    SELECT dl.order_line_id, sum(dl.accepted_quantity - dl.returned_quantity) AS n
    FROM {deliveryline} dl JOIN ols USING (order_line_id)
    WHERE dl.udi_di <> ''
    GROUP BY dl.order_line_id),
billed AS (
    SELECT x.order_line_id, sum(x.quantity) AS n
    FROM {invoiceline} x JOIN ols USING (order_line_id)
    JOIN {invoice} i ON i.id = x.invoice_id
    WHERE i.status <> %(rejected)s
    GROUP BY x.order_line_id)
SELECT i.number, c.product_name, il.quantity, ol.unit_price, il.amount,
    coalesce(k.n, 0), coalesce(b.n, 0)
FROM il
JOIN {invoice} i ON i.id = il.invoice_id
JOIN {orderline} ol ON ol.id = il.order_line_id
JOIN {consumable} c ON c.id = ol.consumable_id
LEFT JOIN kept k ON k.order_line_id = il.order_line_id
LEFT JOIN billed b ON b.order_line_id = il.order_line_id
WHERE il.amount <> round(ol.unit_price * il.quantity, 2) OR coalesce(b.n, 0) > coalesce(k.n, 0)
ORDER BY il.invoice_id, il.id
"""

_INVOICE_MISMATCHES = """
WITH req AS (
    SELECT * FROM unnest(%(ids)s::bigint[], %(amounts)s::numeric[]) AS r(invoice_id, requested)),
sums AS (
    SELECT il.invoice_id, sum(il.amount) AS total
    FROM {invoiceline} il WHERE il.invoice_id IN (SELECT invoice_id FROM req)
    GROUP BY il.invoice_id)
SELECT i.id, i.number, i.amount, coalesce(s.total, 0)
FROM req JOIN {invoice} i ON i.id = req.invoice_id
LEFT JOIN sums s ON s.invoice_id = i.id
WHERE coalesce(s.total, 0) <> i.amount OR req.requested <> i.amount
"""


def _tables() -> dict[str, str]:
    from catalog.models import Consumable
    from procurement.models import OrderLine

    return {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (
            ("invoice", Invoice),
            ("invoiceline", InvoiceLine),
            ("orderline", OrderLine),
            ("deliveryline", DeliveryLine),
            ("consumable", Consumable),
        )
    }


def three_flows_mismatches(requested: dict[int, Decimal]) -> list[Mismatch]:
    """[R-ESCROW] every disagreement of the invoices ``{invoice_id: amount requested}`` with
    their orders and UDI-scanned acceptances, in two queries whatever the number of invoices:
    the comparisons run in PostgreSQL (the ids and amounts passed as arrays), and only the
    rows that disagree come back. Per invoice line, then per invoice, in invoice order."""
    from django.utils.translation import gettext as _

    if not requested:
        return []
    ids = list(requested)
    tables = _tables()
    found: list[Mismatch] = []
    with connection.cursor() as cursor:
        cursor.execute(
            _LINE_MISMATCHES.format(**tables),
            {"ids": ids, "rejected": InvoiceStatus.REJECTED.value},
        )
        line_rows = cursor.fetchall()
        cursor.execute(
            _INVOICE_MISMATCHES.format(**tables),
            {"ids": ids, "amounts": [requested[pk] for pk in ids]},
        )
        invoice_rows = {row[0]: row[1:] for row in cursor.fetchall()}
    for number, product, quantity, price, amount, kept, billed in line_rows:
        expected = quantize(price * quantity)
        if amount != expected:
            found.append(
                Mismatch(
                    number,
                    product,
                    _("the invoice line does not match the order's price"),
                    _("%(quantity)s x %(price)s = %(expected)s, invoiced %(amount)s")
                    % {
                        "quantity": quantity,
                        "price": format_cny(price),
                        "expected": format_cny(expected),
                        "amount": format_cny(amount),
                    },
                )
            )
        if billed > kept:
            found.append(
                Mismatch(
                    number,
                    product,
                    _("more is invoiced than was accepted with a scanned UDI"),
                    _("invoiced %(billed)s, accepted with UDI %(kept)s")
                    % {"billed": billed, "kept": kept},
                )
            )
    for invoice_id, amount in requested.items():
        if invoice_id not in invoice_rows:
            continue
        number, invoice_amount, line_sum = invoice_rows[invoice_id]
        if line_sum != invoice_amount:
            found.append(
                Mismatch(
                    number,
                    _("invoice total"),
                    _("the invoice's lines do not add up to its amount"),
                    _("lines %(sum)s, invoice %(amount)s")
                    % {"sum": format_cny(line_sum), "amount": format_cny(invoice_amount)},
                )
            )
        if amount != invoice_amount:
            found.append(
                Mismatch(
                    number,
                    _("payment request"),
                    _("the amount requested is not the invoice's amount"),
                    _("requested %(requested)s, invoice %(amount)s")
                    % {"requested": format_cny(amount), "amount": format_cny(invoice_amount)},
                )
            )
    return found


def three_flows_check(requested: dict[int, Decimal]) -> None:
    """[R-ESCROW] refuse (ThreeFlowsMismatchError, the first mismatch) unless the order, the
    UDI-scanned acceptance and the invoice agree on every amount requested."""
    found = three_flows_mismatches(requested)
    if found:
        raise found[0].error()


# ---------------------------------------------------------------------------------------------
# The 30-day clock [R-PAY-30]


def _deadline_days() -> Subquery | Coalesce:
    """The invoice's hospital's ``payment_deadline_days``: its district's, city's or province's
    policy, or the seed default (policy_for, as one SQL expression)."""
    region = OuterRef("hospital__region_code")

    def days(code) -> Subquery:
        return Subquery(
            RegionPolicy.objects.filter(region_code=code).values("payment_deadline_days")[:1],
            output_field=IntegerField(),
        )

    default = RegionPolicy._meta.get_field("payment_deadline_days").default
    return Coalesce(
        days(region),
        days(Concat(Substr(region, 1, 4), Value("00"))),
        days(Concat(Substr(region, 1, 2), Value("0000"))),
        Value(default),
        output_field=IntegerField(),
    )


def _unpaid_invoices(actor: User) -> QuerySet[Invoice]:
    paid = PaymentRequestLine.objects.filter(
        invoice_id=OuterRef("pk"), status=PaymentLineStatus.PAID
    )
    return (
        Invoice.objects.visible_to(actor)
        .exclude(status=InvoiceStatus.REJECTED)
        .annotate(paid=Exists(paid))
        .filter(paid=False)
    )


def payment_clock(qs: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotate each invoice with ``accepted_at`` (the last acceptance of the goods it bills),
    ``deadline_days`` and ``due_at`` [R-PAY-30]."""
    accepted = (
        DeliveryLine.objects.filter(order_line__invoice_lines__invoice_id=OuterRef("pk"))
        .values("order_line__invoice_lines__invoice_id")
        .annotate(last=Max("delivery__accepted_at"))
        .values("last")[:1]
    )
    return qs.annotate(accepted_at=Subquery(accepted), deadline_days=_deadline_days()).annotate(
        due_at=ExpressionWrapper(
            F("accepted_at") + F("deadline_days") * dt.timedelta(days=1),
            output_field=DateTimeField(),
        )
    )


def _longest_payment_deadline_days() -> Greatest:
    """The largest ``payment_deadline_days`` any hospital can have (a region's or the seed's),
    as one SQL expression."""
    default = RegionPolicy._meta.get_field("payment_deadline_days").default
    days = RegionPolicy.objects.order_by("-payment_deadline_days").values("payment_deadline_days")[
        :1
    ]
    return Greatest(
        Coalesce(Subquery(days, output_field=IntegerField()), Value(default)),
        Value(default),
        output_field=IntegerField(),
    )


def payment_overdue_list(*, actor: User, today: dt.date | None = None) -> QuerySet[Invoice]:
    """[R-PAY-30] the invoices the actor may see whose supplier is not paid
    ``payment_deadline_days`` after the goods were accepted: due on the accepted day + N
    (Asia/Shanghai), overdue from the day after, oldest acceptance first. The hospital, the
    supplier and the bureau and agency of the region each see theirs.

    Bounded: the last acceptance of an invoice's goods is never after its order's last
    accepted delivery, so an invoice whose order has no delivery accepted within the largest
    deadline before today is overdue without computing it (one index probe of its order's
    deliveries); only the others' last acceptance is computed, per invoice. An invoice counts
    only once its order has an accepted delivery (it bills accepted goods)."""
    day = today or clock.local_today()
    start_of_today = dt.datetime.combine(day, dt.time.min, tzinfo=clock.SHANGHAI)
    window = ExpressionWrapper(
        Value(start_of_today) - _longest_payment_deadline_days() * dt.timedelta(days=1),
        output_field=DateTimeField(),
    )
    recent = Delivery.objects.filter(order_id=OuterRef("order_id"), accepted_at__gte=window)
    accepted = Delivery.objects.filter(order_id=OuterRef("order_id"), accepted_at__isnull=False)
    return (
        payment_clock(_unpaid_invoices(actor))
        .filter(Exists(accepted))
        # Q: the annotations of payment_clock, which the type checker does not see.
        .filter(~Exists(recent) | Q(due_at__lt=start_of_today))
        .select_related("hospital", "issuer", "order")
        .order_by(F("accepted_at").asc(), "pk")
    )


def due_on(invoice: Invoice) -> dt.date | None:
    """The last day the supplier may be paid on time [R-PAY-30] (an annotated invoice)."""
    accepted_at = getattr(invoice, "accepted_at", None)
    if accepted_at is None:
        return None
    days = (
        getattr(invoice, "deadline_days", None)
        or policy_for(invoice.hospital.region_code).payment_deadline_days
    )
    return clock.to_local(accepted_at).date() + dt.timedelta(days=days)


# ---------------------------------------------------------------------------------------------
# Requests, lines, batches


def payable_invoice_list(*, actor: User) -> QuerySet[Invoice]:
    """The supplier's confirmed invoices not in a live payment request: what it may request
    payment for now (as issuer)."""
    org_id = getattr(actor, "organization_id", None)
    live = PaymentRequestLine.objects.filter(invoice_id=OuterRef("pk")).exclude(
        status=PaymentLineStatus.DISPUTED
    )
    return (
        Invoice.objects.visible_to(actor)
        .filter(status=InvoiceStatus.CONFIRMED, issuer_id=org_id)
        .annotate(requested=Exists(live))
        .filter(requested=False)
        .select_related("hospital", "order")
        .order_by("hospital_id", "confirmed_at", "pk")
    )


def payment_request_list(
    *,
    actor: User,
    status: Iterable[str] | None = None,
    hospital_id: int | None = None,
    supplier_id: int | None = None,
) -> QuerySet[PaymentRequest]:
    rows = PaymentRequest.objects.visible_to(actor).select_related("hospital", "supplier")
    if status:
        rows = rows.filter(status__in=list(status))
    if hospital_id is not None:
        rows = rows.filter(hospital_id=hospital_id)
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    return rows.order_by("-requested_at", "-pk")


def payment_request_get(*, actor: User, request_id: int) -> PaymentRequest:
    found = (
        PaymentRequest.objects.visible_to(actor)
        .select_related("hospital", "supplier", "batch", "payable_entry", "payment_entry")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise NotFoundError()
    return found


def payment_request_lines(*, request: PaymentRequest) -> QuerySet[PaymentRequestLine]:
    return request.lines.select_related("invoice", "invoice__order", "disputed_by").order_by("pk")


def payment_line_list(
    *, actor: User, status: Iterable[str] | None = None
) -> QuerySet[PaymentRequestLine]:
    """Per invoice, what was requested, disputed and paid (the supplier's receivables view)."""
    rows = PaymentRequestLine.objects.visible_to(actor).select_related(
        "invoice", "request", "request__hospital", "request__supplier", "request__batch"
    )
    if status:
        rows = rows.filter(status__in=list(status))
    return rows.order_by("-request__requested_at", "-pk")


def settlement_batch_list(*, actor: User) -> QuerySet[SettlementBatch]:
    return SettlementBatch.objects.visible_to(actor).distinct().order_by("-created_at", "-pk")


def settlement_batch_get(*, actor: User, batch_id: int) -> SettlementBatch:
    found = settlement_batch_list(actor=actor).filter(pk=batch_id).first()
    if found is None:
        raise NotFoundError()
    return found


def settlement_batch_payouts(*, actor: User, batch: SettlementBatch):
    payouts = batch.payouts.select_related("supplier", "entry").order_by("supplier__name", "pk")
    org = getattr(actor, "organization", None)
    if org is not None and org.is_supplier:
        payouts = payouts.filter(supplier_id=org.pk)
    return payouts


def settleable_request_list(*, actor: User) -> QuerySet[PaymentRequest]:
    """Requests paid into escrow and awaiting their supplier: what the next batch pays."""
    return payment_request_list(actor=actor, status=[PaymentRequestStatus.PAID])


def direct_settlement_list(*, actor: User, undeducted: bool = False) -> QuerySet[DirectSettlement]:
    """[R-DIRECT] what the fund paid on hospitals' behalf; ``undeducted``: what their next fund
    settlement deducts."""
    rows = DirectSettlement.objects.visible_to(actor).select_related(
        "hospital", "request", "request__supplier", "entry"
    )
    if undeducted:
        rows = rows.undeducted()
    return rows.order_by("-paid_at", "-pk")


def direct_settlements_undeducted_unscoped(*, hospital_id: int) -> QuerySet[DirectSettlement]:
    """[R-DIRECT] the hospital's direct settlements its next fund settlement deducts (read by
    the monthly fund settlement, which acts for no organisation)."""
    return DirectSettlement.objects.undeducted().filter(hospital_id=hospital_id).order_by("pk")


# ---------------------------------------------------------------------------------------------
# What an actor may do now


def _own(actor: User, organization_id: int, action: str):
    def check() -> None:
        if getattr(actor, "organization_id", None) != organization_id:
            raise PermissionDeniedError(action=action)

    return check


def _state(request: PaymentRequest, action: str):
    return lambda: PAYMENT_REQUEST_STATES.check(request, action)


def _direct_enabled(request: PaymentRequest):
    def check() -> None:
        if not policy_for(request.region_code).direct_settlement:
            raise DirectSettlementDisabledError(region=request.region_code)

    return check


def payment_request_actions(*, actor: User, request: PaymentRequest) -> Actions:
    """The same checks, in the same order, as settlement.services.payments."""
    A = PaymentRequestAction
    hospital = request.hospital_id
    checks: list[Allowed] = [
        verdict(
            A.APPROVE,
            role_check(actor, "payment_request.approve"),
            _own(actor, hospital, "payment_request.approve"),
            _state(request, A.APPROVE),
        ),
        verdict(
            A.DISPUTE,
            role_check(actor, "payment_request.approve"),
            _own(actor, hospital, "payment_request.approve"),
            _state(request, A.DISPUTE),
        ),
        verdict(
            A.PAY,
            role_check(actor, "payment_request.pay"),
            _own(actor, hospital, "payment_request.pay"),
            _state(request, A.PAY),
        ),
        verdict(
            A.PAY_DIRECT,
            role_check(actor, "payment_request.pay_direct"),
            _state(request, A.PAY_DIRECT),
            _direct_enabled(request),
        ),
    ]
    return Actions(checks)


def open_line_total(request: PaymentRequest) -> Decimal:
    total = request.lines.filter(~Q(status=PaymentLineStatus.DISPUTED)).aggregate(s=Sum("amount"))
    return quantize(total["s"] or ZERO)


# ---------------------------------------------------------------------------------------------
# The bank payment file (docs/settlement-bank-file.md)


def bank_file_headers() -> list[str]:
    from django.utils.translation import gettext as _

    return [
        _("No."),
        _("Payee"),
        _("Payee unified social credit code"),
        _("Amount (CNY)"),
        _("Invoices"),
        _("Batch number"),
        _("Purpose"),
        _("Ledger entry"),
    ]


def bank_file_rows(batch: SettlementBatch) -> list[list]:
    """One row per supplier paid by the batch, in payee order: what the bank transfers."""
    from django.utils.translation import gettext as _

    payouts = batch.payouts.select_related("supplier", "entry").order_by("supplier__name", "pk")
    return [
        [
            index,
            payout.supplier.name,
            payout.supplier.uscc,
            payout.amount,
            payout.invoice_count,
            batch.number,
            _("Payment for medical consumables, settlement batch %(number)s")
            % {"number": batch.number},
            payout.entry.seq,
        ]
        for index, payout in enumerate(payouts, start=1)
    ]


def bank_file_name(batch: SettlementBatch) -> str:
    return f"{batch.number}-bank.xlsx"
