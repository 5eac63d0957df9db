"""Row locks for settlement: the only way a service fetches a row it is about to change.

Lock order, everywhere: a payment request (or a fund settlement, then the advances it offsets,
in pk order), then the ledger accounts an entry touches (pk order), then the ledger's chain
(one advisory lock), so that two postings sharing an account queue up and never deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from accounts.models import User
from core import permissions
from core.errors import NotFoundError
from procurement.models import Invoice
from settlement.choices import PaymentLineStatus, PaymentRequestStatus
from settlement.models import (
    Account,
    Advance,
    FundSettlement,
    PaymentRequest,
    PaymentRequestLine,
)

# pg_advisory_xact_lock key of the hash chain: "YGLEDGER" read as a big-endian int64.
CHAIN_LOCK_KEY = int.from_bytes(b"YGLEDGER", "big") - (1 << 63)


def lock_accounts(account_ids: Iterable[int]) -> dict[int, Account]:
    """The accounts, locked FOR UPDATE in pk order, by id."""
    ids = sorted(set(account_ids))
    rows = Account.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    found = {account.pk: account for account in rows}
    missing = set(ids) - set(found)
    if missing:
        raise Account.DoesNotExist(f"no ledger account {sorted(missing)}")
    return found


def lock_chain() -> None:
    """Serialise appends to the hash chain until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def lock_fund_settlement(*, actor: User, settlement_id: int, action: str) -> FundSettlement:
    """The fund settlement, locked FOR UPDATE, if the actor may see it (else 404) and do
    ``action`` (else 403)."""
    found = (
        FundSettlement.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("hospital")
        .filter(pk=settlement_id)
        .first()
    )
    if found is None:
        raise NotFoundError()
    permissions.require(actor, action)
    return found


def lock_advances(advance_ids: Iterable[int]) -> list[Advance]:
    """Advances whose offsets a settlement moves, FOR UPDATE in pk order."""
    return list(
        Advance.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted(set(advance_ids)))
        .order_by("pk")
    )


def lock_payment_request(*, actor, request_id: int, action: str):
    """The payment request, locked FOR UPDATE, if the actor may see it (else 404) and do
    ``action`` (else 403). Every service that changes a request takes this lock first, then
    the ledger's accounts (entry_post), so two payers of one request queue up."""
    locking = PaymentRequest.objects.select_for_update(of=("self",)).select_related(
        "hospital", "supplier"
    )
    return permissions.access(actor, locking, action=action, pk=request_id)


def lock_payment_requests_to_settle(*, region_prefix: str):
    """The requests paid into escrow in the region, locked in pk order. A second batch run at
    the same time waits here, then finds them settled (READ COMMITTED re-reads the status)."""
    return list(
        PaymentRequest.objects.select_for_update(of=("self",))
        .filter(status=PaymentRequestStatus.PAID, region_code__startswith=region_prefix)
        .order_by("pk")
    )


def lock_invoices_for_request(*, actor, invoice_ids) -> list:
    """The invoices a supplier requests payment for, visible to it, locked in pk order: two
    requests for the same invoice queue up here."""
    return list(
        Invoice.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk__in=invoice_ids)
        .select_related("hospital")
        .order_by("pk")
    )


def lock_open_payment_line(*, request, line_id: object):
    """One open line of the (locked) request, locked, or None."""
    return (
        PaymentRequestLine.objects.select_for_update()
        .filter(request=request, pk=line_id if isinstance(line_id, int) else -1)
        .filter(status=PaymentLineStatus.OPEN)
        .first()
    )
