"""The advance fund [R-ADVANCE]: when a VBP round's contracts start, the fund advances each
hospital the round's advance ratio (TenderRound.advance_ratio, from the region policy's
advance_ratio when the round was opened: 30% or 50%) of its agreed amount for the cycle.

The ledger entry: Dr the hospital's advance account (what it owes back; floor zero) / Cr the
fund. Offsets come with the monthly fund settlement (settlement.services.fund).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction

from accounts.models import Organization, User
from core import clock
from core.money import ZERO, quantize
from core.permissions import require
from procurement.models import TenderRound
from settlement.choices import AccountKind, EntryKind
from settlement.errors import AdvanceExistsError, AdvanceNoContractsError
from settlement.models import Advance
from settlement.selectors.advances import advance_contracts, advances_due, agreed_amount
from settlement.services.ledger import Leg, account_for, entry_post

logger = logging.getLogger(__name__)


def _pay(*, actor: User | None, round_id: int, hospital_id: int, cycle_start: dt.date) -> Advance:
    existing = Advance.objects.filter(
        round_id=round_id, hospital_id=hospital_id, cycle_start=cycle_start
    ).first()
    if existing is not None:
        raise AdvanceExistsError(advance=existing.pk)
    contracts = advance_contracts(
        round_id=round_id, hospital_id=hospital_id, cycle_start=cycle_start
    )
    first = contracts.first()
    if first is None:
        raise AdvanceNoContractsError(cycle_start=cycle_start.isoformat())
    tender_round = TenderRound.objects.get(pk=round_id)
    hospital = Organization.objects.get(pk=hospital_id)
    agreed = agreed_amount(contracts)
    amount = quantize(agreed * tender_round.advance_ratio)
    if amount <= ZERO:
        raise AdvanceNoContractsError(cycle_start=cycle_start.isoformat())
    advance_account = account_for(
        kind=AccountKind.HOSPITAL_ADVANCE, organization=hospital, floor=ZERO
    )
    fund = account_for(kind=AccountKind.FUND, region_code=hospital.region_code)
    entry = entry_post(
        kind=EntryKind.ADVANCE,
        legs=[Leg(advance_account.pk, amount), Leg(fund.pk, -amount)],
        source=("round", round_id),
        memo=f"{tender_round} {cycle_start:%Y-%m-%d}",
        actor=actor,
    )
    try:
        with transaction.atomic():
            return Advance.objects.create(
                round=tender_round,
                hospital=hospital,
                cycle_start=cycle_start,
                cycle_end=first.cycle_end,
                agreed_amount=agreed,
                ratio=tender_round.advance_ratio,
                amount=amount,
                entry=entry,
                paid_at=clock.now(),
                paid_by=actor,
            )
    except IntegrityError:
        # Another payer got there between our check and insert: this whole transaction,
        # our ledger entry with it, rolls back.
        raise AdvanceExistsError(advance="") from None


@transaction.atomic
def advance_pay(*, actor: User, round_id: int, hospital_id: int, cycle_start: dt.date) -> Advance:
    """The agency pays one hospital's advance now (the nightly task pays those due)."""
    require(actor, "advance.pay")
    return _pay(actor=actor, round_id=round_id, hospital_id=hospital_id, cycle_start=cycle_start)


def advances_pay_due(*, actor: User | None = None, today: dt.date | None = None) -> list[Advance]:
    """Pay every advance whose contracts are in force and whose cycle has started, each in its
    own transaction; a rerun pays nothing twice. The nightly task runs it for everyone; the
    agency (``actor``) for the hospitals of its region, at once."""
    if actor is not None:
        require(actor, "advance.pay")
    visible = (
        set(Organization.objects.visible_to(actor).hospitals().values_list("pk", flat=True))
        if actor is not None
        else None
    )
    paid = []
    for due in advances_due(today=today or clock.local_today()):
        if visible is not None and due.hospital_id not in visible:
            continue
        try:
            with transaction.atomic():
                paid.append(
                    _pay(
                        actor=actor,
                        round_id=due.round_id,
                        hospital_id=due.hospital_id,
                        cycle_start=due.cycle_start,
                    )
                )
        except (AdvanceExistsError, AdvanceNoContractsError) as error:
            logger.info("advance not paid for %s: %s", due, error.code)
    return paid
