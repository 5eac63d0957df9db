"""Reads of purchase contracts (采购协议) [R-VBP-CONTRACT]: lists, one contract, its progress
by month, the lag flag, and what an actor may do with it now (``contract_actions``).

What counts toward a contract [R-VBP-PRIORITY]: the lines of the hospital's orders of the
contract's product from its manufacturer, delivered by its distributor (the order's
distributor, or the manufacturer when it delivers itself), submitted within the cycle, and
confirmed by the supplier; each counts with what the hospital kept (accepted minus returned),
in the month (Asia/Shanghai) the order was submitted. Counting what was kept, rather than
what was ordered, is the agreed volume actually bought; an order beyond the agreed quantity
still counts (done may pass 100%) and is priced at the winning price
(``procurement.selectors.pricing``). Counting is a read, not a counter kept by the order
services, so returns and late acceptances are counted without a second place to update.

Lag flag: a contract in force lags when its done share is behind the elapsed share of its
cycle, ``done / agreed < elapsed days / cycle days`` (equal is on track); before the cycle
starts nothing lags, after it ends the elapsed share is 1. Computed in SQL (as
``done * cycle_days < agreed * elapsed_days``), so that a list and a home-page card filter on
it in one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from core import clock
from core.actions import Actions, role_check, verdict
from core.errors import NotFoundError, PermissionDeniedError
from procurement.choices import CONTRACT_STATES, ContractAction, ContractStatus, LineStatus
from procurement.errors import ContractAlreadySignedError, ContractNotPartyError
from procurement.models import Contract, OrderLine, TenderGroup

LIVE_CONTRACT_STATUSES = (ContractStatus.AWAITING, ContractStatus.ACTIVE)
# [R-VBP-CONTRACT] the bureau decides a renewal from this many days before the cycle ends.
RENEWAL_WINDOW_DAYS = 30

HOSPITAL = "hospital"
MANUFACTURER = "manufacturer"
DISTRIBUTOR = "distributor"


def _minus(a: Combinable, b: Combinable) -> Func:
    """``a - b`` of two dates, in whole days (PostgreSQL's date - date is an integer; the
    ORM's own subtraction would make an interval)."""
    return Func(a, b, template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField())


def _counting(
    *,
    hospital: int | OuterRef,
    manufacturer: int | OuterRef,
    distributor: int | OuterRef,
    consumable: int | OuterRef,
    start: dt.date | OuterRef,
    end: dt.date | OuterRef,
) -> QuerySet[OrderLine]:
    """What counts toward a contract, stated once: confirmed lines of its product and
    manufacturer, for its hospital, delivered by its distributor (or by the manufacturer
    itself when the order names none), from orders submitted within its cycle. The values
    are a contract's own or OuterRefs to the enclosing contract."""
    return OrderLine.objects.filter(
        Q(order__distributor_id=distributor)
        | Q(order__distributor__isnull=True, order__supplier_id=distributor),
        order__hospital_id=hospital,
        order__supplier_id=manufacturer,
        consumable_id=consumable,
        status=LineStatus.CONFIRMED,
        order__submitted_at__date__gte=start,
        order__submitted_at__date__lte=end,
    )


def contract_counted_lines(*, contract: Contract, until: dt.date) -> QuerySet[OrderLine]:
    """The lines counting toward ``contract`` from orders submitted up to ``until`` (for the
    advance offsets of settlement, which read purchases month by month)."""
    return _counting(
        hospital=contract.hospital_id,
        manufacturer=contract.manufacturer_id,
        distributor=contract.distributor_id,
        consumable=contract.consumable_id,
        start=contract.cycle_start,
        end=min(until, contract.cycle_end),
    )


def counted_lines() -> QuerySet[OrderLine]:
    """The order lines that count toward the contract of the enclosing query (OuterRef)."""
    ref = OuterRef
    return _counting(
        hospital=ref("hospital_id"),
        manufacturer=ref("manufacturer_id"),
        distributor=ref("distributor_id"),
        consumable=ref("consumable_id"),
        start=ref("cycle_start"),
        end=ref("cycle_end"),
    )


def with_progress(contracts: QuerySet[Contract], *, today: dt.date) -> QuerySet[Contract]:
    """Annotate ``done`` (units counted), ``cycle_days``, ``elapsed_days`` and ``lagging``."""
    done = (
        counted_lines()
        .order_by()
        .values("order__hospital_id")
        .annotate(total=Sum(F("accepted_quantity") - F("returned_quantity")))
        .values("total")
    )
    until = Func(F("cycle_end"), Value(today), function="LEAST", output_field=DateField())
    return (
        contracts.annotate(
            done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
            cycle_days=_minus(F("cycle_end"), F("cycle_start")),
            elapsed_days=Greatest(_minus(until, F("cycle_start")), Value(0)),
        )
        .annotate(
            lag_done=F("done") * F("cycle_days"),
            lag_due=F("agreed_quantity") * F("elapsed_days"),
        )
        .annotate(
            lagging=Case(
                When(Q(status=ContractStatus.ACTIVE, lag_done__lt=F("lag_due")), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def contract_list(
    *,
    actor: User,
    status: list[str] | None = None,
    lagging: bool | None = None,
    round_id: int | None = None,
    group_id: int | None = None,
    renewal_due: bool = False,
    to_sign: bool = False,
    district: str = "",
) -> QuerySet[Contract]:
    rows = with_progress(
        Contract.objects.visible_to(actor).select_related(
            "hospital", "manufacturer", "distributor", "consumable", "round", "group"
        ),
        today=clock.local_today(),
    )
    if status:
        rows = rows.filter(status__in=status)
    if lagging is not None:
        rows = rows.filter(**{"lagging": lagging})  # an annotation (with_progress)
    if round_id is not None:
        rows = rows.filter(round_id=round_id)
    if group_id is not None:
        rows = rows.filter(group_id=group_id)
    if district:  # the bureau dashboard's drill-down: the hospitals of a region code prefix
        rows = rows.filter(hospital__region_code__startswith=district)
    if to_sign:
        rows = rows.filter(status=ContractStatus.AWAITING).filter(unsigned_by_q(actor))
    if renewal_due:
        rows = rows.filter(
            status=ContractStatus.ACTIVE,
            cycle_end__lte=clock.local_today() + dt.timedelta(days=RENEWAL_WINDOW_DAYS),
        )
    return rows.order_by("-cycle_start", "number")


def unsigned_by_q(actor: User) -> Q:
    """Contracts whose side of the actor's organisation is not signed yet."""
    org_id = getattr(actor, "organization_id", None)
    if org_id is None:
        return Q(pk__in=[])
    return (
        Q(hospital_id=org_id, hospital_signed_at__isnull=True)
        | Q(manufacturer_id=org_id, manufacturer_signed_at__isnull=True)
        | Q(distributor_id=org_id, distributor_signed_at__isnull=True)
    )


def contract_get(*, actor: User, contract_id: int) -> Contract:
    found = contract_list(actor=actor).filter(pk=contract_id).first()
    if found is None:
        raise NotFoundError()
    return found


@dataclass(frozen=True)
class MonthProgress:
    month: dt.date  # the first of the month
    done: int
    cumulative: int


@dataclass(frozen=True)
class Progress:
    agreed: int
    done: int
    done_share: Decimal
    elapsed_share: Decimal
    lagging: bool
    months: list[MonthProgress]


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else Decimal(0)


def contract_progress(*, contract: Contract) -> Progress:
    """Done vs agreed by month of the cycle (a contract read through ``contract_list``)."""
    lines = _counting(
        hospital=contract.hospital_id,
        manufacturer=contract.manufacturer_id,
        distributor=contract.distributor_id,
        consumable=contract.consumable_id,
        start=contract.cycle_start,
        end=contract.cycle_end,
    ).values_list("order__submitted_at", "accepted_quantity", "returned_quantity")
    by_month: dict[dt.date, int] = {}
    for submitted_at, accepted, returned in lines:
        if submitted_at is None:  # not submitted: not counted (the filter excludes it)
            continue
        day = clock.to_local(submitted_at).date().replace(day=1)
        by_month[day] = by_month.get(day, 0) + accepted - returned
    months = []
    month = contract.cycle_start.replace(day=1)
    last = min(contract.cycle_end, max(clock.local_today(), contract.cycle_start)).replace(day=1)
    cumulative = 0
    while month <= last:
        cumulative += by_month.get(month, 0)
        months.append(
            MonthProgress(month=month, done=by_month.get(month, 0), cumulative=cumulative)
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    done = contract.done  # type: ignore[attr-defined]
    return Progress(
        agreed=contract.agreed_quantity,
        done=done,
        done_share=_share(done, contract.agreed_quantity),
        elapsed_share=_share(contract.elapsed_days, contract.cycle_days),  # type: ignore[attr-defined]
        lagging=contract.lagging,  # type: ignore[attr-defined]
        months=months,
    )


# --- parties and actions ----------------------------------------------------------------------


def contract_parties(*, actor: User, contract: Contract) -> list[str]:
    """The sides the actor's organisation signs for (a manufacturer delivering itself signs
    as manufacturer and distributor at once)."""
    org_id = getattr(actor, "organization_id", None)
    sides = []
    if org_id == contract.hospital_id:
        sides.append(HOSPITAL)
    if org_id == contract.manufacturer_id:
        sides.append(MANUFACTURER)
    if org_id == contract.distributor_id:
        sides.append(DISTRIBUTOR)
    return sides


def party_label(side: str) -> str:
    return str(getattr(Contract._meta.get_field(side), "verbose_name", side))


def contract_sign_check(*, actor: User, contract: Contract) -> list[str]:
    """The sides the actor still has to sign, or the refusal."""
    sides = contract_parties(actor=actor, contract=contract)
    if not sides:
        raise ContractNotPartyError(number=contract.number)
    open_sides = [side for side in sides if getattr(contract, f"{side}_signed_at") is None]
    if not open_sides:
        raise ContractAlreadySignedError(party=party_label(sides[0]), number=contract.number)
    return open_sides


def contract_role_check(*, actor: User, side: str) -> None:
    """A hospital signs through its purchaser; a supplier through its sales staff."""
    org = actor.organization
    if org is None or (side == HOSPITAL) != org.is_hospital:
        raise PermissionDeniedError(action="contract.sign")


def contract_actions(*, actor: User, contract: Contract) -> Actions:
    def sign() -> None:
        CONTRACT_STATES.check(contract, ContractAction.SIGN)
        contract_sign_check(actor=actor, contract=contract)

    return Actions([verdict(ContractAction.SIGN, role_check(actor, "contract.sign"), sign)])


def signatures(contract: Contract) -> list[tuple[str, object, object]]:
    """(side label, signed by, signed at) for the three parties."""
    return [
        (
            party_label(side),
            getattr(contract, f"{side}_signed_by"),
            getattr(contract, f"{side}_signed_at"),
        )
        for side in (HOSPITAL, MANUFACTURER, DISTRIBUTOR)
    ]


def group_live_contracts(*, group: TenderGroup) -> QuerySet[Contract]:
    return Contract.objects.filter(group=group, status__in=LIVE_CONTRACT_STATUSES)
