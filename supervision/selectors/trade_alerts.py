"""The trade alert rules (docs/alerts.md), registered in supervision.selectors.alert_rules:

- ``price_rise`` [R-MISCONDUCT]: a listing whose price rose (approved price changes of the
  last 12 months) by more than ``rise_pct`` % at once, or more than ``max_rises`` times;
- ``regional_price_gap`` [R-MISCONDUCT]: a listed price above ``factor`` x the national
  lowest price observed by the catalog's nightly lowest-price sync in the last
  ``window_days`` days;
- ``emergency_cap`` [R-EMERG-CAP]: a hospital whose emergency purchases of the year reached
  ``near_pct`` % of its cap (procurement.selectors.emergency.emergency_cap_status);
- ``contract_lag`` [R-VBP-CONTRACT]: a contract in force whose done share is more than
  ``lag_pct`` points behind the elapsed share of its cycle (contracts.with_progress);
- ``payment_overdue`` [R-PAY-30]: a hospital with confirmed invoices unpaid more than
  ``grace_days`` days past the payment deadline after acceptance.

Each reads the region's jurisdiction (hospitals' region codes, listings bought there or made
by its manufacturers) with SQL aggregates; the Python that follows runs over the flagged
rows only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from catalog.models import PriceObservation
from core import clock
from core.regions import jurisdiction_prefix
from procurement.choices import (
    ContractStatus,
    InvoiceStatus,
    ListingStatus,
    PriceChangeStatus,
)
from procurement.models import (
    Contract,
    EmergencyPurchase,
    Invoice,
    Listing,
    ListingPriceChange,
    OrderLine,
)
from procurement.selectors.contracts import with_progress
from procurement.selectors.emergency import emergency_cap_status
from settlement.choices import PaymentLineStatus, PaymentRequestStatus
from settlement.models import PaymentRequestLine
from settlement.selectors.payments import payment_clock
from supervision.selectors.alert_rules import (
    Finding,
    ParamSpec,
    RuleSpec,
    as_of_month,
    register_rule,
)

D = Decimal
FOUR = D("0.0001")
HUNDRED = D(100)
EVIDENCE_MAX = 50
YEAR = dt.timedelta(days=365)


def _q4(value: Decimal) -> Decimal:
    return D(value).quantize(FOUR)


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.SHANGHAI)


def _region_listings(prefix: str, *, since: dt.datetime) -> QuerySet[Listing]:
    """Listings of the jurisdiction: made by its manufacturers, or bought by its hospitals
    since ``since``."""
    bought = OrderLine.objects.filter(
        order__hospital__region_code__startswith=prefix, order__submitted_at__gte=since
    ).values("listing_id")
    return Listing.objects.filter(
        Q(manufacturer__region_code__startswith=prefix) | Q(pk__in=bought)
    )


# --- price_rise [R-MISCONDUCT] -----------------------------------------------------------------


def price_rise_evaluate(
    *, region_code: str, params: Mapping[str, Decimal], as_of: dt.date
) -> list[Finding]:
    """[R-MISCONDUCT] listings of the jurisdiction whose approved price changes of the 12
    months to ``as_of`` include a rise of more than ``rise_pct`` %, or more than
    ``max_rises`` rises."""
    rise_pct, max_rises = params["rise_pct"], params["max_rises"]
    prefix = jurisdiction_prefix(region_code)
    until = _end_of(as_of)
    since = until - YEAR
    rises = ListingPriceChange.objects.filter(
        status=PriceChangeStatus.APPROVED,
        new_price__gt=F("old_price"),
        reviewed_at__gte=since,
        reviewed_at__lt=until,
        listing__in=_region_listings(prefix, since=since),
    )
    pct = ExpressionWrapper(
        (F("new_price") - F("old_price")) * Value(HUNDRED) / F("old_price"),
        output_field=DecimalField(max_digits=20, decimal_places=6),
    )
    flagged = {
        row["listing_id"]: row
        for row in rises.order_by()
        .values("listing_id")
        .annotate(count=Count("pk"), top=Max(pct))
        .filter(Q(top__gt=rise_pct) | Q(count__gt=max_rises))
    }
    if not flagged:
        return []
    listings = {
        listing.pk: listing
        for listing in Listing.objects.filter(pk__in=flagged).select_related(
            "consumable", "manufacturer"
        )
    }
    evidence: dict[int, list[dict]] = defaultdict(list)
    for change in rises.filter(listing_id__in=flagged).order_by("listing_id", "reviewed_at"):
        evidence[change.listing_id].append(
            {
                "kind": "price_change",
                "id": change.pk,
                "listing_id": change.listing_id,
                "old_price": str(change.old_price),
                "new_price": str(change.new_price),
                "rise_pct": str(
                    _q4((change.new_price - change.old_price) * HUNDRED / change.old_price)
                ),
                "approved_on": str(clock.to_local(change.reviewed_at).date())
                if change.reviewed_at
                else "",
            }
        )
    found = []
    for listing_id, row in flagged.items():
        listing = listings[listing_id]
        top = _q4(row["top"])
        by_size = top > rise_pct
        measured, threshold = (top, rise_pct) if by_size else (D(row["count"]), max_rises)
        severe = (top > 2 * rise_pct) or (D(row["count"]) > 2 * max_rises)
        if by_size:
            summary = gettext(
                "%(product)s (%(supplier)s): price rose by %(pct)s%% at once (over %(limit)s%%)."
            ) % {
                "product": listing.consumable.product_name,
                "supplier": listing.manufacturer.name,
                "pct": top.normalize(),
                "limit": rise_pct.normalize(),
            }
        else:
            summary = gettext(
                "%(product)s (%(supplier)s): %(count)s price rises in 12 months (over %(limit)s)."
            ) % {
                "product": listing.consumable.product_name,
                "supplier": listing.manufacturer.name,
                "count": row["count"],
                "limit": max_rises.normalize(),
            }
        found.append(
            Finding(
                subject_key=f"listing:{listing_id}",
                region_code=region_code,
                supplier_id=listing.manufacturer_id,
                severity="high" if severe else "medium",
                summary=summary,
                measured=measured,
                threshold=threshold,
                evidence=[
                    {
                        "kind": "listing",
                        "id": listing_id,
                        "product": listing.consumable.product_name,
                        "price": str(listing.price),
                    },
                    *evidence[listing_id][:EVIDENCE_MAX],
                ],
            )
        )
    return found


# --- regional_price_gap [R-MISCONDUCT] -------------------------------------------------------


def regional_price_gap_evaluate(
    *, region_code: str, params: Mapping[str, Decimal], as_of: dt.date
) -> list[Finding]:
    """[R-MISCONDUCT] listed listings of the jurisdiction priced above ``factor`` x the
    national lowest price observed in the ``window_days`` days to ``as_of``."""
    factor, window = params["factor"], int(params["window_days"])
    prefix = jurisdiction_prefix(region_code)
    since_day = as_of - dt.timedelta(days=window - 1)
    observed = PriceObservation.objects.filter(
        consumable_id=OuterRef("consumable_id"), observed_on__gte=since_day, observed_on__lte=as_of
    )
    lowest = observed.order_by().values("consumable_id").annotate(m=Min("price")).values("m")[:1]
    lowest_row = observed.order_by("price", "-observed_on", "pk").values("pk")[:1]
    rows = list(
        _region_listings(prefix, since=_end_of(as_of) - YEAR)
        .filter(status=ListingStatus.LISTED)
        .annotate(
            lowest=Subquery(lowest, output_field=DecimalField(max_digits=14, decimal_places=2)),
            lowest_id=Subquery(lowest_row),
        )
        .filter(lowest__isnull=False, price__gt=F("lowest") * Value(factor))
        .select_related("consumable", "manufacturer")
    )
    if not rows:
        return []
    observations = PriceObservation.objects.in_bulk([r.lowest_id for r in rows])
    found = []
    for listing in rows:
        seen = observations[listing.lowest_id]
        ratio = _q4(listing.price / listing.lowest)
        found.append(
            Finding(
                subject_key=f"listing:{listing.pk}",
                region_code=region_code,
                supplier_id=listing.manufacturer_id,
                severity="high" if ratio >= factor * D("1.5") else "medium",
                summary=gettext(
                    "%(product)s (%(supplier)s): listed at %(price)s, %(ratio)s x the national "
                    "lowest %(lowest)s (limit %(factor)s x)."
                )
                % {
                    "product": listing.consumable.product_name,
                    "supplier": listing.manufacturer.name,
                    "price": listing.price,
                    "ratio": ratio.normalize(),
                    "lowest": listing.lowest,
                    "factor": factor.normalize(),
                },
                measured=ratio,
                threshold=factor,
                evidence=[
                    {
                        "kind": "listing",
                        "id": listing.pk,
                        "product": listing.consumable.product_name,
                        "price": str(listing.price),
                    },
                    {
                        "kind": "price_observation",
                        "id": seen.pk,
                        "province": seen.province_code,
                        "platform": seen.source_platform,
                        "price": str(seen.price),
                        "observed_on": str(seen.observed_on),
                    },
                ],
            )
        )
    return found


# --- emergency_cap [R-EMERG-CAP] -------------------------------------------------------------


def emergency_cap_evaluate(
    *, region_code: str, params: Mapping[str, Decimal], as_of: dt.date
) -> list[Finding]:
    """[R-EMERG-CAP] hospitals of the jurisdiction whose emergency purchases of ``as_of``'s
    year reached ``near_pct`` % of their cap (a cap of zero with purchases: over it)."""
    near = params["near_pct"]
    prefix = jurisdiction_prefix(region_code)
    year = as_of.year
    purchases = EmergencyPurchase.objects.filter(
        hospital__region_code__startswith=prefix, bought_on__year=year, bought_on__lte=as_of
    )
    hospital_ids = purchases.order_by().values_list("hospital_id", flat=True).distinct()
    found = []
    for hospital in Organization.objects.filter(pk__in=hospital_ids).order_by("pk"):
        status = emergency_cap_status(hospital=hospital, year=year)
        if not status.used:
            continue
        share = HUNDRED * 10 if not status.cap else _q4(status.used * HUNDRED / status.cap)
        if share < near:
            continue
        rows = purchases.filter(hospital=hospital).order_by("-bought_on", "-pk")[:EVIDENCE_MAX]
        over = share >= HUNDRED
        found.append(
            Finding(
                subject_key=f"hospital:{hospital.pk}:{year}",
                region_code=region_code,
                hospital_id=hospital.pk,
                severity="high" if over else "medium",
                summary=(
                    gettext(
                        "%(hospital)s: emergency purchases %(used)s, over the cap %(cap)s of %(year)s."
                    )
                    if over
                    else gettext(
                        "%(hospital)s: emergency purchases %(used)s, %(share)s%% of the cap "
                        "%(cap)s of %(year)s."
                    )
                )
                % {
                    "hospital": hospital.name,
                    "used": status.used,
                    "cap": status.cap,
                    "share": share.normalize(),
                    "year": year,
                },
                measured=share,
                threshold=near,
                evidence=[
                    {
                        "kind": "emergency_purchase",
                        "id": p.pk,
                        "bought_on": str(p.bought_on),
                        "amount": str(p.amount),
                        "status": p.status,
                    }
                    for p in rows
                ],
            )
        )
    return found


# --- contract_lag [R-VBP-CONTRACT] -----------------------------------------------------------


def contract_lag_evaluate(
    *, region_code: str, params: Mapping[str, Decimal], as_of: dt.date
) -> list[Finding]:
    """[R-VBP-CONTRACT] contracts in force of the jurisdiction's hospitals whose done share
    is more than ``lag_pct`` points behind the elapsed share of the cycle:
    ``done/agreed * 100 + lag_pct < elapsed/cycle * 100`` (in SQL, multiplied out)."""
    lag = params["lag_pct"]
    prefix = jurisdiction_prefix(region_code)
    contracts = with_progress(
        Contract.objects.filter(
            hospital__region_code__startswith=prefix,
            status=ContractStatus.ACTIVE,
            cycle_start__lte=as_of,
        ),
        today=as_of,
    )
    behind = ExpressionWrapper(
        F("agreed_quantity") * F("elapsed_days") * Value(HUNDRED)
        - F("done") * F("cycle_days") * Value(HUNDRED)
        - Value(lag) * F("agreed_quantity") * F("cycle_days"),
        output_field=DecimalField(max_digits=30, decimal_places=4),
    )
    rows = (
        # Q: the annotations of with_progress, which the type checker does not see.
        contracts.filter(Q(cycle_days__gt=0) & Q(agreed_quantity__gt=0))
        .annotate(behind=behind)
        .filter(behind__gt=0)
        .select_related("hospital", "manufacturer", "consumable")
        .order_by("pk")
    )
    found = []
    for c in rows:
        done, elapsed, cycle = c.done, c.elapsed_days, c.cycle_days  # type: ignore[attr-defined]
        done_pct = _q4(D(done) * HUNDRED / c.agreed_quantity)
        elapsed_pct = _q4(D(elapsed) * HUNDRED / cycle)
        gap = elapsed_pct - done_pct
        found.append(
            Finding(
                subject_key=f"contract:{c.pk}",
                region_code=region_code,
                hospital_id=c.hospital_id,
                supplier_id=c.manufacturer_id,
                severity="high" if gap > 2 * lag else "medium",
                summary=gettext(
                    "Contract %(number)s (%(hospital)s, %(product)s): %(done)s%% done with "
                    "%(elapsed)s%% of the cycle gone."
                )
                % {
                    "number": c.number,
                    "hospital": c.hospital.name,
                    "product": c.consumable.product_name,
                    "done": done_pct.normalize(),
                    "elapsed": elapsed_pct.normalize(),
                },
                measured=gap,
                threshold=lag,
                evidence=[
                    {
                        "kind": "contract",
                        "id": c.pk,
                        "number": c.number,
                        "agreed": c.agreed_quantity,
                        "done": done,
                        "done_pct": str(done_pct),
                        "elapsed_pct": str(elapsed_pct),
                    },
                    # A standing condition: the month it is found in is part of the evidence,
                    # so that a closed alert fires again next month if the lag persists.
                    {"kind": "period", "id": as_of_month(as_of)},
                ],
            )
        )
    return found


# --- payment_overdue [R-PAY-30] --------------------------------------------------------------


def payment_overdue_evaluate(
    *, region_code: str, params: Mapping[str, Decimal], as_of: dt.date
) -> list[Finding]:
    """[R-PAY-30] hospitals of the jurisdiction with confirmed invoices whose supplier is
    unpaid more than ``grace_days`` days after the deadline (accepted day + the region's
    ``payment_deadline_days``) on ``as_of``."""
    grace = int(params["grace_days"])
    prefix = jurisdiction_prefix(region_code)
    # The hospital has paid once its request is paid into escrow (or settled, or paid by the
    # fund directly); a line still open there awaits the agency's batch, which is the
    # agency's delay (its settlement rate), not the hospital's. A disputed line is unpaid.
    paid = PaymentRequestLine.objects.filter(
        invoice_id=OuterRef("pk"),
        status__in=[PaymentLineStatus.OPEN, PaymentLineStatus.PAID],
        request__status__in=[PaymentRequestStatus.PAID, PaymentRequestStatus.SETTLED],
    )
    limit = _start_of(as_of - dt.timedelta(days=grace))
    overdue = payment_clock(
        Invoice.objects.filter(
            hospital__region_code__startswith=prefix, status=InvoiceStatus.CONFIRMED
        )
        .annotate(paid=Exists(paid))
        .filter(paid=False)
    ).filter(Q(accepted_at__isnull=False) & Q(due_at__lt=limit))
    per_hospital = {
        row["hospital_id"]: row
        for row in overdue.order_by()
        .values("hospital_id")
        .annotate(count=Count("pk"), amount=Sum("amount"), oldest=Min("due_at"))
    }
    if not per_hospital:
        return []
    hospitals = Organization.objects.in_bulk(list(per_hospital))
    evidence: dict[int, list[dict]] = defaultdict(list)
    for inv in overdue.order_by("hospital_id", "due_at", "pk").values(  # type: ignore[misc]
        "pk", "hospital_id", "number", "amount", "issuer_id", "due_at"
    ):
        rows = evidence[inv["hospital_id"]]
        if len(rows) < EVIDENCE_MAX:
            rows.append(
                {
                    "kind": "invoice",
                    "id": inv["pk"],
                    "number": inv["number"],
                    "amount": str(inv["amount"]),
                    "supplier_id": inv["issuer_id"],
                    "due_on": str(clock.to_local(inv["due_at"]).date()),
                }
            )
    found = []
    for hospital_id, row in per_hospital.items():
        hospital = hospitals[hospital_id]
        days = (as_of - clock.to_local(row["oldest"]).date()).days
        found.append(
            Finding(
                subject_key=f"hospital:{hospital_id}",
                region_code=region_code,
                hospital_id=hospital_id,
                severity="high" if days > grace + 30 else "medium",
                summary=gettext(
                    "%(hospital)s: %(count)s confirmed invoices (%(amount)s) unpaid past the "
                    "deadline, the oldest by %(days)s days."
                )
                % {
                    "hospital": hospital.name,
                    "count": row["count"],
                    "amount": row["amount"],
                    "days": days,
                },
                measured=D(days),
                threshold=D(grace),
                evidence=evidence[hospital_id],
            )
        )
    return found


register_rule(
    RuleSpec(
        code="price_rise",
        rule_id="R-MISCONDUCT",
        title=_("Abnormal price rise"),
        description=_(
            "A listing whose price rose by more than the percentage at once, or more often "
            "than the number of rises, in 12 months (approved price changes)."
        ),
        params=(
            ParamSpec("rise_pct", _("largest single rise (%)"), D("1"), D("100"), D("10")),
            ParamSpec("max_rises", _("rises allowed in 12 months"), D("1"), D("12"), D("2")),
        ),
        evaluate=price_rise_evaluate,
    )
)
register_rule(
    RuleSpec(
        code="regional_price_gap",
        rule_id="R-MISCONDUCT",
        title=_("Regional price gap"),
        description=_(
            "A listed price above the factor times the national lowest price observed by the "
            "nightly lowest-price sync within the window."
        ),
        params=(
            ParamSpec("factor", _("times the national lowest"), D("1.01"), D("10"), D("1.3")),
            ParamSpec("window_days", _("observation window (days)"), D("1"), D("365"), D("90")),
        ),
        evaluate=regional_price_gap_evaluate,
    )
)
register_rule(
    RuleSpec(
        code="emergency_cap",
        rule_id="R-EMERG-CAP",
        title=_("Emergency purchases near their cap"),
        description=_(
            "A hospital whose emergency purchases of the year reached the percentage of its "
            "emergency cap."
        ),
        params=(ParamSpec("near_pct", _("share of the cap (%)"), D("50"), D("100"), D("80")),),
        evaluate=emergency_cap_evaluate,
    )
)
register_rule(
    RuleSpec(
        code="contract_lag",
        rule_id="R-VBP-CONTRACT",
        title=_("Tender contract lagging"),
        description=_(
            "A contract in force whose done share is more than the points behind the elapsed "
            "share of its cycle."
        ),
        params=(ParamSpec("lag_pct", _("points behind the cycle"), D("0"), D("100"), D("20")),),
        evaluate=contract_lag_evaluate,
    )
)
register_rule(
    RuleSpec(
        code="payment_overdue",
        rule_id="R-PAY-30",
        title=_("Overdue payments"),
        description=_(
            "A hospital with confirmed invoices whose supplier is unpaid more than the grace "
            "days past the payment deadline after acceptance."
        ),
        params=(ParamSpec("grace_days", _("days past the deadline"), D("0"), D("180"), D("0")),),
        evaluate=payment_overdue_evaluate,
    )
)
