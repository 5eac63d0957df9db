"""Hospitals' demand for a volume-based procurement round: the base volume (采购量基数) per
product group, reported by the hospital and reviewed by the bureau.

[R-VBP-VOLUME] agreed volume = base volume x the round's agreed ratio, rounded up to whole
units (procurement.models.rounds.agreed_volume).

Decisions:

- A hospital of the round's region reports while the round is published and before its
  demand deadline; at the deadline its volumes lock and a report is refused with
  ``demand_locked`` (the deadline in ``extra``). A report replaces the hospital's earlier one
  for the groups it names, and a replaced report waits for review again.
- Each row keeps the platform's pre-fill (the hospital's last 12 months of purchases of the
  group's products) next to the reported figure, for the bureau to compare (CX 4.1).
- The bureau reviews until the bid deadline (suppliers bid on the volumes): it accepts a
  report as it is, or adjusts the base volume with a written reason. History keeps every
  version with who and when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.db import transaction

from accounts.models import Organization, User
from core import clock
from procurement.choices import ROUND_STATES, DemandStatus, RoundAction
from procurement.errors import DemandGroupUnknownError, DemandVolumeInvalidError
from procurement.locks import lock_demand, lock_hospital_demand, lock_round
from procurement.models import TenderDemand
from procurement.selectors.demand import demand_get, demand_prefill_unscoped
from procurement.selectors.rounds import (
    demand_open_check,
    demand_party_check,
    demand_review_open_check,
    round_groups,
    round_party_check,
)
from procurement.services.orders import require_reason

MAX_VOLUME = 100_000_000


def _volume(value: object) -> int:
    if isinstance(value, (bool, float)):
        raise DemandVolumeInvalidError(value=str(value)[:30])
    try:
        volume = int(str(value).strip())
    except (TypeError, ValueError):
        raise DemandVolumeInvalidError(value=str(value)[:30]) from None
    if volume < 0 or volume > MAX_VOLUME:
        raise DemandVolumeInvalidError(value=str(value)[:30])
    return volume


@transaction.atomic
def demand_report(
    *, actor: User, round_id: int, lines: Sequence[Mapping[str, Any]]
) -> list[TenderDemand]:
    """Report (or replace) the hospital's base volumes ``[{"group", "volume"}]``."""
    round = lock_round(actor=actor, round_id=round_id, action="demand.report")
    demand_party_check(actor=actor)
    ROUND_STATES.check(round, RoundAction.REPORT_DEMAND)
    demand_open_check(round=round)
    groups = {group.pk: group for group in round_groups(round=round)}
    wanted: dict[int, int] = {}
    for line in lines:
        group_id = line.get("group")
        group = groups.get(group_id) if isinstance(group_id, int) else None
        if group is None:
            raise DemandGroupUnknownError(group=str(group_id)[:30])
        wanted[group.pk] = _volume(line.get("volume"))
    hospital = cast(Organization, actor.organization)  # demand_party_check: a hospital
    now = clock.now()
    existing = lock_hospital_demand(round=round, hospital=hospital, group_ids=list(wanted))
    saved = []
    for group_id in sorted(wanted):
        prefill = demand_prefill_unscoped(hospital_id=hospital.pk, group=groups[group_id])
        row = existing.get(group_id)
        if row is None:
            row = TenderDemand.objects.create(
                round=round,
                group=groups[group_id],
                hospital=hospital,
                prefill_volume=prefill,
                reported_volume=wanted[group_id],
                reported_by=actor,
                reported_at=now,
            )
        else:
            row.prefill_volume = prefill
            row.reported_volume = wanted[group_id]
            row.adjusted_volume = None
            row.status = DemandStatus.REPORTED
            row.review_reason = ""
            row.reported_by = actor
            row.reported_at = now
            row.reviewed_by = None
            row.reviewed_at = None
            row.save(
                update_fields=[
                    "prefill_volume",
                    "reported_volume",
                    "adjusted_volume",
                    "status",
                    "review_reason",
                    "reported_by",
                    "reported_at",
                    "reviewed_by",
                    "reviewed_at",
                ]
            )
        saved.append(row)
    return saved


@transaction.atomic
def demand_review(
    *, actor: User, demand_id: int, volume: object = None, reason: str = ""
) -> TenderDemand:
    """Accept a report as it is (no ``volume``, or the reported one) or adjust its base
    volume to ``volume`` with a reason."""
    # Lock order: the round first, then the demand row (procurement.locks).
    round_id = demand_get(actor=actor, demand_id=demand_id).round_id
    round = lock_round(actor=actor, round_id=round_id, action="demand.review")
    row = lock_demand(actor=actor, demand_id=demand_id, action="demand.review")
    round_party_check(actor=actor, round=round, permission="demand.review")
    ROUND_STATES.check(round, RoundAction.REVIEW_DEMAND)
    demand_review_open_check(round=round)
    adjusted = None if volume in (None, "") else _volume(volume)
    if adjusted is None or adjusted == row.reported_volume:
        row.status = DemandStatus.ACCEPTED
        row.adjusted_volume = None
        row.review_reason = str(reason or "").strip()[:500]
    else:
        row.status = DemandStatus.ADJUSTED
        row.adjusted_volume = adjusted
        row.review_reason = require_reason(reason)
    row.reviewed_by = actor
    row.reviewed_at = clock.now()
    row.save(
        update_fields=["status", "adjusted_volume", "review_reason", "reviewed_by", "reviewed_at"]
    )
    return row
