"""Volume-based procurement rounds for tests: a bureau officer of the order world's city, a
draft round with one group holding the world's listed product, and a published one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, UserFactory
from core import clock
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
