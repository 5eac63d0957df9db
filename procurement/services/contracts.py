"""Purchase contracts (采购协议) and their renewal [R-VBP-CONTRACT].

    awaiting --sign (each party; the last one)--> active --renew--> renewed
                                                    |
                                                    +--close (the group is tendered anew)--> closed

- ``contract_sign``: the hospital (its purchaser), the manufacturer and the distributor (their
  sales staff) sign online, each once; a manufacturer that delivers itself signs for both of
  its sides at once. The last signature puts the contract in force.
- ``group_renew``: from ``RENEWAL_WINDOW_DAYS`` before the cycle ends, the bureau renews every
  contract in force of a group for the next cycle (same length, starting the day after),
  optionally with a price cut: each renewed contract's price, the winner's listed price
  (only ever lowered) and a new payment-standard version [R-PAY-STANDARD] fall by the cut.
  The renewals await the parties' signatures again.
- ``group_retender``: the bureau closes the group's contracts in force instead; the group is
  marked for a new round (its decision is the record a new round's set-up starts from).

Each transition locks the contract row, checks the role, the party and ``CONTRACT_STATES``,
and writes with ``update_fields`` inside a named history context.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction

from accounts.models import User
from core import clock, permissions
from core.money import quantize
from core.permissions import require
from procurement.choices import (
    AWARD_STATES,
    CONTRACT_STATES,
    AwardAction,
    ContractAction,
    ContractStatus,
    RenewalDecision,
)
from procurement.errors import (
    PriceCutInvalidError,
    ReasonRequiredError,
    RenewalNothingToRenewError,
    RenewalTooEarlyError,
)
from procurement.locks import lock_group, lock_round, locked
from procurement.models import Contract, GroupRenewal, Listing, PaymentStandard, TenderGroup
from procurement.selectors import contracts as selectors
from procurement.selectors.rounds import round_party_check
from procurement.services.awards import contract_create
from procurement.services.listings import history_context

REASON_MAX = 500


def _lock_contract(*, actor: User, contract_id: int, action: str) -> Contract:
    locking = locked(Contract.objects.all())
    return permissions.access(actor, locking, action=action, pk=contract_id)


@transaction.atomic
def contract_sign(*, actor: User, contract_id: int) -> Contract:
    """[R-VBP-CONTRACT] sign for the actor's side(s); the third signature puts it in force."""
    contract = _lock_contract(actor=actor, contract_id=contract_id, action="contract.sign")
    CONTRACT_STATES.check(contract, ContractAction.SIGN)
    sides = selectors.contract_sign_check(actor=actor, contract=contract)
    for side in sides:
        selectors.contract_role_check(actor=actor, side=side)
    now = clock.now()
    fields = []
    for side in sides:
        setattr(contract, f"{side}_signed_by", actor)
        setattr(contract, f"{side}_signed_at", now)
        fields += [f"{side}_signed_by", f"{side}_signed_at"]
    if all(
        getattr(contract, f"{side}_signed_at") is not None
        for side in (selectors.HOSPITAL, selectors.MANUFACTURER, selectors.DISTRIBUTOR)
    ):
        CONTRACT_STATES.check(contract, ContractAction.SIGN, target=ContractStatus.ACTIVE)
        contract.status = ContractStatus.ACTIVE
        fields.append("status")
    with history_context(actor, "contract_sign"):
        contract.save(update_fields=fields)
    return contract


def _reason(reason: object) -> str:
    text = str(reason or "").strip()
    if not text:
        raise ReasonRequiredError()
    return text[:REASON_MAX]


def _price_cut(value: object) -> Decimal:
    if isinstance(value, float | bool):
        raise PriceCutInvalidError()
    try:
        cut = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError):
        raise PriceCutInvalidError() from None
    if not cut.is_finite() or cut < 0 or cut >= 1 or cut.as_tuple().exponent < -4:  # type: ignore[operator]
        raise PriceCutInvalidError()
    return cut


def _decision_start(
    *, actor: User, round_id: int, group_id: int
) -> tuple[TenderGroup, list[Contract]]:
    """The locked group and its contracts in force of the current cycle, once the renewal
    window is open."""
    tender = lock_round(actor=actor, round_id=round_id, action="award.manage")
    round_party_check(actor=actor, round=tender, permission="award.manage")
    AWARD_STATES.check(tender, AwardAction.DECIDE_RENEWAL)
    group = lock_group(round=tender, group_id=group_id)
    live = list(
        locked(Contract.objects.all())
        .filter(group=group, status=ContractStatus.ACTIVE)
        .order_by("pk")
    )
    if not live:
        raise RenewalNothingToRenewError(group=group.code)
    cycle_end = max(contract.cycle_end for contract in live)
    opens = cycle_end - dt.timedelta(days=selectors.RENEWAL_WINDOW_DAYS)
    if clock.local_today() < opens:
        raise RenewalTooEarlyError(
            group=group.code, cycle_end=cycle_end.isoformat(), **{"from": opens.isoformat()}
        )
    for contract in live:
        CONTRACT_STATES.check(contract, ContractAction.RENEW)
    return group, live


@transaction.atomic
def group_renew(
    *, actor: User, round_id: int, group_id: int, price_cut: object = "0", reason: str
) -> list[Contract]:
    """[R-VBP-CONTRACT] [R-PAY-STANDARD] renew the group's contracts in force for the next
    cycle, at their price less ``price_cut`` (a share, 0 for none)."""
    require(actor, "award.manage")
    cut = _price_cut(price_cut)
    reason = _reason(reason)
    group, live = _decision_start(actor=actor, round_id=round_id, group_id=group_id)
    factor = Decimal(1) - cut
    renewed = []
    with history_context(actor, "group_renew", group=group.pk):
        for contract in live:
            length = contract.cycle_end - contract.cycle_start
            start = contract.cycle_end + dt.timedelta(days=1)
            contract.status = ContractStatus.RENEWED
            contract.save(update_fields=["status"])
            price = quantize(contract.price * factor)
            renewed.append(
                contract_create(
                    tender=group.round,
                    group_id=group.pk,
                    hospital=contract.hospital,
                    listing=contract.listing,
                    quantity=contract.agreed_quantity,
                    price=price,
                    cycle_start=start,
                    cycle_end=start + length,
                    renewed_from=contract,
                )
            )
            if cut:
                listing = locked(Listing.objects.all()).get(pk=contract.listing_id)
                if listing.price > price:
                    listing.price = price
                    listing.save(update_fields=["price"])
        first = renewed[0]
        current = PaymentStandard.objects.filter(group=group).order_by("-valid_from", "-id").first()
        if current is not None:
            PaymentStandard.objects.create(
                round=group.round,
                group=group,
                winner_price=quantize(current.winner_price * factor),
                non_winner_cap=quantize(current.non_winner_cap * factor),
                valid_from=first.cycle_start,
                valid_to=first.cycle_end,
                supersedes=current,
                reason=reason,
            )
        GroupRenewal.objects.create(
            group=group,
            round=group.round,
            decision=RenewalDecision.RENEW,
            price_cut=cut,
            cycle_start=first.cycle_start,
            cycle_end=first.cycle_end,
            reason=reason,
            decided_by=actor,
        )
    return renewed


@transaction.atomic
def group_retender(*, actor: User, round_id: int, group_id: int, reason: str) -> GroupRenewal:
    """[R-VBP-CONTRACT] close the group's contracts in force at the cycle's end and mark the
    group for a new round."""
    require(actor, "award.manage")
    reason = _reason(reason)
    group, live = _decision_start(actor=actor, round_id=round_id, group_id=group_id)
    with history_context(actor, "group_retender", group=group.pk):
        for contract in live:
            CONTRACT_STATES.check(contract, ContractAction.CLOSE)
            contract.status = ContractStatus.CLOSED
            contract.save(update_fields=["status"])
        return GroupRenewal.objects.create(
            group=group,
            round=group.round,
            decision=RenewalDecision.RETENDER,
            reason=reason,
            decided_by=actor,
        )
