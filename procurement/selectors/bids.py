"""Reads of sealed bids, custodians and refusals: always scoped to the actor. No read here
returns a price before the opening: there is none on the server (docs/sealed-bids.md)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from core import clock
from core.errors import NotFoundError
from procurement.choices import RoundStatus
from procurement.models import (
    RoundCustodian,
    TenderBid,
    TenderBidRefusal,
    TenderResult,
    TenderRound,
)
from procurement.models.results import RESULTS_PUBLIC
from procurement.selectors.rounds import round_get


def bid_list(*, actor: User, round: TenderRound, live_only: bool = False) -> QuerySet[TenderBid]:
    """The bids of ``round`` the actor sees: a supplier its own, the bureau who bid and when."""
    bids = TenderBid.objects.visible_to(actor).filter(round=round)
    if live_only:
        bids = bids.live()
    return bids.select_related(
        "group", "consumable", "supplier", "withdrawal", "replaced_by"
    ).order_by("group__code", "consumable__code", "submitted_at", "pk")


def bid_refusal_list(*, actor: User, round: TenderRound) -> QuerySet[TenderBidRefusal]:
    return (
        TenderBidRefusal.objects.visible_to(actor)
        .filter(round=round)
        .select_related("group", "consumable")
        .order_by("-created_at", "-pk")
    )


def custodian_list(*, round: TenderRound) -> QuerySet[RoundCustodian]:
    """Who holds the round's shares, whether collected and entered (never a share)."""
    return (
        RoundCustodian.objects.filter(round=round)
        .defer("wrapped_share", "entered_share")
        .select_related("user", "user__organization")
        .order_by("position")
    )


def my_custodianship(*, actor: User, round: TenderRound) -> RoundCustodian | None:
    return (
        RoundCustodian.objects.filter(round=round, user=actor)
        .defer("wrapped_share", "entered_share")
        .first()
    )


def custodian_rounds(*, actor: User) -> QuerySet[RoundCustodian]:
    """The rounds the actor holds a share of, newest first."""
    return (
        RoundCustodian.objects.filter(user=actor)
        .defer("wrapped_share", "entered_share")
        .select_related("round")
        .order_by("-round__created_at", "-round_id")
    )


def shares_to_collect(*, actor: User) -> QuerySet[RoundCustodian]:
    return custodian_rounds(actor=actor).filter(
        round__status=RoundStatus.PUBLISHED, collected_at__isnull=True
    )


def shares_to_enter(*, actor: User) -> QuerySet[RoundCustodian]:
    return custodian_rounds(actor=actor).filter(
        round__status__in=[RoundStatus.PUBLISHED, RoundStatus.BIDDING_CLOSED],
        round__opening_at__lte=clock.now(),
        entered_at__isnull=True,
        collected_at__isnull=False,
    )


def rounds_open_for_bids(*, actor: User) -> QuerySet[TenderRound]:
    """Published rounds with a key whose bid deadline lies ahead."""
    return TenderRound.objects.visible_to(actor).filter(
        status=RoundStatus.PUBLISHED, bid_deadline__gt=clock.now(), public_jwk__isnull=False
    )


def rounds_to_open(*, actor: User) -> QuerySet[TenderRound]:
    """The regulator's rounds whose opening time has come and that are not opened yet."""
    return TenderRound.objects.visible_to(actor).filter(
        status__in=[RoundStatus.PUBLISHED, RoundStatus.BIDDING_CLOSED],
        opening_at__lte=clock.now(),
        public_jwk__isnull=False,
    )


ROUND_TODOS = ("bid", "open")


def rounds_todo(*, actor: User, todo: str) -> QuerySet[TenderRound]:
    """The rounds of a home card's queue: ``bid`` (open for bids), ``open`` (to open)."""
    if todo == "bid":
        return rounds_open_for_bids(actor=actor)
    return rounds_to_open(actor=actor)


def rounds_public_results() -> QuerySet[TenderRound]:
    """Rounds whose results are public (publicity or final): anyone may read them."""
    return TenderRound.objects.filter(status__in=RESULTS_PUBLIC).order_by("-opened_at", "-pk")


def round_public_get(*, round_id: int) -> TenderRound:
    found = rounds_public_results().filter(pk=round_id).first()
    if found is None:
        raise NotFoundError()
    return found


def round_public_results(*, round: TenderRound) -> QuerySet[TenderResult]:
    """The results of a round in publicity or final: public by design (公示)."""
    if round.status not in RESULTS_PUBLIC:
        return TenderResult.objects.none()
    return (
        TenderResult.objects.filter(round=round)
        .select_related("group", "consumable", "supplier")
        .order_by("group__code", "rank", "pk")
    )


def tender_result_public_list(
    *, q: str = "", round_id: int | None = None, won: bool | None = None
) -> QuerySet[TenderResult]:
    """[R-DISCLOSE] The results of every round whose publicity has begun (in publicity or
    final), across rounds: what the public section searches and exports. Nothing of a round
    before its publicity (a bid is sealed until the opening, and an opened round's results
    wait for its publicity). ``q``: words in the product's code or name or the supplier's."""
    rows = TenderResult.objects.filter(round__status__in=RESULTS_PUBLIC)
    if round_id is not None:
        rows = rows.filter(round_id=round_id)
    if won is not None:
        rows = rows.filter(won=won)
    for word in (q or "").split():
        rows = rows.filter(
            Q(consumable__code__icontains=word)
            | Q(consumable__generic_name__icontains=word)
            | Q(consumable__product_name__icontains=word)
            | Q(supplier__name__icontains=word)
            | Q(round__number__icontains=word)
            | Q(round__name__icontains=word)
        )
    return rows.select_related("round", "group", "consumable", "supplier").order_by(
        "-round__opened_at", "round_id", "group__code", "rank", "pk"
    )


def bid_round_get(*, actor: User, round_id: int) -> TenderRound:
    return round_get(actor=actor, round_id=round_id)
