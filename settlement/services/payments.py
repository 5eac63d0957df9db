"""The payment flow (付款): from confirmed invoices to paid suppliers [R-ESCROW] [R-PAY-30]
[R-DIRECT].

    (none) --request (supplier, confirmed invoices)--> requested
    requested --dispute a line (hospital finance, reason)--> requested   (the line drops out;
                                                                          none left: disputed)
              --approve (hospital finance)--> approved     Dr hospital_payable / Cr supplier_receivable
    approved --pay (hospital finance, transfer ref)--> paid   Dr escrow / Cr hospital_payable
             --pay_direct (agency, region settles directly)--> settled
                                                           Dr supplier_receivable / Cr fund
                                                           + a DirectSettlement to deduct
    paid --settlement batch (agency)--> settled        Dr supplier_receivable / Cr escrow

The hospital's debt to the supplier is posted at approval, not at the invoice's confirmation:
approval is the hospital's acceptance of the amount it pays through the platform, a disputed
invoice never reaches the books (no posting to reverse), and procurement stays unaware of the
ledger (settlement reads procurement, never the other way round).

[R-ESCROW] the order, its UDI-scanned acceptance and the invoice must agree (三流合一) when the
payment is requested and again when money leaves escrow or the fund; a mismatch is refused
with what, where and the figures. [R-DIRECT] where the region policy's ``direct_settlement``
is on, the agency pays an approved request from the fund; the DirectSettlement row is what the
hospital's next fund settlement deducts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from accounts.models import Organization, User
from core import clock
from core.bulk import id_array
from core.errors import PermissionDeniedError
from core.money import ZERO, quantize
from core.permissions import require
from core.policy import policy_for
from procurement.choices import InvoiceStatus
from procurement.services.listings import history_context, require_reason
from procurement.services.numbering import next_number
from settlement.choices import (
    PAYMENT_REQUEST_STATES,
    AccountKind,
    EntryKind,
    PaymentLineStatus,
    PaymentMethod,
    PaymentRequestAction,
    PaymentRequestStatus,
)
from settlement.errors import (
    DirectSettlementDisabledError,
    PaymentInvoiceNotPayableError,
    PaymentInvoicesMixedHospitalsError,
    PaymentInvoicesRequiredError,
    PaymentLineUnknownError,
    PaymentTransferReferenceError,
    PaymentTransferReferenceTakenError,
    SettlementBatchEmptyError,
)
from settlement.locks import (
    lock_invoices_for_request,
    lock_open_payment_line,
    lock_payment_request,
    lock_payment_requests_to_settle,
)
from settlement.models import (
    Account,
    DirectSettlement,
    PaymentRequest,
    PaymentRequestLine,
    SettlementBatch,
    SettlementPayout,
)
from settlement.selectors.ledger import pooling_region
from settlement.selectors.payments import three_flows_check, three_flows_mismatches
from settlement.services.ledger import EntrySpec, Leg, account_for, entries_post_many, entry_post

REQUEST_PREFIX = "PR"
BATCH_PREFIX = "SB"
MAX_INVOICES = 500
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{0,59}")


def _ids(values: Iterable[object]) -> list[int]:
    ids: list[int] = []
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            ids.append(value)
        elif isinstance(value, str) and value.strip().isdigit():
            ids.append(int(value.strip()))
    return sorted(set(ids))


def _own_organization(actor: User, organization_id: int, action: str) -> None:
    if actor.organization_id != organization_id:
        raise PermissionDeniedError(action=action)


def escrow_account(region_code: str):
    return account_for(kind=AccountKind.ESCROW, region_code=pooling_region(region_code), floor=ZERO)


def fund_account(region_code: str):
    return account_for(kind=AccountKind.FUND, region_code=pooling_region(region_code))


@transaction.atomic
def payment_request_create(*, actor: User, invoice_ids: Iterable[object]) -> PaymentRequest:
    """The supplier requests payment (付款申请) for confirmed invoices it issued to one
    hospital, one line per invoice for the invoice's amount. [R-ESCROW] refused unless the
    order, its UDI-scanned acceptance and each invoice agree."""
    require(actor, "payment_request.create")
    supplier = actor.organization
    if supplier is None or not supplier.is_supplier:
        raise PermissionDeniedError(action="payment_request.create")
    ids = _ids(invoice_ids)
    if not ids or len(ids) > MAX_INVOICES:
        raise PaymentInvoicesRequiredError()
    # Locked in pk order: two requests for the same invoice queue up here.
    invoices = lock_invoices_for_request(actor=actor, invoice_ids=ids)
    found = {invoice.pk for invoice in invoices}
    for missing in ids:
        if missing not in found:
            raise PaymentInvoiceNotPayableError(number=missing, reason=_reason("missing"))
    live = set(
        PaymentRequestLine.objects.filter(invoice_id__in=ids)
        .exclude(status=PaymentLineStatus.DISPUTED)
        .values_list("invoice_id", flat=True)
    )
    first = invoices[0]
    for invoice in invoices:
        if invoice.issuer_id != supplier.pk:
            raise PaymentInvoiceNotPayableError(number=invoice.number, reason=_reason("issuer"))
        if invoice.status != InvoiceStatus.CONFIRMED:
            raise PaymentInvoiceNotPayableError(
                number=invoice.number, reason=_reason("unconfirmed")
            )
        if invoice.pk in live:
            raise PaymentInvoiceNotPayableError(number=invoice.number, reason=_reason("live"))
        if invoice.hospital_id != first.hospital_id:
            raise PaymentInvoicesMixedHospitalsError(
                number=invoice.number, hospital=invoice.hospital.name, first=first.hospital.name
            )
    three_flows_check({invoice.pk: invoice.amount for invoice in invoices})
    hospital: Organization = first.hospital
    pk, number = next_number(PaymentRequest, REQUEST_PREFIX)
    with history_context(actor, "payment_request_create"):
        request = PaymentRequest.objects.create(
            pk=pk,
            number=number,
            supplier=supplier,
            hospital=hospital,
            region_code=hospital.region_code,
            amount=quantize(sum((invoice.amount for invoice in invoices), ZERO)),
            requested_by=actor,
            requested_at=clock.now(),
        )
        try:
            with transaction.atomic():
                PaymentRequestLine.objects.bulk_create(
                    PaymentRequestLine(request=request, invoice=invoice, amount=invoice.amount)
                    for invoice in invoices
                )
        except IntegrityError:
            # Another request took one of the invoices between our check and insert.
            raise PaymentInvoiceNotPayableError(
                number=", ".join(i.number for i in invoices), reason=_reason("live")
            ) from None
    return request


def _reason(key: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "missing": _("no such invoice of yours"),
        "issuer": _("it was issued by another supplier"),
        "unconfirmed": _("the hospital has not confirmed it"),
        "live": _("it is already in a payment request"),
    }[key]


def _post_payable(actor: User, request: PaymentRequest):
    payable = account_for(kind=AccountKind.HOSPITAL_PAYABLE, organization=request.hospital)
    receivable = account_for(kind=AccountKind.SUPPLIER_RECEIVABLE, organization=request.supplier)
    return entry_post(
        kind=EntryKind.INVOICE_CONFIRMED,
        legs=[Leg(payable.pk, request.amount), Leg(receivable.pk, -request.amount)],
        source=("payment_request", request.pk),
        memo=request.number,
        actor=actor,
    )


@transaction.atomic
def payment_request_approve(*, actor: User, request_id: int) -> PaymentRequest:
    """Hospital finance approves the request's open lines: the hospital now owes the supplier
    their sum (Dr hospital_payable / Cr supplier_receivable)."""
    request = lock_payment_request(
        actor=actor, request_id=request_id, action="payment_request.approve"
    )
    _own_organization(actor, request.hospital_id, "payment_request.approve")
    PAYMENT_REQUEST_STATES.check(request, PaymentRequestAction.APPROVE)
    with history_context(actor, "payment_request_approve"):
        request.payable_entry = _post_payable(actor, request)
        request.status = PaymentRequestStatus.APPROVED
        request.approved_by = actor
        request.approved_at = clock.now()
        request.save(update_fields=["status", "approved_by", "approved_at", "payable_entry"])
    return request


@transaction.atomic
def payment_request_dispute(
    *, actor: User, request_id: int, line_id: int, reason: str
) -> PaymentRequest:
    """Hospital finance disputes one invoice of the request, with a reason: the line drops out
    of the request (its amount with it) and the supplier may request that invoice again. With
    no line left the request is disputed."""
    reason = require_reason(reason)
    request = lock_payment_request(
        actor=actor, request_id=request_id, action="payment_request.approve"
    )
    _own_organization(actor, request.hospital_id, "payment_request.approve")
    PAYMENT_REQUEST_STATES.check(request, PaymentRequestAction.DISPUTE)
    line = lock_open_payment_line(request=request, line_id=line_id)
    if line is None:
        raise PaymentLineUnknownError(line=line_id)
    with history_context(actor, "payment_request_dispute"):
        line.status = PaymentLineStatus.DISPUTED
        line.dispute_reason = reason[:500]
        line.disputed_by = actor
        line.disputed_at = clock.now()
        line.save(update_fields=["status", "dispute_reason", "disputed_by", "disputed_at"])
        request.amount = quantize(request.amount - line.amount)
        fields = ["amount"]
        if not request.lines.filter(status=PaymentLineStatus.OPEN).exists():
            request.status = PaymentRequestStatus.DISPUTED
            fields.append("status")
        request.save(update_fields=fields)
    return request


def transfer_reference_normalise(value: object) -> str:
    text = str(value or "").strip()
    if not _REFERENCE.fullmatch(text):
        raise PaymentTransferReferenceError()
    return text


def _recheck_three_flows(request: PaymentRequest) -> None:
    """[R-ESCROW] again as money moves: nothing may have changed since the request."""
    open_lines = dict(
        request.lines.exclude(status=PaymentLineStatus.DISPUTED).values_list("invoice_id", "amount")
    )
    three_flows_check(open_lines)


@transaction.atomic
def payment_request_pay(
    *, actor: User, request_id: int, transfer_reference: object
) -> PaymentRequest:
    """Hospital finance records its bank transfer of the approved amount into the escrow
    account (Dr escrow / Cr hospital_payable). One transfer pays one request; a request is
    paid once (a second payment is refused, however it races)."""
    reference = transfer_reference_normalise(transfer_reference)
    request = lock_payment_request(actor=actor, request_id=request_id, action="payment_request.pay")
    _own_organization(actor, request.hospital_id, "payment_request.pay")
    PAYMENT_REQUEST_STATES.check(request, PaymentRequestAction.PAY)
    taken = (
        PaymentRequest.objects.filter(hospital_id=request.hospital_id, transfer_reference=reference)
        .values_list("number", flat=True)
        .first()
    )
    if taken is not None:
        raise PaymentTransferReferenceTakenError(reference=reference, number=taken)
    _recheck_three_flows(request)
    escrow = escrow_account(request.region_code)
    payable = account_for(kind=AccountKind.HOSPITAL_PAYABLE, organization=request.hospital)
    with history_context(actor, "payment_request_pay"):
        request.payment_entry = entry_post(
            kind=EntryKind.HOSPITAL_PAYMENT,
            legs=[Leg(escrow.pk, request.amount), Leg(payable.pk, -request.amount)],
            source=("payment_request", request.pk),
            memo=f"{request.number} {reference}",
            actor=actor,
        )
        request.status = PaymentRequestStatus.PAID
        request.method = PaymentMethod.ESCROW
        request.transfer_reference = reference
        request.paid_by = actor
        request.paid_at = clock.now()
        try:
            with transaction.atomic():
                request.save(
                    update_fields=[
                        "status",
                        "method",
                        "transfer_reference",
                        "paid_by",
                        "paid_at",
                        "payment_entry",
                    ]
                )
        except IntegrityError:
            raise PaymentTransferReferenceTakenError(reference=reference, number="-") from None
    return request


@transaction.atomic
def payment_request_pay_direct(*, actor: User, request_id: int) -> PaymentRequest:
    """[R-DIRECT] the agency pays an approved request from the fund straight to the supplier,
    where the region settles directly: Dr supplier_receivable / Cr fund (the supplier is paid
    from the fund) and Dr hospital_direct / Cr hospital_payable (the hospital's debt to the
    supplier becomes a debt to the fund), in one entry. The DirectSettlement written here is
    recovered from the hospital's next monthly fund settlement (settlement.services.fund)."""
    request = lock_payment_request(
        actor=actor, request_id=request_id, action="payment_request.pay_direct"
    )
    PAYMENT_REQUEST_STATES.check(request, PaymentRequestAction.PAY_DIRECT)
    if not policy_for(request.region_code).direct_settlement:
        raise DirectSettlementDisabledError(region=request.region_code)
    _recheck_three_flows(request)
    fund = fund_account(request.region_code)
    receivable = account_for(kind=AccountKind.SUPPLIER_RECEIVABLE, organization=request.supplier)
    payable = account_for(kind=AccountKind.HOSPITAL_PAYABLE, organization=request.hospital)
    owed = account_for(kind=AccountKind.HOSPITAL_DIRECT, organization=request.hospital)
    now = clock.now()
    with history_context(actor, "payment_request_pay_direct"):
        entry = entry_post(
            kind=EntryKind.DIRECT_PAYMENT,
            legs=[
                Leg(receivable.pk, request.amount),
                Leg(fund.pk, -request.amount),
                Leg(owed.pk, request.amount),
                Leg(payable.pk, -request.amount),
            ],
            source=("payment_request", request.pk),
            memo=request.number,
            actor=actor,
        )
        DirectSettlement.objects.create(
            request=request,
            hospital=request.hospital,
            region_code=request.region_code,
            amount=request.amount,
            entry=entry,
            paid_at=now,
        )
        request.payment_entry = entry
        request.status = PaymentRequestStatus.SETTLED
        request.method = PaymentMethod.DIRECT
        request.paid_by = actor
        request.paid_at = now
        request.settled_at = now
        request.save(
            update_fields=["status", "method", "paid_by", "paid_at", "settled_at", "payment_entry"]
        )
        request.lines.filter(status=PaymentLineStatus.OPEN).update(
            status=PaymentLineStatus.PAID, paid_at=now
        )
    return request


def _agency(actor: User) -> Organization:
    org = actor.organization
    if org is None or not org.is_regulator:
        raise PermissionDeniedError(action="settlement_batch.run")
    return org


@transaction.atomic
def settlement_batch_run(*, actor: User) -> SettlementBatch:
    """The agency pays suppliers out of escrow [R-ESCROW]: every request of its region paid
    into escrow and not yet settled, one journal entry per supplier and region (Dr
    supplier_receivable / Cr escrow), the requests and their lines marked paid, all in one
    transaction: a batch killed half-way leaves nothing, and running it again pays each
    request once (the requests are locked, and a second run finds them settled). Refused
    whole, with the reason, when any invoice's order, acceptance and invoice disagree."""
    require(actor, "settlement_batch.run")
    agency = _agency(actor)
    requests = lock_payment_requests_to_settle(region_prefix=agency.jurisdiction)
    if not requests:
        raise SettlementBatchEmptyError(region=agency.region_code)
    by_id = {request.pk: request for request in requests}
    # The ids as one array parameter each time: 20,000 requests and 100,000 invoices make
    # queries too long to send as one placeholder per id (core.bulk.id_array).
    request_ids = id_array(by_id)
    lines = list(
        PaymentRequestLine.objects.filter(request_id__in=request_ids, status=PaymentLineStatus.OPEN)
        .values_list("request_id", "invoice_id", "amount")
        .order_by("pk")
    )
    mismatches = three_flows_mismatches({invoice: amount for _r, invoice, amount in lines})
    if mismatches:
        raise mismatches[0].error()
    # One payout per supplier and escrow account (a region's requests may span cities).
    totals: dict[tuple[int, str], list] = {}
    pools: dict[str, str] = {}
    for request_id, _invoice, amount in lines:
        request = by_id[request_id]
        region = pools.get(request.region_code)
        if region is None:
            region = pools[request.region_code] = pooling_region(request.region_code)
        total = totals.setdefault((request.supplier_id, region), [ZERO, 0])
        total[0] += amount
        total[1] += 1
    escrows = {region: escrow_account(region).pk for region in {r for _s, r in totals}}
    suppliers = Organization.objects.in_bulk({supplier for supplier, _r in totals})
    receivables = _receivable_ids(suppliers)
    pk, number = next_number(SettlementBatch, BATCH_PREFIX)
    now = clock.now()
    grand = quantize(sum((t[0] for t in totals.values()), ZERO))
    with history_context(actor, "settlement_batch_run"):
        batch = SettlementBatch.objects.create(
            pk=pk,
            number=number,
            region_code=agency.region_code,
            total=grand,
            request_count=len(requests),
            invoice_count=len(lines),
            supplier_count=len({s for s, _r in totals}),
            created_by=actor,
            created_at=now,
        )
        keys = sorted(totals)
        entries = entries_post_many(
            [
                EntrySpec(
                    kind=EntryKind.SETTLEMENT,
                    legs=[
                        Leg(receivables[supplier_id], totals[(supplier_id, region)][0]),
                        Leg(escrows[region], -totals[(supplier_id, region)][0]),
                    ],
                    source=("settlement_batch", batch.pk),
                    memo=f"{number} {suppliers[supplier_id].name}",
                )
                for supplier_id, region in keys
            ],
            actor=actor,
        )
        payouts: dict[int, SettlementPayout] = {}
        for (supplier_id, region), entry in zip(keys, entries, strict=True):
            amount, count = totals[(supplier_id, region)]
            # Several escrow accounts for one supplier: one payout row (the bank file's line).
            payout = payouts.get(supplier_id)
            if payout is None:
                payouts[supplier_id] = SettlementPayout(
                    batch=batch,
                    supplier_id=supplier_id,
                    amount=amount,
                    invoice_count=count,
                    entry=entry,
                )
            else:
                payout.amount += amount
                payout.invoice_count += count
        SettlementPayout.objects.bulk_create(payouts.values())
        PaymentRequest.objects.filter(pk__in=request_ids).update(
            status=PaymentRequestStatus.SETTLED, batch=batch, settled_at=now
        )
        PaymentRequestLine.objects.filter(
            request_id__in=request_ids, status=PaymentLineStatus.OPEN
        ).update(status=PaymentLineStatus.PAID, paid_at=now)
    return batch


def _receivable_ids(suppliers: dict[int, Organization]) -> dict[int, int]:
    """Each supplier's receivable account, by supplier: one query for those open already,
    ``account_for`` (which opens it) for any other."""
    found = dict(
        Account.objects.filter(
            kind=AccountKind.SUPPLIER_RECEIVABLE, organization_id__in=id_array(suppliers)
        ).values_list("organization_id", "pk")
    )
    for supplier_id, supplier in suppliers.items():
        if supplier_id not in found:
            found[supplier_id] = account_for(
                kind=AccountKind.SUPPLIER_RECEIVABLE, organization=supplier
            ).pk
    return found
