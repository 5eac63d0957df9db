"""The demo's payment flow [R-ESCROW] [R-PAY-30] [R-DIRECT]: money from confirmed invoices to
paid suppliers, each supplier's requests at a different step.

- ``settled``: a supplier's request for h01's invoices, approved, paid into escrow and paid out
  by the agency's settlement batch (its bank file and payout; the supplier sees what was paid
  per invoice);
- ``escrow``: another supplier's request, approved and paid into escrow after that batch, so it
  awaits the next one;
- ``disputed``: a request of two invoices, one disputed with a reason, the other approved and
  awaiting the hospital's transfer;
- ``requested``: a request awaiting the hospital's approval, holding the supplier's oldest
  invoice, overdue past the 30-day clock [R-PAY-30] (so are the confirmed invoices no supplier
  has requested yet);
- ``direct``: exactly one request for h03, paid by the fund directly [R-DIRECT] (the bureau
  turns direct settlement on for the city): h03's draft fund settlement plans its recovery.

Each step runs at its moment with procurement.demo's clock helpers; seeding again changes
nothing (the requests are made once)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.models import User
from core import clock
from core.services import region_policy_update
from procurement import demo as procurement_demo
from procurement.choices import InvoiceStatus
from procurement.models import Invoice
from settlement.choices import PaymentRequestStatus
from settlement.models import PaymentRequest, PaymentRequestLine
from settlement.selectors.payments import three_flows_mismatches
from settlement.services import payments

_at, _moment = procurement_demo._at, procurement_demo._moment

DISPUTE_REASON = "发票数量与入库单不一致，请核实后重新申请"


@dataclass(frozen=True)
class Step:
    """One supplier's request: its hospital, how many invoices, and the days (ago) of each
    step it reaches."""

    name: str
    hospital: str
    invoices: int  # at most; at least ``least``
    requested: int
    approved: int | None = None
    paid: int | None = None
    least: int = 1
    batch_after: bool = False  # the agency's settlement batch runs after this step


# In the order they run, each step after the one before: the batch (BATCH_DAYS_AGO) pays
# "settled" and "settled_other"; "escrow" is paid into escrow after it.
STEPS = (
    Step("settled", "h01", 3, requested=22, approved=21, paid=20),
    Step("settled_other", "h04", 3, requested=19, approved=18, paid=17, batch_after=True),
    Step("direct", "h03", 2, requested=14, approved=13, paid=12),
    Step("disputed", "h01", 2, requested=10, approved=8, least=2),
    Step("escrow", "h02", 2, requested=7, approved=6, paid=5),
    Step("requested", "h01", 2, requested=2),
)
BATCH_DAYS_AGO = 16
TRANSFER_PREFIX = "BOCNJ"


def _candidates(hospital_id: int, before: dt.datetime, taken: set[int]) -> dict[int, list]:
    """The hospital's confirmed invoices no request holds, confirmed before ``before``, whose
    order, acceptance and invoice agree [R-ESCROW], by issuer, oldest first."""
    rows = list(
        Invoice.objects.filter(
            hospital_id=hospital_id, status=InvoiceStatus.CONFIRMED, confirmed_at__lt=before
        )
        .exclude(pk__in=PaymentRequestLine.objects.values("invoice_id"))
        .exclude(issuer_id__in=taken)
        .order_by("confirmed_at", "pk")
    )
    bad = {m.invoice for m in three_flows_mismatches({i.pk: i.amount for i in rows})}
    by_issuer: dict[int, list] = {}
    for invoice in rows:
        if invoice.number not in bad:
            by_issuer.setdefault(invoice.issuer_id, []).append(invoice)
    return by_issuer


def seed(users: dict[str, User], agency: User, bureau: User) -> dict[str, PaymentRequest]:
    hospitals = [u.organization_id for n, u in users.items() if n.endswith("_finance")]
    if PaymentRequest.objects.filter(hospital_id__in=hospitals).exists():
        return {}
    today = clock.local_today()

    def at(days_ago: int, hour: int, actor: User):
        return _at(_moment(today - dt.timedelta(days=days_ago), hour), actor, clamp=True)

    sales_of = {u.organization_id: u for n, u in users.items() if n.endswith("_sales")}
    made: dict[str, PaymentRequest] = {}
    taken: set[int] = set()  # one supplier for each step: several suppliers' requests
    for step in STEPS:
        finance = users.get(f"{step.hospital}_finance")
        if finance is None or finance.organization_id is None:
            continue
        before = _moment(today - dt.timedelta(days=step.requested), 9)
        groups = _candidates(finance.organization_id, before, taken)
        # The supplier with the most invoices to request (the oldest first on a tie).
        fit = [i for i, rows in groups.items() if len(rows) >= step.least and i in sales_of]
        issuer = max(fit, key=lambda i: len(groups[i]), default=None)
        if issuer is None:
            if step.batch_after:
                _batch(agency, at(BATCH_DAYS_AGO, 15, agency))
            continue
        taken.add(issuer)
        sales = sales_of[issuer]
        chosen = groups[issuer][: step.invoices]
        with at(step.requested, 10, sales):
            request = payments.payment_request_create(
                actor=sales, invoice_ids=[i.pk for i in chosen]
            )
        if step.name == "disputed":
            line = request.lines.order_by("-pk")[0]
            with at((step.approved or 0) + 1, 9, finance):
                payments.payment_request_dispute(
                    actor=finance, request_id=request.pk, line_id=line.pk, reason=DISPUTE_REASON
                )
        if step.approved is not None:
            with at(step.approved, 10, finance):
                payments.payment_request_approve(actor=finance, request_id=request.pk)
        if step.paid is not None and step.name == "direct":
            _direct_on(bureau, step.paid)
            with at(step.paid, 11, agency):
                payments.payment_request_pay_direct(actor=agency, request_id=request.pk)
        elif step.paid is not None:
            with at(step.paid, 11, finance):
                payments.payment_request_pay(
                    actor=finance,
                    request_id=request.pk,
                    transfer_reference=f"{TRANSFER_PREFIX}{request.number}",
                )
        if step.batch_after:
            _batch(agency, at(BATCH_DAYS_AGO, 15, agency))
        request.refresh_from_db()
        made[step.name] = request
    return made


def _batch(agency: User, moment) -> None:
    """[R-ESCROW] the agency pays out of escrow every request paid into it so far."""
    if PaymentRequest.objects.filter(status=PaymentRequestStatus.PAID).exists():
        with moment:
            payments.settlement_batch_run(actor=agency)


def _direct_on(bureau: User, days_ago: int) -> None:
    """[R-DIRECT] the bureau has the fund pay suppliers directly in the city."""
    day = clock.local_today() - dt.timedelta(days=days_ago + 1)
    with _at(_moment(day, 9), bureau, clamp=True):
        region_policy_update(actor=bureau, changes={"direct_settlement": True})
