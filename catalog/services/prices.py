"""Reference prices and objections: the lowest-price tracking lifecycle [R-LIST-CATALOGUES].

    proposed --publicity_start--> publicity --confirm--> confirmed --(next confirm)--> superseded
    flagged (an increase) --publicity_start, bureau only--> publicity
    proposed / flagged / publicity --withdraw (bureau), upheld objection--> withdrawn
    proposed / flagged / publicity --replaced by a lower national price (sync)--> superseded

Each transition is one function here: it checks the role, locks the row, checks
``REFERENCE_PRICE_STATES`` (catalog.choices; a refusal is ``invalid_state``, core.transitions)
and writes with ``update_fields``. History is written by the
pghistory triggers; every function attaches who (or which sync run) did it as context.

``actor=None`` means the system (the nightly sync); only proposing, starting the publicity of a
price *decrease* and confirming may be done by the system. Increases are never applied
automatically: they are flagged for the bureau.

The nightly sync (catalog/services/sync.py) applies the same rules set-based in SQL;
``proposal_action`` is the one statement of those rules in Python, and the sync's SQL mirrors it
(tests compare both paths).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any, NamedTuple

import pghistory
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.choices import (
    OPEN_REFERENCE_STATUSES,
    REFERENCE_PRICE_STATES,
    ObjectionStatus,
    ReferencePriceAction,
    ReferencePriceStatus,
)
from catalog.errors import (
    ObjectionAlreadyOpenError,
    ObjectionAlreadyResolvedError,
    ObjectionReasonRequiredError,
    ObjectionResolutionInvalidError,
    ReferencePriceIncreaseNeedsBureauError,
    ReferencePriceReasonRequiredError,
    ReferencePriceUnchangedError,
)
from catalog.locks import (
    lock_confirmed_reference_price,
    lock_consumable,
    lock_price_objection,
    lock_reference_price,
    lock_reference_prices_of,
)
from catalog.models import PriceObjection, ReferencePrice, ReferencePriceCut, SyncRun
from catalog.selectors import (
    no_open_objection_check,
    objection_window_check,
    objector_check,
    publicity_ended_check,
)
from core import clock
from core.errors import PermissionDeniedError
from core.money import AmountInvalidError, parse_amount
from core.permissions import access, require
from core.policy import RegionPolicy, policy_for, system_region_policy

# ---------------------------------------------------------------------------------------------
# Rules shared with the set-based sync


class ProposalAction(enum.StrEnum):
    UNCHANGED = "unchanged"
    PROPOSE = "propose"  # a decrease (or a first price): proposed, then straight into publicity
    FLAG = "flag"  # an increase: flagged for the bureau, never applied automatically


def proposal_action(
    *,
    price: Decimal,
    confirmed_price: Decimal | None,
    open_price: Decimal | None,
    open_is_increase: bool,
    bureau_withdrew_same: bool,
) -> ProposalAction:
    """What a newly observed national lowest ``price`` does to a product's reference price.

    - Equal to the confirmed price: nothing.
    - Lower (or no confirmed price yet): a new proposal replaces the open one, unless the open
      one is a decrease at the same or a lower price (lowest-price *locking*: a price that rose
      again does not undo a lower proposal already in publicity).
    - Higher: flagged, unless something is already open for the product.
    - A price the bureau withdrew (or an objection against it was upheld) is not proposed again
      while the confirmed price it was compared with is unchanged, so the bureau's decision is
      not undone every night.
    """
    if confirmed_price is not None and price == confirmed_price:
        return ProposalAction.UNCHANGED
    has_open = open_price is not None
    if confirmed_price is None or price < confirmed_price:
        if open_price is not None and not open_is_increase and open_price <= price:
            return ProposalAction.UNCHANGED
        return ProposalAction.UNCHANGED if bureau_withdrew_same else ProposalAction.PROPOSE
    if has_open or bureau_withdrew_same:
        return ProposalAction.UNCHANGED
    return ProposalAction.FLAG


def publicity_policy(actor: User | None) -> RegionPolicy:
    """The bureau's own region policy when a person acts, the system's otherwise."""
    org = getattr(actor, "organization", None) if actor is not None else None
    return policy_for(org.region_code) if org is not None else system_region_policy()


class PublicityWindow(NamedTuple):
    starts: dt.date
    ends: dt.date
    # The end was counted Monday to Friday over a year known to neither the platform's
    # calendar nor chinese-calendar (core.clock), and is shown as such.
    estimated: bool


def publicity_window(start: dt.date, policy: RegionPolicy) -> PublicityWindow:
    """[R-LIST-CATALOGUES] Publicity starts on ``start`` and ends (inclusive: objections are
    accepted through that day) N working days later (core.clock: the platform's calendar, then
    chinese-calendar; Monday to Friday, logged and flagged, for a year known to neither)."""
    ends = clock.add_working_days(start, policy.reference_price_publicity_working_days)
    return PublicityWindow(start, ends.date, ends.degraded)


# ---------------------------------------------------------------------------------------------
# Helpers


def _history(actor: User | None, action: str, **extra: Any) -> pghistory.context:
    """History context: inside a request the middleware has already set user and organisation;
    this adds the service name, and supplies the actor when called from a task or a shell."""
    if actor is None:
        return pghistory.context(action=action, actor="system", **extra)
    return pghistory.context(
        action=action, user=actor.pk, organization=getattr(actor, "organization_id", None), **extra
    )


def _require_manager(actor: User | None) -> None:
    if actor is None:
        # Only the services that document a system path may be called without an actor.
        raise PermissionDeniedError(action="reference_price.manage")
    require(actor, "reference_price.manage")


def _positive_amount(value: object) -> Decimal:
    amount = parse_amount(value)
    if amount <= 0:
        raise AmountInvalidError(value=value, reason=_("must be greater than zero"))
    return amount


def _close_open(rp: ReferencePrice, action: ReferencePriceAction, note: str) -> None:
    """Withdraw or supersede an open price (the row is already locked)."""
    REFERENCE_PRICE_STATES.check(rp, action)
    rp.status = REFERENCE_PRICE_STATES.targets[action]
    rp.closed_at = clock.now()
    rp.note = note
    rp.save(update_fields=["status", "closed_at", "note"])


def _start_publicity(rp: ReferencePrice, policy: RegionPolicy) -> None:
    REFERENCE_PRICE_STATES.check(rp, ReferencePriceAction.START_PUBLICITY)
    rp.status = ReferencePriceStatus.PUBLICITY
    window = publicity_window(clock.local_today(), policy)
    rp.publicity_starts_on, rp.publicity_ends_on = window.starts, window.ends
    rp.publicity_ends_estimated = window.estimated
    rp.save(
        update_fields=[
            "status",
            "publicity_starts_on",
            "publicity_ends_on",
            "publicity_ends_estimated",
        ]
    )


# ---------------------------------------------------------------------------------------------
# Transitions


def reference_price_propose(
    *,
    consumable_id: int,
    price: Decimal | str,
    actor: User | None = None,
    source_province: str = "",
    source_platform: str = "",
    observed_on: dt.date | None = None,
    sync_run: SyncRun | None = None,
    note: str = "",
) -> ReferencePrice | None:
    """Propose ``price`` as the product's reference price; return the open reference price that
    stands for the product afterwards: a new one, or the existing one when the rules in
    ``proposal_action`` leave it unchanged (compare ``.price``), or None when nothing is open.
    A price equal to the confirmed one is refused (ReferencePriceUnchangedError).

    A decrease is proposed and put straight into publicity; an increase is flagged for the
    bureau. The system (``actor=None``) does not re-propose a price the bureau withdrew; a
    bureau officer proposing by hand may.
    """
    if actor is not None:
        require(actor, "reference_price.manage")
    price = _positive_amount(price)
    with transaction.atomic(), _history(actor, "reference_price_propose"):
        # Lock the product so that two proposals for it are decided one after the other.
        consumable = lock_consumable(consumable_id=consumable_id)
        prices = lock_reference_prices_of(consumable=consumable)
        confirmed = prices.filter(status=ReferencePriceStatus.CONFIRMED).first()
        open_rp = prices.filter(status__in=OPEN_REFERENCE_STATUSES).first()
        confirmed_price = confirmed.price if confirmed else None
        if confirmed_price == price:
            raise ReferencePriceUnchangedError(price=price, consumable=consumable.code)
        withdrew_same = actor is None and (
            ReferencePrice.objects.filter(
                consumable=consumable,
                status=ReferencePriceStatus.WITHDRAWN,
                price=price,
                previous_price=confirmed_price,
            ).exists()
        )
        action = proposal_action(
            price=price,
            confirmed_price=confirmed_price,
            open_price=open_rp.price if open_rp else None,
            open_is_increase=bool(open_rp and open_rp.is_increase),
            bureau_withdrew_same=withdrew_same,
        )
        if action == ProposalAction.UNCHANGED:
            return open_rp
        if open_rp is not None:
            _close_open(
                open_rp,
                ReferencePriceAction.SUPERSEDE,
                _("Replaced by the lower price %(price)s.") % {"price": price},
            )
        is_increase = action == ProposalAction.FLAG
        rp = ReferencePrice.objects.create(
            consumable=consumable,
            price=price,
            status=ReferencePriceStatus.FLAGGED if is_increase else ReferencePriceStatus.PROPOSED,
            source_province=source_province,
            source_platform=source_platform,
            observed_on=observed_on,
            sync_run=sync_run,
            previous_price=confirmed_price,
            is_increase=is_increase,
            note=note,
        )
        if not is_increase:
            _start_publicity(rp, publicity_policy(actor))
        return rp


def reference_price_publicity_start(
    *, reference_price_id: int, actor: User | None = None
) -> ReferencePrice:
    """Put a proposed (or, by the bureau only, a flagged) price into publicity for the region
    policy's N working days [R-LIST-CATALOGUES]."""
    if actor is not None:
        require(actor, "reference_price.manage")
    with transaction.atomic(), _history(actor, "reference_price_publicity_start"):
        rp = lock_reference_price(reference_price_id=reference_price_id)
        REFERENCE_PRICE_STATES.check(rp, ReferencePriceAction.START_PUBLICITY)
        if actor is None and rp.is_increase:
            raise ReferencePriceIncreaseNeedsBureauError(reference_price=rp.pk)
        _start_publicity(rp, publicity_policy(actor))
        return rp


def reference_price_confirm(
    *, reference_price_id: int, actor: User | None = None
) -> ReferencePrice:
    """Confirm (lock) a price whose publicity has ended without open objections; it supersedes
    the product's confirmed price, and a fall is recorded as a ReferencePriceCut (a first
    reference price counts as a fall from none: the product enters the capped catalogue)."""
    if actor is not None:
        require(actor, "reference_price.manage")
    with transaction.atomic(), _history(actor, "reference_price_confirm"):
        rp = lock_reference_price(reference_price_id=reference_price_id)
        REFERENCE_PRICE_STATES.check(rp, ReferencePriceAction.CONFIRM)
        publicity_ended_check(reference_price=rp, today=clock.local_today())
        no_open_objection_check(
            reference_price=rp, count=rp.objections.filter(status=ObjectionStatus.OPEN).count()
        )
        now = clock.now()
        previous = lock_confirmed_reference_price(consumable_id=rp.consumable_id)
        if previous is not None:
            REFERENCE_PRICE_STATES.check(previous, ReferencePriceAction.SUPERSEDE)
            previous.status = ReferencePriceStatus.SUPERSEDED
            previous.closed_at = now
            previous.save(update_fields=["status", "closed_at"])
        rp.status = ReferencePriceStatus.CONFIRMED
        rp.confirmed_at = now
        rp.save(update_fields=["status", "confirmed_at"])
        if previous is None or rp.price < previous.price:
            ReferencePriceCut.objects.create(
                consumable_id=rp.consumable_id,
                reference_price=rp,
                old_price=previous.price if previous else None,
                new_price=rp.price,
                effective_at=now,
            )
        return rp


def reference_price_withdraw(
    *, reference_price_id: int, actor: User | None, reason: str
) -> ReferencePrice:
    """The bureau withdraws an open price (proposed, flagged or in publicity), with a reason.
    A confirmed price is locked: it can only be superseded by a newer confirmed one."""
    _require_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ReferencePriceReasonRequiredError()
    with transaction.atomic(), _history(actor, "reference_price_withdraw"):
        rp = lock_reference_price(reference_price_id=reference_price_id)
        _close_open(rp, ReferencePriceAction.WITHDRAW, reason)
        return rp


def price_objection_raise(*, reference_price_id: int, actor: User, reason: str) -> PriceObjection:
    """A manufacturer's or distributor's sales staff object to a price in publicity, through the
    last day of its publicity, with a reason; one open objection per organisation and price."""
    require(actor, "price_objection.raise")
    org = objector_check(actor=actor)
    reason = (reason or "").strip()
    if not reason:
        raise ObjectionReasonRequiredError()
    with transaction.atomic(), _history(actor, "price_objection_raise"):
        # Locking the price serialises objections with confirmation, which checks for them.
        rp = lock_reference_price(reference_price_id=reference_price_id)
        objection_window_check(reference_price=rp, today=clock.local_today())
        if rp.objections.filter(supplier=org, status=ObjectionStatus.OPEN).exists():
            raise ObjectionAlreadyOpenError(reference_price=rp.pk)
        return PriceObjection.objects.create(
            reference_price=rp, supplier=org, reason=reason, raised_by=actor
        )


def price_objection_resolve(
    *, objection_id: int, actor: User | None, outcome: str, resolution: str
) -> PriceObjection:
    """The bureau answers an objection. Upheld: the price is withdrawn (if still open).
    Dismissed: it stays, and is confirmed once its publicity has ended and no objection is open."""
    require(actor, "price_objection.resolve")
    resolution = (resolution or "").strip()
    if outcome not in (ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED) or not resolution:
        raise ObjectionResolutionInvalidError(outcome=outcome)
    found = access(actor, PriceObjection.objects, action="price_objection.resolve", pk=objection_id)
    with transaction.atomic(), _history(actor, "price_objection_resolve"):
        # Price first, then objection: the same order as raising, so the two cannot deadlock.
        rp = lock_reference_price(reference_price_id=found.reference_price_id)
        objection = lock_price_objection(objection_id=found.pk)
        if objection.status != ObjectionStatus.OPEN:
            raise ObjectionAlreadyResolvedError(objection=objection.pk, status=objection.status)
        objection.status = outcome
        objection.resolution = resolution
        objection.resolved_by = actor
        objection.resolved_at = clock.now()
        objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        if outcome == ObjectionStatus.UPHELD and rp.status in OPEN_REFERENCE_STATUSES:
            _close_open(
                rp,
                ReferencePriceAction.WITHDRAW,
                _("Objection %(objection)s upheld: %(resolution)s")
                % {"objection": objection.pk, "resolution": resolution},
            )
        return objection
