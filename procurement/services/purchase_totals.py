"""[R-LIST-ALT-CAP] The hospital's running purchase totals (procurement.models.PurchaseTotal):
what the alternate-catalogue cap reads instead of summing a year of order lines.

A line counts (``COUNTED_*`` in procurement.choices) while its order is submitted, confirmed
or completed and the line is pending or confirmed; it counts in the year its order was
submitted (Asia/Shanghai) and in its own catalogue. The order services change what counts in
three places only: a submission adds the order's lines, a cancellation takes them off, a
supplier's rejection takes the rejected line off. Each of them calls
:func:`purchase_totals_follow` with what counted before the change, inside its transaction
and holding the order's lock; the totals row is written under the hospital's purchase-plan
lock (procurement.locks.lock_purchase_plan), the lock that already serialises the cap check,
so a submission's check and its addition are one step.

:func:`purchase_totals_rebuild` recomputes the rows from the order lines (the migration's
backfill, and ``manage.py purchase_totals_rebuild`` for repair): idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import ExtractYear

from core import clock
from core.money import ZERO
from procurement.choices import COUNTED_LINE_STATUSES, COUNTED_ORDER_STATUSES
from procurement.locks import lock_hospitals_unscoped, lock_purchase_plan
from procurement.models import Order, OrderLine, PurchaseTotal

Amounts = dict[str, Decimal]  # by catalogue


def counted_amounts(*, order: Order, lines: Iterable[OrderLine]) -> Amounts:
    """What ``lines`` of ``order`` add to the hospital's purchase totals as they are now, by
    catalogue (nothing unless the order counts)."""
    if order.status not in COUNTED_ORDER_STATUSES:
        return {}
    amounts: Amounts = {}
    for line in lines:
        if line.status in COUNTED_LINE_STATUSES:
            amounts[line.catalogue] = amounts.get(line.catalogue, ZERO) + line.amount
    return amounts


def purchase_totals_follow(*, order: Order, lines: Iterable[OrderLine], before: Amounts) -> None:
    """Move the hospital's totals by what ``lines`` of ``order`` count now minus ``before``
    (what they counted when the caller locked them). The caller holds the order's lock and
    runs in the transaction that changed the order."""
    after = counted_amounts(order=order, lines=lines)
    deltas = {
        catalogue: after.get(catalogue, ZERO) - before.get(catalogue, ZERO)
        for catalogue in sorted(set(after) | set(before))
    }
    deltas = {catalogue: delta for catalogue, delta in deltas.items() if delta}
    if not deltas:
        return
    if order.submitted_at is None:  # a counted order has been submitted
        raise ValueError(f"order {order.pk} counts but was never submitted")
    year = clock.to_local(order.submitted_at).year
    lock_purchase_plan(hospital_id=order.hospital_id, year=year)
    _add(hospital_id=order.hospital_id, year=year, deltas=deltas)


def _add(*, hospital_id: int, year: int, deltas: Amounts) -> None:
    """Move each row by F() (created on its first amount). The caller holds the hospital's
    purchase-plan lock, so no one else creates the row between the two statements."""
    for catalogue, delta in deltas.items():
        rows = PurchaseTotal.objects.filter(hospital_id=hospital_id, year=year, catalogue=catalogue)
        if not rows.update(amount=F("amount") + delta):
            PurchaseTotal.objects.create(
                hospital_id=hospital_id, year=year, catalogue=catalogue, amount=delta
            )


@dataclass(frozen=True)
class RebuildResult:
    hospitals: int  # hospitals whose order lines were summed
    created: int
    updated: int
    deleted: int

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def purchase_totals_sums(*, hospital_ids: Iterable[int] | None = None) -> dict[tuple, Decimal]:
    """The totals as the order lines sum them: ``{(hospital_id, year, catalogue): amount}``."""
    lines = OrderLine.objects.filter(
        order__status__in=COUNTED_ORDER_STATUSES, status__in=COUNTED_LINE_STATUSES
    )
    if hospital_ids is not None:
        lines = lines.filter(order__hospital_id__in=list(hospital_ids))
    rows = (
        lines.annotate(year=ExtractYear("order__submitted_at", tzinfo=clock.SHANGHAI))
        .values_list("order__hospital_id", "year", "catalogue")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    return {(hospital, year, catalogue): amount for hospital, year, catalogue, amount in rows}


@transaction.atomic
def purchase_totals_rebuild(*, hospital_ids: Iterable[int] | None = None) -> RebuildResult:
    """Recompute the purchase totals of these hospitals (all when None) from their order
    lines, and write only the rows that differ: running it twice changes nothing the second
    time. The hospitals are locked first (in pk order, as the order services' plan lock
    does), so no order of theirs changes the totals meanwhile."""
    ids = lock_hospitals_unscoped(ids=hospital_ids)
    wanted = purchase_totals_sums(hospital_ids=ids)
    existing = {
        (row.hospital_id, row.year, row.catalogue): row
        for row in PurchaseTotal.objects.filter(hospital_id__in=ids)
    }
    created = updated = 0
    for key, amount in sorted(wanted.items()):
        row = existing.pop(key, None)
        if row is None:
            hospital_id, year, catalogue = key
            PurchaseTotal.objects.create(
                hospital_id=hospital_id, year=year, catalogue=catalogue, amount=amount
            )
            created += 1
        elif row.amount != amount:
            row.amount = amount
            row.save(update_fields=["amount"])
            updated += 1
    # Rows no line sums to any more (every line cancelled): zero is what they hold.
    stale = [row.pk for row in existing.values() if row.amount != 0]
    deleted = PurchaseTotal.objects.filter(pk__in=stale).delete()[0] if stale else 0
    return RebuildResult(hospitals=len(ids), created=created, updated=updated, deleted=deleted)
