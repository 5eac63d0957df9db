"""Reads of hospitals' demand (采购量基数) for volume-based procurement rounds: the list a
hospital or the bureau sees, a hospital's form rows pre-filled from its last 12 months of
platform purchases, and the agreed volumes [R-VBP-VOLUME]."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any, cast

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import Consumable
from core import clock
from core.errors import NotFoundError
from procurement.choices import LineStatus, OrderStatus
from procurement.models import OrderLine, TenderDemand, TenderGroup, TenderRound
from procurement.models.rounds import agreed_volume
from procurement.selectors.rounds import group_products_q, round_groups

PREFILL_DAYS = 365
# Orders that bought something: submitted and not cancelled or rejected; lines not refused.
PURCHASED_ORDER_STATUSES = (OrderStatus.SUBMITTED, OrderStatus.CONFIRMED, OrderStatus.COMPLETED)
PURCHASED_LINE_STATUSES = (LineStatus.PENDING, LineStatus.CONFIRMED)


def demand_list(
    *,
    actor: User,
    round_id: int | None = None,
    status: Iterable[str] | None = None,
    hospital_id: int | None = None,
) -> QuerySet[TenderDemand]:
    rows = TenderDemand.objects.visible_to(actor).select_related("group", "hospital", "round")
    if round_id is not None:
        rows = rows.filter(round_id=round_id)
    if status:
        rows = rows.filter(status__in=list(status))
    if hospital_id is not None:
        rows = rows.filter(hospital_id=hospital_id)
    return rows.order_by("round_id", "group__code", "hospital__name", "id")


def demand_get(*, actor: User, demand_id: int) -> TenderDemand:
    found = demand_list(actor=actor).filter(pk=demand_id).first()
    if found is None:
        raise NotFoundError()
    return found


def demand_prefill_unscoped(*, hospital_id: int, group: TenderGroup) -> int:
    """The units of the group's products the hospital bought on the platform in the last 12
    months (order lines of submitted orders, not refused). Unscoped: the service calls it for
    the reporting hospital itself."""
    since = clock.now() - dt.timedelta(days=PREFILL_DAYS)
    total = (
        OrderLine.objects.filter(
            order__hospital_id=hospital_id,
            order__status__in=PURCHASED_ORDER_STATUSES,
            order__submitted_at__gte=since,
            status__in=PURCHASED_LINE_STATUSES,
        )
        .filter(consumable__in=Consumable.objects.filter(group_products_q(group)).values("pk"))
        .aggregate(units=Sum("quantity"))["units"]
    )
    return int(total or 0)


@dataclass(frozen=True)
class DemandRow:
    """One group of a hospital's demand form."""

    group: TenderGroup
    prefill: int
    demand: TenderDemand | None
    ratio: Any

    @property
    def volume(self) -> int:
        """What the form shows: the report if there is one, else the pre-fill."""
        return self.demand.reported_volume if self.demand is not None else self.prefill

    @property
    def base_volume(self) -> int | None:
        return self.demand.base_volume if self.demand is not None else None

    @property
    def agreed(self) -> int | None:
        """[R-VBP-VOLUME]"""
        return None if self.demand is None else agreed_volume(self.demand.base_volume, self.ratio)


def demand_rows(*, actor: User, round: TenderRound) -> list[DemandRow]:
    """The hospital's form for ``round``: one row per group, pre-filled from its purchases."""
    hospital_id = cast(int, actor.organization_id)  # demand_party_check: a hospital
    existing = {
        row.group_id: row
        for row in TenderDemand.objects.visible_to(actor).filter(
            round=round, hospital_id=hospital_id
        )
    }
    return [
        DemandRow(
            group=group,
            prefill=demand_prefill_unscoped(hospital_id=hospital_id, group=group),
            demand=existing.get(group.pk),
            ratio=round.agreed_ratio,
        )
        for group in round_groups(round=round)
    ]


def round_demand_totals(*, actor: User, round: TenderRound) -> list[dict]:
    """Per group: the hospitals reporting, base and agreed volume summed [R-VBP-VOLUME] (the
    agreed volume of a group is the sum of each hospital's rounded-up figure)."""
    rows = demand_list(actor=actor, round_id=round.pk)
    totals: dict[int, dict] = {
        group.pk: {"group": group, "hospitals": 0, "base": 0, "agreed": 0, "awaiting": 0}
        for group in round_groups(round=round)
    }
    for row in rows:
        entry = totals.get(row.group_id)
        if entry is None:
            continue
        entry["hospitals"] += 1
        entry["base"] += row.base_volume
        entry["agreed"] += row.agreed_volume(round.agreed_ratio)
        entry["awaiting"] += int(row.status == "reported")
    return list(totals.values())


def demand_rounds(*, actor: User, todo: bool = False) -> QuerySet[TenderRound]:
    """A hospital's published rounds; ``todo``: those still open for demand that it has not
    reported for (its home card)."""
    from procurement.choices import RoundStatus
    from procurement.selectors.rounds import round_list

    rows = round_list(actor=actor, status=[RoundStatus.PUBLISHED])
    if todo:
        rows = rows.filter(demand_deadline__gt=clock.now()).exclude(
            demand__hospital_id=actor.organization_id
        )
    return rows


# The demand template's columns: the group's id (what the upload reads), its code and name,
# the pre-fill, and the base volume (what the upload reads; pre-filled).
XLSX_MAX_ROWS = 1000


def demand_xlsx_rows(rows: list[DemandRow]) -> list[list]:
    return [[row.group.pk, row.group.code, row.group.name, row.prefill, row.volume] for row in rows]


def demand_lines_from_xlsx(raw: IO[bytes]) -> list[dict]:
    """The ``[{"group", "volume"}]`` lines of an uploaded demand template (first sheet, a
    header row, then group id in column A and base volume in column E). Volumes are checked
    by the service, as typed ones are."""
    import openpyxl

    from procurement.errors import DemandUploadInvalidError

    try:
        workbook = openpyxl.load_workbook(raw, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is no workbook
        raise DemandUploadInvalidError(problem=_("not an XLSX file.")) from None
    lines = []
    for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
        if number == 1 or row is None or all(cell in (None, "") for cell in row):
            continue
        if number > XLSX_MAX_ROWS:
            raise DemandUploadInvalidError(problem=_("more than 1000 rows."))
        cells = list(row) + [None] * 5
        group, volume = cells[0], cells[4]
        if volume in (None, ""):
            continue
        if not isinstance(group, int) or isinstance(group, bool):
            raise DemandUploadInvalidError(
                problem=_("row %(row)s: column A must be the group id of the template.")
                % {"row": number}
            )
        if isinstance(volume, float) and volume.is_integer():
            volume = int(volume)
        lines.append({"group": group, "volume": volume})
    return lines
