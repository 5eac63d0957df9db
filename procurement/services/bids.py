"""Sealed bids and the opening of a volume-based procurement round (issue #12 items 4-5).
Design, threat model and limits: docs/sealed-bids.md.

- Custodians (``round_custodians_set``, draft only): bureau officers of the round's
  province, one of them the discipline-inspection officer, k of n (2 <= k <= n <= 9).
- Publication (``round_key_ceremony``, called by ``round_publish``): a P-256 key pair whose
  private half is split k-of-n at once (core.sealed.key_ceremony); the public JWK and its
  fingerprint are stored on the round, each share is kept wrapped for its custodian only
  until they collect it (``share_collect``, once), then erased.
- Bids (``bid_submit``, ``bid_withdraw``): refused until every share is collected (so no bid
  exists while the server could rebuild the key) and after the deadline; an envelope is
  checked without decrypting and stored byte for byte; the receipt is its commitment. A bid
  for a product with a live bid replaces it (a new row naming the old one). Every refusal is
  recorded for the supplier (``TenderBidRefusal``) after the refused work rolled back.
- Opening (``share_enter``; ``round_open``): shares are entered from the opening time; the
  k-th opens the round: every live bid is decrypted and checked against its receipt, the
  price checked again against the group maximum, the group's winning rule applied, one
  TenderResult per bid written, and the round goes into publicity. ``round_finalise`` after
  the publicity makes the results final and applies them (services.awards).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from catalog.models import Consumable
from core import clock
from core.bulk import copy_insert
from core.errors import DomainError, NotFoundError, PermissionDeniedError
from core.restrictions import TENDER_BID, restriction_check
from core.sealed import Opening, SealedBid, check_share, commitment, inspect_envelope, key_ceremony
from core.sealed import open_bids as sealed_open_bids
from core.sealed.custody import unwrap, wrap
from core.sealed.errors import (
    BidCompanionPriceAboveMaximumError,
    ShareRejectedError,
    SharesInsufficientError,
)
from core.tenancy import REGULATOR_ROLES
from procurement import winning_rules
from procurement.choices import BID_STATES, BidAction, RoundStatus
from procurement.errors import (
    BidDeadlinePassedError,
    BidNotLiveError,
    BidProductNotInGroupError,
    BidProductNotOwnError,
    BidSupplierBarredError,
    CustodiansInvalidError,
    NotCustodianError,
    OpeningTooEarlyError,
    PublicityNotOverError,
    RoundKeyMissingError,
    ShareAlreadyCollectedError,
    ShareAlreadyEnteredError,
    SharesNotCollectedError,
)
from procurement.locks import lock_round, locked
from procurement.models import (
    RoundCustodian,
    TenderBid,
    TenderBidRefusal,
    TenderBidWithdrawal,
    TenderGroup,
    TenderResult,
    TenderRound,
)
from procurement.selectors.labels import CreditStanding, supplier_credit_for
from procurement.selectors.rounds import group_context, group_products_q, round_party_check

logger = logging.getLogger(__name__)

MAX_CUSTODIANS = 9


def _local(moment: dt.datetime) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M")


def _purpose(custodian: RoundCustodian, what: str) -> str:
    return f"round:{custodian.round_id}:custodian:{custodian.position}:{what}"


def _wrap(custodian: RoundCustodian, text: str, what: str) -> bytes:
    return wrap(text, secret=settings.SECRET_KEY, purpose=_purpose(custodian, what))


def _unwrap(custodian: RoundCustodian, blob: bytes | memoryview, what: str) -> str:
    return unwrap(bytes(blob), secret=settings.SECRET_KEY, purpose=_purpose(custodian, what))


# ---------------------------------------------------------------------------------------------
# Custodians and the key ceremony


@transaction.atomic
def round_custodians_set(
    *, actor: User, round_id: int, threshold: int, custodians: Sequence[Mapping[str, Any]]
) -> list[RoundCustodian]:
    """Name the custodians of a draft round (replacing any named before) and k."""
    round = lock_round(actor=actor, round_id=round_id, action="round.manage")
    round_party_check(actor=actor, round=round, permission="round.manage")
    BID_STATES.check(round, BidAction.NAME_CUSTODIANS)
    ids: list[int] = []
    discipline: set[int] = set()
    for line in custodians:
        try:
            user_id = int(line["user"])
        except (KeyError, TypeError, ValueError):
            raise CustodiansInvalidError(problem=_("each custodian is a user id.")) from None
        if user_id in ids:
            raise CustodiansInvalidError(problem=_("a user is named twice."))
        ids.append(user_id)
        if line.get("discipline_inspection"):
            discipline.add(user_id)
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise CustodiansInvalidError(problem=_("the number of shares needed is a whole number."))
    if not 2 <= threshold <= len(ids) <= MAX_CUSTODIANS:
        raise CustodiansInvalidError(
            problem=_("name from %(k)s to %(max)s custodians, at least 2 of them needed to open.")
            % {"k": max(threshold, 2), "max": MAX_CUSTODIANS}
        )
    if len(discipline) != 1:
        raise CustodiansInvalidError(
            problem=_("exactly one of them is the discipline-inspection officer.")
        )
    users = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("organization")}
    province = round.jurisdiction[:2]
    for user_id in ids:
        user = users.get(user_id)
        org = getattr(user, "organization", None)
        if (
            user is None
            or not user.is_active
            or org is None
            or not org.is_regulator
            or not org.jurisdiction.startswith(province)
            or not set(REGULATOR_ROLES) & set(user.roles)
        ):
            raise CustodiansInvalidError(
                problem=_("user %(user)s is not an officer of a bureau of the round's province.")
                % {"user": user_id}
            )
    RoundCustodian.objects.filter(round=round).delete()
    round.key_threshold = threshold
    round.save(update_fields=["key_threshold"])
    return RoundCustodian.objects.bulk_create(
        RoundCustodian(
            round=round,
            user_id=user_id,
            position=position,
            discipline_inspection=user_id in discipline,
        )
        for position, user_id in enumerate(ids, start=1)
    )


def round_key_ceremony(*, round: TenderRound) -> None:
    """At publication (inside round_publish's transaction, the round locked): the key pair,
    the public half stored, share i kept wrapped for custodian i, the private key dropped.
    A round without custodians gets no key (it takes no sealed bids)."""
    custodians = list(locked(RoundCustodian.objects.filter(round=round)).order_by("position"))
    if not custodians:
        return
    ceremony = key_ceremony(threshold=round.key_threshold, custodians=len(custodians))
    round.public_jwk = ceremony.public_jwk
    round.key_fingerprint = ceremony.fingerprint
    round.save(update_fields=["public_jwk", "key_fingerprint"])
    for custodian, share in zip(custodians, ceremony.shares, strict=True):
        custodian.wrapped_share = _wrap(custodian, share.text, "collect")
        custodian.save(update_fields=["wrapped_share"])
    del ceremony


def _my_custodian(actor: User, round: TenderRound) -> RoundCustodian:
    custodian = locked(RoundCustodian.objects.filter(round=round, user=actor)).first()
    if custodian is None:
        raise NotCustodianError(round=round.number)
    return custodian


@transaction.atomic
def share_collect(*, actor: User, round_id: int) -> tuple[RoundCustodian, str]:
    """The custodian's share, exactly once: it is erased from the server as it is returned.
    The caller shows it and keeps no copy (the API marks it a secret field)."""
    round = lock_round(actor=actor, round_id=round_id, action="share.hold")
    custodian = _my_custodian(actor, round)
    if custodian.collected_at is not None:
        raise ShareAlreadyCollectedError(round=round.number, at=_local(custodian.collected_at))
    BID_STATES.check(round, BidAction.COLLECT_SHARE)
    if custodian.wrapped_share is None:
        raise RoundKeyMissingError(round=round.number)
    text = _unwrap(custodian, custodian.wrapped_share, "collect")
    custodian.wrapped_share = None
    custodian.collected_at = clock.now()
    custodian.save(update_fields=["wrapped_share", "collected_at"])
    return custodian, text


def _close_bidding(round: TenderRound) -> None:
    BID_STATES.check(round, BidAction.CLOSE_BIDDING)
    round.status = RoundStatus.BIDDING_CLOSED
    round.save(update_fields=["status"])


@transaction.atomic
def share_enter(*, actor: User, round_id: int, share: str) -> TenderRound:
    """A custodian enters their share, from the opening time on. The k-th share entered
    opens the round (``round_open``); fewer wait, wrapped, erased at the opening."""
    round = lock_round(actor=actor, round_id=round_id, action="share.hold")
    custodian = _my_custodian(actor, round)
    BID_STATES.check(round, BidAction.ENTER_SHARE)
    if clock.now() < round.opening_at:
        raise OpeningTooEarlyError(round=round.number, opening_at=_local(round.opening_at))
    if custodian.entered_at is not None:
        raise ShareAlreadyEnteredError(round=round.number, at=_local(custodian.entered_at))
    if round.public_jwk is None:
        raise RoundKeyMissingError(round=round.number)
    index = check_share(str(share or ""), round.public_jwk)  # unreadable, other round: 400
    if index != custodian.position:
        raise ShareRejectedError(
            count=1,
            summary=_("share 1 is custodian %(index)s's, not yours") % {"index": index},
            shares=[{"position": 1, "index": index, "reason": "other_custodian"}],
        )
    if round.status == RoundStatus.PUBLISHED:
        _close_bidding(round)
    custodian.entered_share = _wrap(custodian, str(share), "enter")
    custodian.entered_at = clock.now()
    custodian.save(update_fields=["entered_share", "entered_at"])
    entered = RoundCustodian.objects.filter(round=round, entered_at__isnull=False).count()
    if entered >= round.key_threshold:
        _open(round)
    return round


# ---------------------------------------------------------------------------------------------
# Bids


def _refusal_record(
    *,
    actor: User,
    round_id: int,
    action: str,
    error: DomainError,
    group_id: object = None,
    product: object = None,
) -> None:
    org = actor.organization
    round = TenderRound.objects.filter(pk=round_id).first()
    if round is None or org is None or not org.is_supplier:
        return
    group = (
        TenderGroup.objects.filter(pk=cast(int, group_id), round=round).first()
        if _is_id(group_id)
        else None
    )
    consumable = (
        Consumable.objects.filter(pk=cast(int, product)).first() if _is_id(product) else None
    )
    TenderBidRefusal.objects.create(
        round=round,
        supplier=org,
        group=group,
        consumable=consumable,
        action=action,
        code=error.code,
        message=str(error.message)[:500],
        created_by=actor,
        created_at=clock.now(),
    )


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _bid_round(actor: User, round_id: int) -> TenderRound:
    round = lock_round(actor=actor, round_id=round_id, action="bid.submit")
    org = actor.organization
    if org is None or not org.is_supplier:
        raise PermissionDeniedError(action="bid.submit")
    BID_STATES.check(round, BidAction.BID)
    if clock.now() >= round.bid_deadline:
        raise BidDeadlinePassedError(round=round.number, deadline=_local(round.bid_deadline))
    if round.public_jwk is None:
        raise RoundKeyMissingError(round=round.number)
    custodians = list(RoundCustodian.objects.filter(round=round).values_list("collected_at"))
    collected = sum(1 for (at,) in custodians if at is not None)
    if collected < len(custodians):
        raise SharesNotCollectedError(
            round=round.number, collected=collected, custodians=len(custodians)
        )
    # [R-CREDIT] a supplier barred from tenders by a sanction in force bids nothing (the
    # sanction's own refusal first: it says which and until when).
    restriction_check(TENDER_BID, organization_id=org.pk)
    if supplier_credit_for(manufacturer_id=org.pk) == CreditStanding.BLACKLISTED:
        raise BidSupplierBarredError(reason=_("blacklisted"))
    return round


def bid_submit(
    *, actor: User, round_id: int, group_id: int, product_id: int, envelope: str
) -> TenderBid:
    """Store a sealed bid for ``product_id`` in ``group_id`` and return it (its commitment is
    the receipt). A live bid of the product is replaced. Refusals are recorded."""
    try:
        with transaction.atomic():
            return _bid_submit(
                actor=actor,
                round_id=round_id,
                group_id=group_id,
                product_id=product_id,
                envelope=envelope,
            )
    except DomainError as error:
        if not isinstance(error, NotFoundError):
            _refusal_record(
                actor=actor,
                round_id=round_id,
                action="bid",
                error=error,
                group_id=group_id,
                product=product_id,
            )
        raise


def _bid_submit(
    *, actor: User, round_id: int, group_id: int, product_id: int, envelope: str
) -> TenderBid:
    round = _bid_round(actor, round_id)
    org = cast(Organization, actor.organization)
    group = TenderGroup.objects.filter(round=round, pk=group_id).first()
    if group is None:
        raise NotFoundError()
    consumable = Consumable.objects.filter(pk=product_id).first() if _is_id(product_id) else None
    if (
        consumable is None
        or not Consumable.objects.filter(group_products_q(group), pk=consumable.pk).exists()
    ):
        raise BidProductNotInGroupError(product=product_id, group=group.code)
    if consumable.manufacturer_id != org.pk:
        raise BidProductNotOwnError(product=consumable.code)
    if round.public_jwk is None:
        raise RoundKeyMissingError(round=round.number)
    inspect_envelope(envelope, round.public_jwk)
    # The round row is locked: bids of the round are serialised (no FOR UPDATE on an
    # append-only table, which the runtime role may not update).
    live = (
        TenderBid.objects.live()
        .filter(round=round, group=group, consumable=consumable)
        .order_by("pk")
        .first()
    )
    return TenderBid.objects.create(
        round=round,
        group=group,
        consumable=consumable,
        supplier=org,
        envelope=envelope,
        commitment=commitment(
            envelope,
            round_fingerprint=round.key_fingerprint,
            supplier=org.pk,
            product=consumable.pk,
        ),
        replaces=live,
        submitted_by=actor,
        submitted_at=clock.now(),
    )


def bid_withdraw(*, actor: User, round_id: int, bid_id: int) -> TenderBidWithdrawal:
    """Withdraw a live bid before the deadline."""
    try:
        with transaction.atomic():
            round = _bid_round(actor, round_id)
            bid = TenderBid.objects.visible_to(actor).filter(round=round, pk=bid_id).first()
            if bid is None:
                raise NotFoundError()
            if not TenderBid.objects.live().filter(pk=bid.pk).exists():
                raise BidNotLiveError()
            return TenderBidWithdrawal.objects.create(
                bid=bid, withdrawn_by=actor, withdrawn_at=clock.now()
            )
    except DomainError as error:
        if not isinstance(error, NotFoundError):
            _refusal_record(actor=actor, round_id=round_id, action="withdraw", error=error)
        raise


# ---------------------------------------------------------------------------------------------
# Opening, publicity, final


@transaction.atomic
def round_open(*, actor: User, round_id: int) -> TenderRound:
    """The bureau's action once k custodians have entered their shares (the k-th entry
    opens the round already; this is for a round whose opening failed or was deferred)."""
    round = lock_round(actor=actor, round_id=round_id, action="round.open")
    round_party_check(actor=actor, round=round, permission="round.open")
    if clock.now() < round.opening_at:
        raise OpeningTooEarlyError(round=round.number, opening_at=_local(round.opening_at))
    if round.status == RoundStatus.PUBLISHED:
        _close_bidding(round)
    _open(round)
    return round


def _open(round: TenderRound) -> None:
    """Open the (locked, bidding-closed) round with the shares entered."""
    BID_STATES.check(round, BidAction.OPEN)
    if round.public_jwk is None:
        raise RoundKeyMissingError(round=round.number)
    custodians = list(
        locked(RoundCustodian.objects.filter(round=round, entered_share__isnull=False)).order_by(
            "position"
        )
    )
    if len(custodians) < round.key_threshold:
        raise SharesInsufficientError(given=len(custodians), needed=round.key_threshold)
    shares = [_unwrap(c, cast(bytes, c.entered_share), "enter") for c in custodians]
    bids = list(TenderBid.objects.live().filter(round=round).order_by("pk"))
    opening = sealed_open_bids(
        shares,
        round.public_jwk,
        [
            SealedBid(b.envelope, b.commitment, b.supplier_id, b.consumable_id, ref=b.pk)
            for b in bids
        ],
        round_ref=round.pk,
        threshold=round.key_threshold,
    )
    del shares
    results_write(round=round, bids=bids, opening=opening)
    RoundCustodian.objects.filter(round=round).update(entered_share=None)
    now = clock.now()
    round.status = RoundStatus.OPENED
    round.opened_at = now
    round.save(update_fields=["status", "opened_at"])
    BID_STATES.check(round, BidAction.START_PUBLICITY)
    round.status = RoundStatus.PUBLICITY
    round.save(update_fields=["status"])
    logger.info("round %s opened: %s bids", round.pk, len(bids))


def results_write(*, round: TenderRound, bids: Iterable[TenderBid], opening: Opening) -> int:
    """One TenderResult per opened bid: each group's winning rule on its valid bids (the
    price checked again against the maximum there), a refused envelope invalid with its
    reason; [R-VBP-COMPANION] the price with companion service written with the price, a bid
    whose companion price is above the group maximum invalid with its reason."""
    by_pk = {bid.pk: bid for bid in bids}
    groups = {g.pk: g for g in TenderGroup.objects.filter(round=round)}
    priced: dict[int, list[winning_rules.Bid]] = {}
    companion: dict[int, Decimal | None] = {}
    rows = []
    for opened in opening.opened:
        bid = by_pk[cast(int, opened.ref)]
        companion[bid.pk] = opened.companion_price
        maximum = groups[bid.group_id].max_valid_price
        if opened.companion_price is not None and opened.companion_price > maximum:
            # [R-VBP-COMPANION] checked again like the price: the whole bid is invalid.
            error = BidCompanionPriceAboveMaximumError(
                price=opened.companion_price, maximum=maximum
            )
            rows.append(
                TenderResult(
                    round=round,
                    group_id=bid.group_id,
                    consumable_id=bid.consumable_id,
                    supplier_id=bid.supplier_id,
                    bid=bid,
                    price=opened.price,
                    companion_price=opened.companion_price,
                    valid=False,
                    invalid_reason=str(error.message)[:500],
                    rank=None,
                    won=False,
                )
            )
            continue
        priced.setdefault(bid.group_id, []).append(winning_rules.Bid(opened.ref, opened.price))
    for group_id, group_bids in sorted(priced.items()):
        group = groups[group_id]
        outcome = winning_rules.evaluate(group.winning_rule, group_bids, group_context(group))
        for result in outcome.results:
            bid = by_pk[cast(int, result.key)]
            rows.append(
                TenderResult(
                    round=round,
                    group=group,
                    consumable_id=bid.consumable_id,
                    supplier_id=bid.supplier_id,
                    bid=bid,
                    price=result.price,
                    companion_price=companion[bid.pk],
                    valid=result.valid,
                    invalid_reason=str(result.reason)[:500],
                    rank=result.rank,
                    won=result.won,
                )
            )
    for refused in opening.refused:
        bid = by_pk[cast(int, refused.ref)]
        rows.append(
            TenderResult(
                round=round,
                group_id=bid.group_id,
                consumable_id=bid.consumable_id,
                supplier_id=bid.supplier_id,
                bid=bid,
                price=None,
                valid=False,
                invalid_reason=str(refused.error.message)[:500],
                rank=None,
                won=False,
            )
        )
    # A round of 200 groups of 50 bids writes 10,000 results in the opening's transaction:
    # one COPY instead of batched INSERTs (bench/tender_opening.py).
    return copy_insert(TenderResult, rows)


def round_finalise(*, actor: User | None, round_id: int) -> TenderRound:
    """After the publicity: the results are final and applied (listings 优先, payment
    standards, stepped targets, the choice period). ``actor`` None: the beat task."""
    from procurement.services.awards import round_apply_results

    with transaction.atomic():
        if actor is None:
            round = locked(TenderRound.objects.all()).get(pk=round_id)
        else:
            round = lock_round(actor=actor, round_id=round_id, action="round.open")
            round_party_check(actor=actor, round=round, permission="round.open")
        BID_STATES.check(round, BidAction.FINALISE)
        if clock.now() < round.publicity_end:
            raise PublicityNotOverError(
                round=round.number, publicity_end=_local(round.publicity_end)
            )
        round.status = RoundStatus.FINAL
        round.save(update_fields=["status"])
        round_apply_results(actor=None, round_id=round.pk)
    return round


# ---------------------------------------------------------------------------------------------
# The beat (no actor): close bidding at the deadline, finalise after the publicity


def rounds_close_bidding_due() -> int:
    closed = 0
    due = TenderRound.objects.filter(status=RoundStatus.PUBLISHED, bid_deadline__lte=clock.now())
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            round = (
                locked(TenderRound.objects.filter(pk=pk, status=RoundStatus.PUBLISHED))
                .filter(bid_deadline__lte=clock.now())
                .first()
            )
            if round is not None:
                _close_bidding(round)
                closed += 1
    return closed


def rounds_finalise_due() -> int:
    done = 0
    due = TenderRound.objects.filter(
        status=RoundStatus.PUBLICITY, publicity_end__lte=clock.now()
    ).values_list("pk", flat=True)
    for pk in due:
        try:
            round_finalise(actor=None, round_id=pk)
            done += 1
        except DomainError:
            logger.warning("round %s could not be finalised", pk)
    return done
