"""Monthly monitoring per hospital [R-MONITOR] (docs/monitoring.md): fund payment timeliness
[R-PAY-30] and agreed-volume progress of the hospital's VBP contracts, for a calendar month in
Asia/Shanghai.

Payment timeliness, per hospital:

- due: the hospital's confirmed invoices whose due day (the last acceptance of the goods they
  bill + the region's ``payment_deadline_days``, local days: the clock of the five rates'
  payment rate and of settlement.selectors.payments.due_on) falls in the month;
- paid on time: of those, the ones paid to the supplier (a paid payment-request line) by the
  due day; the payment rate is paid on time / due, by amount;
- overdue unpaid: at the month's end (today, for the current month), every confirmed invoice of
  the hospital whose due day is before that day and that was not paid by the month's end (by
  now, for the current month), whatever month it fell due in (the backlog), by amount and
  count;
- average days to pay: over the invoices due in the month that were paid, the local days from
  the last acceptance to the payment.

Agreed-volume progress, per hospital: its VBP contracts signed by all parties (in force,
renewed or closed) whose cycle overlaps the month; each contract's done volume (what counts
toward it, procurement.selectors.contracts.counted_lines) from orders submitted up to the
month's end, against its agreed volume and against the elapsed share of its cycle (elapsed
days to the next month's first day, or to today for the current month, over the cycle's days). A contract in force lags when ``done / agreed < elapsed / cycle``.

One SQL aggregate for the payment figures and one for the volume figures; the actor's scope is
``monitoring_scope`` (regulators their jurisdiction, a hospital itself, another hospital 404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext

from accounts.models import Organization
from core import clock
from core.errors import NotFoundError
from core.money import ZERO, quantize
from core.permissions import PLATFORM_ADMIN, REGULATORS, require
from core.policy import RegionPolicy
from core.tenancy import AnyActor, is_active_actor
from procurement.choices import ContractStatus
from procurement.models import Contract, Delivery, DeliveryLine, Invoice, InvoiceLine
from procurement.selectors.contracts import counted_lines
from settlement.models import PaymentRequestLine
from supervision.errors import MonitoringParameterInvalidError

SHARE_PRECISION = Decimal("0.0001")
# Contracts that were signed by every party: their volumes count.
SIGNED_CONTRACT_STATUSES = (ContractStatus.ACTIVE, ContractStatus.RENEWED, ContractStatus.CLOSED)

# ---------------------------------------------------------------------------------------------
# Parameters and scope


def current_month() -> dt.date:
    return clock.local_today().replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def local_start(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in Asia/Shanghai (aware)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=clock.SHANGHAI)


def parse_month(value: object) -> dt.date:
    """``YYYY-MM`` (blank: the current month) as the month's first day; malformed, before
    2000-01 or after the current month: refused, naming the ``month`` parameter."""
    text = str(value or "").strip()
    if not text:
        return current_month()
    try:
        if len(text) != 7 or text[4] != "-":
            raise ValueError(text)
        parsed = dt.date(int(text[:4]), int(text[5:]), 1)
    except (ValueError, TypeError):
        parsed = None
    if parsed is None or parsed.year < 2000 or parsed > current_month():
        raise MonitoringParameterInvalidError(
            parameter="month",
            value=text[:20],
            reason=gettext("give YYYY-MM, from 2000-01 to the current month."),
        )
    return parsed


def parse_year(value: object) -> int:
    """``YYYY`` (blank: the current year); refused outside 2000 to the current year."""
    text = str(value or "").strip()
    today = clock.local_today()
    if not text:
        return today.year
    if not (text.isdigit() and len(text) == 4 and 2000 <= int(text) <= today.year):
        raise MonitoringParameterInvalidError(
            parameter="year",
            value=text[:20],
            reason=gettext("give YYYY, from 2000 to the current year."),
        )
    return int(text)


@dataclass(frozen=True)
class Scope:
    """Which hospitals a monitoring read covers: the region code prefix, and one hospital when
    the actor is a hospital (or asked for one)."""

    prefix: str = ""
    hospital_id: int | None = None
    own: bool = False

    def hospitals(self) -> QuerySet[Organization]:
        found = Organization.objects.hospitals().filter(region_code__startswith=self.prefix)
        if self.hospital_id is not None:
            found = found.filter(pk=self.hospital_id)
        return found


def _is_regulator(actor: Any) -> bool:
    org = actor.organization
    return bool(set(actor.roles) & REGULATORS) and org is not None and org.is_regulator


def monitoring_scope(
    *,
    actor: AnyActor,
    district: object = "",
    hospital: object = "",
    action: str = "monitoring.view",
) -> Scope:
    """The hospitals ``actor`` may monitor, narrowed to ``district`` (a six-digit region code
    within the jurisdiction) and ``hospital`` (an id). Regulators: their jurisdiction; platform
    administrators: everything; a hospital: itself only (another hospital's id is missing,
    404). A district that is not a region code or lies outside the jurisdiction: 400."""
    require(actor, action)
    if not is_active_actor(actor):
        raise NotFoundError()
    org = actor.organization
    district = str(district or "").strip()
    hospital = str(hospital or "").strip()
    if hospital and not hospital.isdigit():
        raise NotFoundError()
    if PLATFORM_ADMIN in actor.roles or _is_regulator(actor):
        prefix = "" if PLATFORM_ADMIN in actor.roles or org is None else org.jurisdiction
        if district:
            if not (district.isdigit() and len(district) == 6):
                raise MonitoringParameterInvalidError(
                    parameter="district",
                    value=district[:20],
                    reason=gettext("a district is a six-digit region code (GB/T 2260)."),
                )
            if not district.startswith(prefix):
                raise MonitoringParameterInvalidError(
                    parameter="district",
                    value=district,
                    reason=gettext("it is outside your jurisdiction."),
                )
            prefix = district
        scope = Scope(prefix=prefix)
        if hospital:
            scope = Scope(prefix=prefix, hospital_id=int(hospital))
            if not scope.hospitals().exists():
                raise NotFoundError()
        return scope
    if org is None or not org.is_hospital:
        raise NotFoundError()
    if hospital and int(hospital) != org.pk:
        raise NotFoundError()
    return Scope(prefix="", hospital_id=org.pk, own=True)


def region_policies(codes: Sequence[str]) -> dict[str, RegionPolicy]:
    """Each region code's effective policy (core.policy.policy_for), from one read."""
    saved = {p.region_code: p for p in RegionPolicy.objects.all()}
    found = {}
    for code in codes:
        for candidate in (code, code[:4] + "00", code[:2] + "0000"):
            if candidate in saved:
                found[code] = saved[candidate]
                break
        else:
            found[code] = RegionPolicy(region_code=code)
    return found


# ---------------------------------------------------------------------------------------------
# Payment timeliness [R-PAY-30]

_T = {
    "invoice": Invoice._meta.db_table,
    "invoiceline": InvoiceLine._meta.db_table,
    "delivery": Delivery._meta.db_table,
    "deliveryline": DeliveryLine._meta.db_table,
    "requestline": PaymentRequestLine._meta.db_table,
    "org": Organization._meta.db_table,
}


def _local(col: str) -> str:
    return f"(({col}) AT TIME ZONE 'Asia/Shanghai')::date"


_PAYMENT_SQL = f"""
    WITH pol (region_code, payment_days) AS (
        SELECT * FROM unnest(%(codes)s::text[], %(days)s::int[])
    ),
    inv AS (
        SELECT i.hospital_id, i.amount,
               {_local("acc.accepted_at")} AS accepted_on,
               {_local("acc.accepted_at")} + pol.payment_days AS due_on,
               (SELECT {_local("MIN(pl.paid_at)")} FROM {_T["requestline"]} pl
                WHERE pl.invoice_id = i.id AND pl.status = 'paid') AS paid_on
        FROM {_T["invoice"]} i
        JOIN {_T["org"]} h ON h.id = i.hospital_id
        JOIN pol ON pol.region_code = h.region_code
        CROSS JOIN LATERAL (
            SELECT MAX(d.accepted_at) AS accepted_at
            FROM {_T["deliveryline"]} dl
            JOIN {_T["delivery"]} d ON d.id = dl.delivery_id
            WHERE dl.order_line_id IN (
                SELECT il.order_line_id FROM {_T["invoiceline"]} il WHERE il.invoice_id = i.id
            )
        ) acc
        WHERE i.status = 'confirmed' AND acc.accepted_at IS NOT NULL
          AND h.region_code LIKE %(prefix)s
          AND (%(hospital_id)s::bigint IS NULL OR i.hospital_id = %(hospital_id)s::bigint)
    )
    SELECT hospital_id,
           COALESCE(SUM(amount) FILTER (WHERE due_on >= %(first)s AND due_on < %(next)s), 0),
           COUNT(*) FILTER (WHERE due_on >= %(first)s AND due_on < %(next)s),
           COALESCE(SUM(amount) FILTER (
               WHERE due_on >= %(first)s AND due_on < %(next)s AND paid_on <= due_on), 0),
           COUNT(*) FILTER (WHERE due_on >= %(first)s AND due_on < %(next)s AND paid_on <= due_on),
           COALESCE(SUM(amount) FILTER (
               WHERE due_on < %(cutoff)s AND (paid_on IS NULL OR paid_on >= %(next)s)), 0),
           COUNT(*) FILTER (
               WHERE due_on < %(cutoff)s AND (paid_on IS NULL OR paid_on >= %(next)s)),
           SUM(paid_on - accepted_on) FILTER (
               WHERE due_on >= %(first)s AND due_on < %(next)s AND paid_on IS NOT NULL),
           COUNT(*) FILTER (
               WHERE due_on >= %(first)s AND due_on < %(next)s AND paid_on IS NOT NULL)
    FROM inv
    GROUP BY hospital_id
"""  # noqa: S608  (table names from _meta; values are parameters)


@dataclass
class PaymentFigures:
    """One hospital's payment timeliness in the month [R-PAY-30]."""

    due_amount: Decimal = ZERO
    due_count: int = 0
    on_time_amount: Decimal = ZERO
    on_time_count: int = 0
    overdue_amount: Decimal = ZERO
    overdue_count: int = 0
    # The invoices due in the month and paid, and their days from acceptance to payment.
    paid_count: int = 0
    paid_days: int = 0

    @property
    def average_days_to_pay(self) -> Decimal | None:
        if not self.paid_count:
            return None
        return (Decimal(self.paid_days) / self.paid_count).quantize(Decimal("0.1"))

    @property
    def payment_rate(self) -> Decimal | None:
        if not self.due_amount:
            return None
        return (self.on_time_amount / self.due_amount).quantize(SHARE_PRECISION)


@dataclass
class VolumeFigures:
    """One hospital's VBP contracts at the month's end: agreed and done volumes."""

    contracts: int = 0
    lagging: int = 0
    agreed: int = 0
    done: int = 0

    @property
    def done_share(self) -> Decimal | None:
        if not self.agreed:
            return None
        return (Decimal(self.done) / self.agreed).quantize(SHARE_PRECISION)


@dataclass
class HospitalMonitoring:
    hospital_id: int
    name: str
    region_code: str
    payment: PaymentFigures = field(default_factory=PaymentFigures)
    volume: VolumeFigures = field(default_factory=VolumeFigures)


@dataclass
class MonitoringTable:
    month: dt.date
    cutoff: dt.date
    rows: list[HospitalMonitoring]
    district: str = ""

    @property
    def totals(self) -> HospitalMonitoring:
        total = HospitalMonitoring(hospital_id=0, name=gettext("All hospitals"), region_code="")
        for row in self.rows:
            p, v = row.payment, row.volume
            total.payment.due_amount += p.due_amount
            total.payment.due_count += p.due_count
            total.payment.on_time_amount += p.on_time_amount
            total.payment.on_time_count += p.on_time_count
            total.payment.overdue_amount += p.overdue_amount
            total.payment.overdue_count += p.overdue_count
            total.volume.contracts += v.contracts
            total.volume.lagging += v.lagging
            total.volume.agreed += v.agreed
            total.volume.done += v.done
            total.payment.paid_count += p.paid_count
            total.payment.paid_days += p.paid_days
        return total


def month_cutoff(month: dt.date) -> dt.date:
    """The day the month is read at: the next month's first day (the month is over), or today
    for the current month. An invoice due before it and unpaid is overdue; the elapsed share of
    a contract's cycle is counted to it (as procurement.selectors.contracts counts to today)."""
    return min(next_month(month), clock.local_today())


def payment_figures_unscoped(*, month: dt.date, scope: Scope) -> dict[int, PaymentFigures]:
    """[R-PAY-30] each hospital's payment figures in ``month``, one SQL aggregate."""
    codes = list(scope.hospitals().values_list("region_code", flat=True).distinct())
    if not codes:
        return {}
    policies = region_policies(codes)
    params: dict[str, Any] = {
        "codes": codes,
        "days": [policies[c].payment_deadline_days for c in codes],
        "prefix": scope.prefix + "%",
        "hospital_id": scope.hospital_id,
        "first": month,
        "next": next_month(month),
        "cutoff": month_cutoff(month),
    }
    found: dict[int, PaymentFigures] = {}
    with connection.cursor() as cursor:
        cursor.execute(_PAYMENT_SQL, params)
        for row in cursor.fetchall():
            hospital_id, due, due_n, ontime, ontime_n, overdue, overdue_n, days, paid_n = row
            figures = PaymentFigures(
                due_amount=quantize(due),
                due_count=due_n,
                on_time_amount=quantize(ontime),
                on_time_count=ontime_n,
                overdue_amount=quantize(overdue),
                overdue_count=overdue_n,
                paid_count=paid_n,
                paid_days=int(days or 0),
            )
            found[hospital_id] = figures
    return found


# ---------------------------------------------------------------------------------------------
# Agreed-volume progress


def _days(a: Any, b: Any) -> Func:
    """``a - b`` of two dates in whole days (PostgreSQL's date - date is an integer)."""
    return Func(a, b, template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField())


def contract_progress_list(*, month: dt.date, scope: Scope) -> QuerySet[Contract]:
    """The scope's signed VBP contracts whose cycle overlaps ``month``, each annotated with
    ``done`` (counted from orders submitted before the month's cutoff), ``cycle_days``,
    ``elapsed_days`` (at the cutoff) and ``lagging`` (in force and behind the elapsed share).
    One query."""
    cutoff = month_cutoff(month)
    until_instant = local_start(next_month(month))
    done = (
        counted_lines()
        .filter(order__submitted_at__lt=until_instant)
        .order_by()
        .values("order__hospital_id")
        .annotate(total=Sum(F("accepted_quantity") - F("returned_quantity")))
        .values("total")
    )
    until = Func(F("cycle_end"), Value(cutoff), function="LEAST", output_field=DateField())
    contracts = Contract.objects.filter(
        status__in=SIGNED_CONTRACT_STATUSES,
        cycle_start__lt=next_month(month),
        cycle_end__gte=month,
        hospital__region_code__startswith=scope.prefix,
    )
    if scope.hospital_id is not None:
        contracts = contracts.filter(hospital_id=scope.hospital_id)
    return (
        contracts.annotate(
            done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
            cycle_days=_days(F("cycle_end"), F("cycle_start")),
            elapsed_days=Greatest(_days(until, F("cycle_start")), Value(0)),
        )
        .annotate(
            lag_done=F("done") * F("cycle_days"),
            lag_due=F("agreed_quantity") * F("elapsed_days"),
        )
        .select_related("hospital", "consumable", "manufacturer")
        .order_by("hospital_id", "cycle_end", "pk")
    )


def is_lagging(contract: Contract) -> bool:
    """In force and behind the elapsed share of the cycle (annotated by contract_progress_list)."""
    c: Any = contract
    return contract.status == ContractStatus.ACTIVE and c.lag_done < c.lag_due


def elapsed_share(contract: Contract) -> Decimal | None:
    c: Any = contract
    if not c.cycle_days:
        return None
    return (Decimal(min(c.elapsed_days, c.cycle_days)) / c.cycle_days).quantize(SHARE_PRECISION)


def done_share(contract: Contract) -> Decimal | None:
    c: Any = contract
    if not contract.agreed_quantity:
        return None
    return (Decimal(c.done) / contract.agreed_quantity).quantize(SHARE_PRECISION)


def volume_figures_unscoped(*, month: dt.date, scope: Scope) -> dict[int, VolumeFigures]:
    """Each hospital's contracts, agreed and done volume, and how many lag: one aggregate over
    contract_progress_list."""
    rows = (
        contract_progress_list(month=month, scope=scope)
        .select_related(None)
        .order_by()
        .values("hospital_id")
        .annotate(
            n=Count("pk"),
            lag=Count("pk", filter=Q(status=ContractStatus.ACTIVE, lag_done__lt=F("lag_due"))),
            agreed_total=Sum("agreed_quantity"),
            done_total=Sum("done"),
        )
    )
    return {
        r["hospital_id"]: VolumeFigures(
            contracts=r["n"], lagging=r["lag"], agreed=r["agreed_total"], done=r["done_total"]
        )
        for r in rows
    }


# ---------------------------------------------------------------------------------------------
# The table a page, the API and the export show


def monitoring_table(
    *, actor: AnyActor, month: dt.date, district: object = "", hospital: object = ""
) -> MonitoringTable:
    """[R-MONITOR] the actor's hospitals with their payment and volume figures for ``month``
    (hospitals with nothing to show are left out). Three queries."""
    scope = monitoring_scope(actor=actor, district=district, hospital=hospital)
    payments = payment_figures_unscoped(month=month, scope=scope)
    volumes = volume_figures_unscoped(month=month, scope=scope)
    ids = set(payments) | set(volumes)
    hospitals = scope.hospitals().filter(pk__in=ids).order_by("region_code", "name")
    rows = [
        HospitalMonitoring(
            hospital_id=h.pk,
            name=h.name,
            region_code=h.region_code,
            payment=payments.get(h.pk, PaymentFigures()),
            volume=volumes.get(h.pk, VolumeFigures()),
        )
        for h in hospitals
    ]
    return MonitoringTable(
        month=month,
        cutoff=month_cutoff(month),
        rows=rows,
        district=str(district or "") if not scope.own else "",
    )


def monitoring_totals(
    *, actor: AnyActor, month: dt.date, district: str | None = None
) -> HospitalMonitoring:
    """The actor's totals for ``month`` (a dashboard tile): due, paid on time, overdue,
    agreed and done volume, lagging contracts."""
    return monitoring_table(actor=actor, month=month, district=district or "").totals
