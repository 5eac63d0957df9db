"""Set-up of the sealed-bid journey, in its own process against the e2e database (as
e2e/facts.py): a round of one group holding one product of the first demo manufacturer,
the demo's five custodians (3 of 5), published, every share collected, its bid deadline
``--bid-seconds`` ahead and its opening a few seconds later. Prints JSON: the round, the
group's maximum, the product, the supplier's user name and the custodians' shares (which
in a real round only each custodian holds)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from decimal import Decimal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bid-seconds", type=int, default=40)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from accounts.models import User
    from core import clock
    from procurement.choices import ListingStatus
    from procurement.models import Listing
    from procurement.services import bids, rounds

    bureau = User.objects.get(username="bureau")
    sales = User.objects.get(username="m01_sales")
    listing = (
        Listing.objects.filter(manufacturer_id=sales.organization_id, status=ListingStatus.LISTED)
        .select_related("consumable")
        .order_by("pk")
        .first()
    )
    keepers = [User.objects.get(username=f"custodian{n}") for n in range(1, 6)]
    now = clock.now()
    today = clock.local_today()
    tender = rounds.round_create(
        actor=bureau,
        name="密封申报演练批次",
        cycle_start=today + dt.timedelta(days=30),
        cycle_end=today + dt.timedelta(days=395),
        agreed_ratio=Decimal("0.8"),
        advance_ratio=Decimal("0.3"),
        demand_deadline=now + dt.timedelta(seconds=args.bid_seconds - 10),
        bid_deadline=now + dt.timedelta(seconds=args.bid_seconds),
        opening_at=now + dt.timedelta(seconds=args.bid_seconds + 2),
        publicity_end=now + dt.timedelta(days=7),
    )
    group = rounds.group_create(
        actor=bureau,
        round_id=tender.pk,
        code="G1",
        name=listing.consumable.generic_name,
        code_prefixes=[listing.consumable.code],
        attribute_filters={},
        max_valid_price=Decimal("500.00"),
        winning_rule={"condition": {"op": "n_lowest", "n": 1}, "min_valid_bids": 1},
    )
    bids.round_custodians_set(
        actor=bureau,
        round_id=tender.pk,
        threshold=3,
        custodians=[{"user": u.pk, "discipline_inspection": i == 4} for i, u in enumerate(keepers)],
    )
    rounds.round_publish(actor=bureau, round_id=tender.pk)
    shares = {u.username: bids.share_collect(actor=u, round_id=tender.pk)[1] for u in keepers}
    tender.refresh_from_db()
    sys.stdout.write(
        json.dumps(
            {
                "round": tender.pk,
                "number": tender.number,
                "group": group.pk,
                "max": str(group.max_valid_price),
                "product": listing.consumable_id,
                "supplier_user": sales.username,
                "opening_at": tender.opening_at.timestamp(),
                "shares": shares,
            },
            ensure_ascii=False,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
