"""A credit world for supervision tests: the order world (procurement/tests/order_world.py)
with the city bureau's officer (320100), and helpers to record an event with the real
services and to move the clock past a sanction's end."""

from __future__ import annotations

import datetime as dt

import time_machine

from accounts.choices import Role
from accounts.models import User
from accounts.tests.factories import BureauFactory, UserFactory
from core import clock
from supervision.models import CreditEvent
from supervision.services import credit as services


def bureau_officer(region_code: str = "320100") -> User:
    return UserFactory(
        organization=BureauFactory(region_code=region_code), roles=[Role.BUREAU_OFFICER]
    )


def record(
    officer: User,
    subject,
    item: str = "supply_failure",
    *,
    listing=None,
    description: str = "未按合同约定供货",
) -> CreditEvent:
    return services.credit_event_record(
        actor=officer,
        subject_id=subject.pk,
        item_code=item,
        occurred_on=clock.local_today(),
        description=description,
        evidence_text="医院投诉记录",
        listing_id=listing.pk if listing is not None else None,
    )


def set_days(officer: User, code: str, sanctions: dict[str, int], *, repairable=True) -> None:
    from supervision.models import MisconductItem

    item = MisconductItem.objects.get(code=code)
    services.misconduct_item_update(
        actor=officer,
        item_id=item.pk,
        name=item.name,
        level=item.level,
        score_deduction=item.score_deduction,
        sanctions=sanctions,
        repairable=repairable,
        is_active=True,
    )


def after(days: int, minutes: int = 1):
    """The clock moved to ``days`` days (and a minute) from now (time-machine, frozen)."""
    return time_machine.travel(clock.now() + dt.timedelta(days=days, minutes=minutes), tick=False)
