"""Reads of credit [R-CREDIT] [R-MISCONDUCT], actor-scoped but where named ``*_unscoped``:
the misconduct catalogue, credit events and their sanctions, an organisation's score and
rating, what an actor may do with an event or a repair application, the serious cases the
public pages disclose, and the provider of core.restrictions (sanctions that bite in
procurement)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from core import clock, permissions, restrictions
from core import credit as core_credit
from core.actions import Actions, role_check, verdict
from core.errors import DomainError, NotFoundError, PermissionDeniedError, SanctionInForceError
from core.tenancy import OVERSEER_ROLES
from procurement.choices import ContractStatus
from procurement.models import Contract
from procurement.selectors.contracts import with_progress
from supervision.choices import (
    CREDIT_EVENT_STATES,
    QUALITY_SERIOUS,
    REPAIR_STATES,
    SERIOUS_LEVELS,
    CreditEventStatus,
    CreditRating,
    QualityStatus,
    Rate,
    RepairAction,
    RepairStatus,
    SanctionKind,
    SliceKind,
)
from supervision.errors import CreditRepairNotAllowedError, CreditRepairPendingError
from supervision.models import (
    CreditEvent,
    CreditRepair,
    FiveRatesFigure,
    MisconductItem,
    QualityReport,
    Sanction,
)

# [R-CREDIT] the score: 100, less the deductions of the standing events recorded in the last
# SCORE_WINDOW_DAYS; the rating's floors. Platform constants until a bureau asks to tune them.
SCORE_FULL = 100
SCORE_WINDOW_DAYS = 365
RATING_FLOORS = ((90, CreditRating.A), (75, CreditRating.B), (60, CreditRating.C))

# [R-LABELS] how credit weighs on the purchase label suggestion (core.credit): a sanction of
# these kinds in force blacklists the supplier (Forbidden) or makes its credit poor (at most
# Restricted); so does a score below LABEL_POOR_SCORE (rating C or D) and a confirmed serious
# quality report on the product within the score's window. Platform constants, like the
# rating's floors, until a bureau asks to tune them.
LABEL_BLACKLISTING = frozenset({SanctionKind.BAR_TENDERS, SanctionKind.PUBLIC_DISCLOSURE})
LABEL_POOR = frozenset(
    {SanctionKind.RISK_NOTICE, SanctionKind.SUSPEND_LISTING, SanctionKind.SUSPEND_DELIVERY}
)
LABEL_POOR_SCORE = 75

# Which sanction refuses which restriction of core.restrictions.
RESTRICTING: dict[str, str] = {
    restrictions.ORDER_LISTING: SanctionKind.SUSPEND_LISTING,
    restrictions.DELIVERY: SanctionKind.SUSPEND_DELIVERY,
    restrictions.TENDER_BID: SanctionKind.BAR_TENDERS,
}


def _require(actor: User, action: str) -> None:
    if not permissions.can(actor, action):
        raise PermissionDeniedError(action=action)


# --- The catalogue ---------------------------------------------------------------------------


def misconduct_item_list(*, actor: User, active_only: bool = False) -> QuerySet[MisconductItem]:
    _require(actor, "misconduct_item.view")
    rows = MisconductItem.objects.all()
    return rows.filter(is_active=True) if active_only else rows


def misconduct_item_get(*, actor: User, item_id: int) -> MisconductItem:
    item = misconduct_item_list(actor=actor).filter(pk=item_id).first()
    if item is None:
        raise NotFoundError()
    return item


# --- Events, sanctions -------------------------------------------------------------------------


def credit_event_list(
    *,
    actor: User,
    status: list[str] | None = None,
    subject_id: int | None = None,
    month: dt.date | None = None,
    repair_pending: bool = False,
) -> QuerySet[CreditEvent]:
    """The events the actor may see (an organisation its own, the bureau its region's),
    newest first; ``month`` (its first day): recorded that month in Asia/Shanghai;
    ``repair_pending``: with a repair application awaiting the bureau."""
    _require(actor, "credit.view")
    rows = CreditEvent.objects.visible_to(actor).select_related("subject", "item", "listing")
    if status:
        rows = rows.filter(status__in=status)
    if subject_id:
        rows = rows.filter(subject_id=subject_id)
    if month is not None:
        start = dt.datetime.combine(month, dt.time(), tzinfo=clock.SHANGHAI)
        following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        end = dt.datetime.combine(following, dt.time(), tzinfo=clock.SHANGHAI)
        rows = rows.filter(recorded_at__gte=start, recorded_at__lt=end)
    if repair_pending:
        rows = rows.filter(
            Exists(CreditRepair.objects.filter(event=OuterRef("pk"), status=RepairStatus.PENDING))
        )
    return rows.defer("evidence_content")


def credit_event_get(*, actor: User, event_id: int) -> CreditEvent:
    event = (
        credit_event_list(actor=actor)
        .prefetch_related("sanctions", "repairs__applied_by", "repairs__decided_by")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        raise NotFoundError()
    return event


def credit_event_evidence(*, actor: User, event_id: int) -> CreditEvent:
    event = CreditEvent.objects.visible_to(actor).filter(pk=event_id).first()
    if event is None or not event.evidence_content:
        raise NotFoundError()
    _require(actor, "credit.view")
    return event


def sanction_list(
    *, actor: User, in_force: bool = True, kind: str = "", subject_id: int | None = None
) -> QuerySet[Sanction]:
    """The sanctions the actor may see; ``in_force``: only those that bite now."""
    _require(actor, "credit.view")
    rows = Sanction.objects.visible_to(actor).select_related("subject", "event__item", "listing")
    if in_force:
        rows = rows.in_force(clock.now())
    if kind:
        rows = rows.filter(kind=kind)
    if subject_id:
        rows = rows.filter(subject_id=subject_id)
    return rows


def repair_list(*, actor: User, status: list[str] | None = None) -> QuerySet[CreditRepair]:
    _require(actor, "credit.view")
    rows = CreditRepair.objects.visible_to(actor).select_related("event__item", "subject")
    if status:
        rows = rows.filter(status__in=status)
    return rows.defer("evidence_content")


def credit_repair_get(*, actor: User, repair_id: int) -> CreditRepair:
    repair = repair_list(actor=actor).filter(pk=repair_id).first()
    if repair is None:
        raise NotFoundError()
    return repair


# --- Score and rating ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditStanding:
    score: int
    rating: str
    standing_events: int

    @property
    def rating_display(self) -> str:
        return str(CreditRating(self.rating).label)


def rating_for(score: int) -> str:
    for floor, rating in RATING_FLOORS:
        if score >= floor:
            return rating
    return CreditRating.D


def credit_standing_unscoped(*, subject_id: int) -> CreditStanding:
    """[R-CREDIT] the organisation's score: 100 less the deductions of its standing events of
    the last 365 days (a repaired event no longer counts), floor 0; and its rating (A >= 90,
    B >= 75, C >= 60, else D). Unscoped: the rating shown to the bureau and the subject."""
    since = clock.now() - dt.timedelta(days=SCORE_WINDOW_DAYS)
    figures = (
        CreditEvent.objects.standing()
        .filter(subject_id=subject_id, recorded_at__gte=since)
        .aggregate(deducted=Sum("score_deduction"), count=Count("pk"))
    )
    score = max(0, SCORE_FULL - int(figures["deducted"] or 0))
    return CreditStanding(
        score=score, rating=rating_for(score), standing_events=figures["count"] or 0
    )


def credit_standing(*, actor: User, subject_id: int) -> CreditStanding:
    """The standing of an organisation the actor may see credit of: its own, or, for the
    bureau, any."""
    _require(actor, "credit.view")
    own = actor.organization_id == subject_id
    if not own and not set(actor.roles) & OVERSEER_ROLES:
        raise NotFoundError()
    return credit_standing_unscoped(subject_id=subject_id)


# --- What an actor may do ----------------------------------------------------------------------


def repair_apply_check(*, event: CreditEvent) -> None:
    """[R-CREDIT] a repair is applied for a standing, repairable event with none pending."""
    CREDIT_EVENT_STATES.check(event, RepairAction.APPLY)
    if not event.repairable:
        raise CreditRepairNotAllowedError(event=event.pk, misconduct=str(event.item))
    if CreditRepair.objects.filter(event=event, status=RepairStatus.PENDING).exists():
        raise CreditRepairPendingError(event=event.pk)


def repair_party_check(*, actor: User, event: CreditEvent) -> None:
    if actor.organization_id != event.subject_id:
        raise PermissionDeniedError(action="credit.repair_apply")


def credit_event_actions(*, actor: User, event: CreditEvent) -> Actions:
    """What the actor may do with the event: apply for its repair."""
    return Actions(
        [
            verdict(
                RepairAction.APPLY,
                role_check(actor, "credit.repair_apply"),
                lambda: repair_party_check(actor=actor, event=event),
                lambda: repair_apply_check(event=event),
            )
        ]
    )


def _state_check(repair: CreditRepair, action: str) -> Callable[[], None]:
    return lambda: REPAIR_STATES.check(repair, action)


def credit_repair_actions(*, actor: User, repair: CreditRepair) -> Actions:
    """What the actor may do with the application: the bureau approves or rejects it."""
    return Actions(
        [
            verdict(
                action,
                role_check(actor, "credit.decide"),
                _state_check(repair, action),
            )
            for action in (RepairAction.APPROVE, RepairAction.REJECT)
        ]
    )


# --- Sanctions that bite (core.restrictions) -----------------------------------------------------


def sanction_refusals(
    kind: str, subjects: frozenset[restrictions.Subject]
) -> Mapping[restrictions.Subject, DomainError]:
    """[R-CREDIT] the provider of core.restrictions: the subjects a sanction in force refuses
    (a suspended listing: the listing concerned, or every listing of the supplier when the
    event named none; a suspended delivery right; a bar from tenders). One query."""
    sanction_kind = RESTRICTING.get(kind)
    if sanction_kind is None or not subjects:
        return {}
    now = clock.now()
    rows = (
        Sanction.objects.in_force(now)
        .filter(kind=sanction_kind, subject_id__in={s.organization_id for s in subjects})
        .select_related("subject", "event__item", "listing__consumable")
        .order_by("-ends_at", "pk")
    )
    action_label = {
        restrictions.ORDER_LISTING: _("ordering its products"),
        restrictions.DELIVERY: _("delivering"),
        restrictions.TENDER_BID: _("bidding in tenders"),
    }[kind]
    refused: dict[restrictions.Subject, DomainError] = {}
    for sanction in rows:
        for subject in subjects:
            if subject in refused or subject.organization_id != sanction.subject_id:
                continue
            if sanction.listing_id is not None and sanction.listing_id != subject.listing_id:
                continue
            who = sanction.subject.name
            if sanction.listing_id is not None:
                who = f"{who} · {sanction.listing.consumable}"
            refused[subject] = SanctionInForceError(
                who=who,
                sanction=sanction.kind,
                sanction_label=sanction.get_kind_display(),
                until=last_day(sanction.ends_at).isoformat(),
                misconduct=str(sanction.event.item),
                event=sanction.event_id,
                action_label=action_label,
                **({"listing": subject.listing_id} if subject.listing_id else {}),
            )
    return refused


def credit_label_verdict(
    organization_id: int, listing_id: int | None, consumable_id: int | None
) -> core_credit.CreditVerdict:
    """[R-LABELS] [R-CREDIT] the provider of core.credit: the supplier's credit as the label
    suggestion weighs it. Blacklisted: a bar from tenders or a public disclosure in force.
    Poor: a risk notice or a suspension in force (one naming a listing counts for that listing
    only), a score below LABEL_POOR_SCORE, or a confirmed serious quality report on the product
    in the last SCORE_WINDOW_DAYS. Read now: an expired sanction no longer counts."""
    now = clock.now()
    sanctions = (
        Sanction.objects.in_force(now)
        .filter(subject_id=organization_id, kind__in=LABEL_BLACKLISTING | LABEL_POOR)
        .order_by("-ends_at", "pk")
    )
    standing, reasons = core_credit.NONE, []
    for sanction in sanctions:
        if sanction.listing_id is not None and sanction.listing_id != listing_id:
            continue
        if sanction.kind in LABEL_BLACKLISTING:
            standing = core_credit.BLACKLISTED
        elif standing == core_credit.NONE:
            standing = core_credit.POOR
        reasons.append(
            _("Sanction in force: %(sanction)s until %(until)s.")
            % {"sanction": sanction.get_kind_display(), "until": last_day(sanction.ends_at)}
        )
    score = credit_standing_unscoped(subject_id=organization_id)
    if score.score < LABEL_POOR_SCORE:
        if standing == core_credit.NONE:
            standing = core_credit.POOR
        reasons.append(
            _("Credit score %(score)s (rating %(rating)s).")
            % {"score": score.score, "rating": score.rating}
        )
    if consumable_id is not None:
        since = now - dt.timedelta(days=SCORE_WINDOW_DAYS)
        serious = QualityReport.objects.filter(
            supplier_id=organization_id,
            consumable_id=consumable_id,
            status=QualityStatus.CONFIRMED,
            severity__in=QUALITY_SERIOUS,
            filed_at__gte=since,
        ).count()
        if serious:
            if standing == core_credit.NONE:
                standing = core_credit.POOR
            reasons.append(
                _("%(count)s confirmed serious quality report(s) on this product.")
                % {"count": serious}
            )
    return core_credit.CreditVerdict(standing=standing, reasons=tuple(reasons))


def last_day(ends_at: dt.datetime) -> dt.date:
    """The last day a sanction ending (exclusively) at ``ends_at`` is in force."""
    return clock.to_local(ends_at - dt.timedelta(microseconds=1)).date()


# --- Public disclosure ----------------------------------------------------------------------------


def credit_public_cases() -> QuerySet[CreditEvent]:
    """[R-CREDIT] [R-DISCLOSE] the serious cases (严重, 特别严重) whose public-disclosure
    sanction is in force, for the public pages (no login): the organisation, the misconduct,
    its level and dates; never who recorded it or the evidence."""
    now = clock.now()
    disclosed = Sanction.objects.in_force(now).filter(
        event=OuterRef("pk"), kind=SanctionKind.PUBLIC_DISCLOSURE
    )
    return (
        CreditEvent.objects.filter(level__in=SERIOUS_LEVELS, status=CreditEventStatus.STANDING)
        .filter(Exists(disclosed))
        .select_related("subject", "item")
        .only(
            "pk",
            "level",
            "occurred_on",
            "recorded_at",
            "subject__name",
            "subject__uscc",
            "subject__kind",
            "item__name",
            "item__code",
        )
        .order_by("-recorded_at", "-pk")
    )


# --- Automatic sources: late-delivery patterns, contracts not supplied ---------------------------

# [R-CREDIT] [R-MISCONDUCT] [R-FIVE-RATES] a supplier whose frozen delivery rate was below its
# threshold this many calendar months in a row shows a late-delivery pattern. Platform
# constants, like the score's, until a bureau asks to tune them.
LATE_DELIVERY_MONTHS = 3
LATE_DELIVERY_LOOKBACK_MONTHS = 24
# [R-MISCONDUCT] a contract whose cycle ended with less than this share of its agreed quantity
# done (kept by the hospital) was not supplied as contracted.
CONTRACT_SUPPLIED_MIN_SHARE = Decimal("0.50")
CONTRACT_LOOKBACK_DAYS = 365


@dataclass(frozen=True)
class LateDeliveryPattern:
    supplier_id: int
    first_month: dt.date  # the run's first month (the pattern's key)
    months: tuple[dt.date, ...]  # its first LATE_DELIVERY_MONTHS months


def _month_after(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def late_delivery_patterns_unscoped(
    *, months_in_a_row: int = LATE_DELIVERY_MONTHS
) -> list[LateDeliveryPattern]:
    """[R-CREDIT] [R-FIVE-RATES] the suppliers whose frozen delivery rate (their districts'
    figures summed) was below the threshold, by amount or by count, ``months_in_a_row``
    frozen calendar months in a row (a month not frozen, or one on or above the threshold, ends
    the run). One pattern per run: a run that goes on is the same pattern; after a month on
    track a new run is a new pattern. One query."""
    since = clock.local_today().replace(day=1)
    for _i in range(LATE_DELIVERY_LOOKBACK_MONTHS):
        since = (since - dt.timedelta(days=1)).replace(day=1)
    rows = (
        FiveRatesFigure.objects.filter(
            rate=Rate.DELIVERY, kind=SliceKind.SUPPLIER, snapshot__month__gte=since
        )
        .order_by()
        .values("key", "snapshot__month")
        .annotate(
            amount_on_time=Sum("amount_numerator"),
            amount_due=Sum(F("threshold") * F("amount_denominator")),
            count_on_time=Sum("count_numerator"),
            count_due=Sum(F("threshold") * F("count_denominator")),
        )
        .order_by("key", "snapshot__month")
    )
    below: dict[int, list[dt.date]] = {}
    for row in rows:
        if row["amount_on_time"] < row["amount_due"] or row["count_on_time"] < row["count_due"]:
            below.setdefault(int(row["key"]), []).append(row["snapshot__month"])
    patterns = []
    for supplier_id, months in sorted(below.items()):
        run: list[dt.date] = []
        for month in months:
            run = [*run, month] if run and _month_after(run[-1]) == month else [month]
            if len(run) == months_in_a_row:
                patterns.append(
                    LateDeliveryPattern(
                        supplier_id=supplier_id, first_month=run[0], months=tuple(run)
                    )
                )
    return patterns


def contracts_not_supplied_unscoped(
    *, min_share: Decimal = CONTRACT_SUPPLIED_MIN_SHARE
) -> QuerySet[Contract]:
    """[R-MISCONDUCT] the purchase contracts in force, renewed or closed whose cycle ended
    (in the last CONTRACT_LOOKBACK_DAYS) with less than ``min_share`` of the agreed quantity
    done, annotated with ``done`` (procurement.selectors.contracts counts it)."""
    today = clock.local_today()
    ended = Contract.objects.filter(
        cycle_end__lt=today,
        cycle_end__gte=today - dt.timedelta(days=CONTRACT_LOOKBACK_DAYS),
        agreed_quantity__gt=0,
    ).exclude(status=ContractStatus.AWAITING)
    return (
        with_progress(ended, today=today)
        .filter(done__lt=F("agreed_quantity") * min_share)  # type: ignore[misc]
        .select_related("manufacturer", "hospital", "consumable")
        .order_by("cycle_end", "pk")
    )
