"""Reads of the advance fund: who is due an advance, how much of it each month offsets, and
the schedule the hospital, the agency and the bureau see. [R-ADVANCE] [R-ADVANCE-OFFSET]"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db.models import F, QuerySet, Sum

from accounts.models import User
from core import permissions
from core.errors import NotFoundError, PermissionDeniedError
from core.money import ZERO, quantize
from procurement.choices import ContractStatus
from procurement.models import Contract
from procurement.selectors.contracts import contract_counted_lines
from settlement.models import Advance


def advance_list(*, actor: User) -> QuerySet[Advance]:
    if not permissions.can(actor, "advance.view"):
        raise PermissionDeniedError(action="advance.view")
    return Advance.objects.visible_to(actor).select_related("round", "hospital")


def advance_get(*, actor: User, advance_id: int) -> Advance:
    found = advance_list(actor=actor).filter(pk=advance_id).first()
    if found is None:
        raise NotFoundError()
    return found


def advance_contracts(*, round_id: int, hospital_id: int, cycle_start: dt.date):
    """The contracts an advance is computed from: the hospital's contracts of the round for the
    cycle, in force."""
    return Contract.objects.filter(
        round_id=round_id,
        hospital_id=hospital_id,
        cycle_start=cycle_start,
        status=ContractStatus.ACTIVE,
    ).order_by("pk")


def agreed_amount(contracts) -> Decimal:
    total = contracts.aggregate(total=Sum(F("agreed_quantity") * F("price")))["total"]
    return quantize(total or ZERO)


@dataclasses.dataclass(frozen=True)
class AdvanceDue:
    round_id: int
    hospital_id: int
    cycle_start: dt.date


def advances_due(*, today: dt.date) -> list[AdvanceDue]:
    """(round, hospital, cycle) whose contracts are in force and whose cycle has started, with
    no advance paid yet."""
    started = (
        Contract.objects.filter(status=ContractStatus.ACTIVE, cycle_start__lte=today)
        .values_list("round_id", "hospital_id", "cycle_start")
        .distinct()
    )
    paid = set(Advance.objects.values_list("round_id", "hospital_id", "cycle_start"))
    return [AdvanceDue(*key) for key in sorted(set(started) - paid)]


def purchases_to_date(*, advance: Advance, until: dt.date) -> Decimal:
    """What the hospital bought of the round's products toward the advance's contracts, from
    orders submitted in the cycle up to ``until``: accepted less returned, at the line price."""
    total = ZERO
    for contract in advance_contracts(
        round_id=advance.round_id, hospital_id=advance.hospital_id, cycle_start=advance.cycle_start
    ):
        amount = (
            contract_counted_lines(contract=contract, until=until)
            .order_by()
            .aggregate(
                total=Sum((F("accepted_quantity") - F("returned_quantity")) * F("unit_price"))
            )["total"]
        )
        total += amount or ZERO
    return quantize(total)


def offset_due(
    *,
    advance: Decimal,
    agreed: Decimal,
    purchases: Decimal,
    offset_so_far: Decimal,
    cycle_ended: bool,
) -> tuple[Decimal, Decimal]:
    """[R-ADVANCE-OFFSET] this month's offset and the cumulative offset it brings the advance
    to: cumulative = advance x min(1, purchases to date / agreed amount), or the whole advance
    once the cycle has ended; this month = cumulative - offset so far (never negative: a return
    that lowers purchases does not give an offset back).

    Worked example: agreed amount 1,000,000.00, ratio 30%: advance 300,000.00.
    - January, purchases to date 120,000.00: cumulative 300,000 x 0.12 = 36,000.00; offset
      36,000.00.
    - February, purchases to date 250,000.00: cumulative 75,000.00; offset 75,000 - 36,000
      = 39,000.00.
    - December (cycle ended), purchases 910,000.00: the rest, 300,000.00 - offset so far.
    - A hospital that buys more than agreed (1,200,000.00 by October) offsets the whole
      advance then: min(1, 1.2) = 1.
    """
    if cycle_ended or agreed <= 0:
        cumulative = advance
    else:
        share = min(Decimal(1), purchases / agreed)
        cumulative = min(advance, quantize(advance * share))
    return max(ZERO, cumulative - offset_so_far), max(cumulative, offset_so_far)
