"""Volume-based procurement rounds for tests: a bureau officer of the order world's city, a
draft round with one group holding the world's listed product, and a published one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, UserFactory
from core import clock
from procurement.choices import DemandStatus, RoundStatus
from procurement.models import TenderGroup, TenderRound
from procurement.services import rounds

RULE = {"condition": {"op": "n_lowest", "n": 2}, "min_valid_bids": 2}


def bureau_officer(region_code: str = "320100"):
    return UserFactory(
        organization=BureauFactory(region_code=region_code), roles=[Role.BUREAU_OFFICER]
    )


def round_values(**overrides: Any) -> dict[str, Any]:
    now = clock.now()
    today = clock.local_today()
    values = {
        "name": "2027年冠脉支架带量采购",
        "cycle_start": today + dt.timedelta(days=60),
        "cycle_end": today + dt.timedelta(days=60 + 365),
        "agreed_ratio": Decimal("0.8"),
        "advance_ratio": Decimal("0.3"),
        "demand_deadline": now + dt.timedelta(days=10),
        "bid_deadline": now + dt.timedelta(days=20),
        "opening_at": now + dt.timedelta(days=21),
        "publicity_end": now + dt.timedelta(days=28),
    }
    values.update(overrides)
    return values


def draft_round(officer, *, consumables=(), **overrides: Any) -> TenderRound:
    """A draft with group G1 holding ``consumables`` (by their full national codes)."""
    tender = rounds.round_create(actor=officer, **round_values(**overrides))
    if consumables:
        rounds.group_create(
            actor=officer,
            round_id=tender.pk,
            code="G1",
            name="药物洗脱支架",
            code_prefixes=[c.code for c in consumables],
            attribute_filters={},
            max_valid_price=Decimal("100.00"),
            reference_price=Decimal("90.00"),
            winning_rule=RULE,
        )
    return tender


def published_round(officer, *, consumables=(), **overrides: Any) -> TenderRound:
    tender = draft_round(officer, consumables=consumables, **overrides)
    return rounds.round_publish(actor=officer, round_id=tender.pk)


def first_group(tender: TenderRound) -> TenderGroup:
    return tender.groups.order_by("pk").first()


# --- Final rounds: what the opening and publicity leave behind (issue #12 item 5) -----------


def final_round(
    officer,
    *,
    consumables=(),
    cycle_start: dt.date | None = None,
    cycle_days: int = 365,
    **overrides: Any,
) -> TenderRound:
    """A round already final (its dates past), group G1 holding ``consumables``; the
    results are added with :func:`result`. Built as rows: bidding and opening are not
    what the tests of the award are about."""
    now = clock.now()
    start = cycle_start or clock.local_today() - dt.timedelta(days=30)
    values = {
        "number": f"VBP-T{TenderRound.objects.count() + 1:04d}",
        "name": "2026年冠脉支架带量采购",
        "jurisdiction": officer.organization.jurisdiction,
        "status": RoundStatus.FINAL,
        "cycle_start": start,
        "cycle_end": start + dt.timedelta(days=cycle_days),
        "agreed_ratio": Decimal("0.8"),
        "advance_ratio": Decimal("0.3"),
        "demand_deadline": now - dt.timedelta(days=40),
        "bid_deadline": now - dt.timedelta(days=35),
        "opening_at": now - dt.timedelta(days=34),
        "publicity_end": now - dt.timedelta(days=31),
        "created_by": officer,
        "published_at": now - dt.timedelta(days=50),
    }
    values.update(overrides)
    tender = TenderRound.objects.create(**values)
    TenderGroup.objects.create(
        round=tender,
        code="G1",
        name="药物洗脱支架",
        code_prefixes=[c.code for c in consumables] or ["C01"],
        max_valid_price=Decimal("100.00"),
        reference_price=Decimal("90.00"),
        winning_rule=RULE,
    )
    return tender


def result(tender: TenderRound, consumable, *, price, rank, won, companion_price=None, **kw):
    """One opened bid of the round's first group."""
    from procurement.tests.factories import TenderResultFactory

    return TenderResultFactory(
        group=first_group(tender),
        round=tender,
        consumable=consumable,
        supplier=kw.pop("supplier", consumable.manufacturer),
        price=None if price is None else Decimal(price),
        companion_price=None if companion_price is None else Decimal(companion_price),
        rank=rank,
        won=won,
        valid=kw.pop("valid", price is not None),
        **kw,
    )


def demand_row(tender: TenderRound, hospital, reporter, *, base: int):
    """[R-VBP-VOLUME] the hospital's locked base volume of the first group."""
    from procurement.models import TenderDemand

    return TenderDemand.objects.create(
        round=tender,
        group=first_group(tender),
        hospital=hospital,
        reported_volume=base,
        status=DemandStatus.ACCEPTED,
        reported_by=reporter,
        reported_at=clock.now() - dt.timedelta(days=45),
    )
