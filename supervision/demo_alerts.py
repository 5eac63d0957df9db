"""The demo's abnormal-use alerts [R-ALERT-USE] [R-MISCONDUCT] (docs/alerts.md): a listing
bought by the region's hospitals whose price rose by a quarter three weeks ago (an approved
price change), a listing priced far above the national lowest the sync observed in another
province, and the settlement demo's invoices overdue for payment [R-PAY-30]; the rules run
once, and the price-rise alert is acknowledged by the bureau's officer and assigned to them.
Seeding again changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from catalog.models import PriceObservation
from core import clock
from core.money import quantize
from core.regions import jurisdiction_prefix
from procurement.choices import ListingStatus, PriceChangeStatus
from procurement.models import Listing, ListingPriceChange, OrderLine
from supervision.models import Alert
from supervision.services import alerts as services

RISE = Decimal("1.25")
GAP = Decimal("0.50")  # the national lowest: half the listed price (a 2x gap)


def _bought_listings(prefix: str, *, exclude: set[int]):
    ids = (
        OrderLine.objects.filter(order__hospital__region_code__startswith=prefix)
        .exclude(listing_id__in=exclude)
        .order_by("listing_id")
        .values_list("listing_id", flat=True)
        .distinct()
    )
    return Listing.objects.filter(pk__in=list(ids[:50]), status=ListingStatus.LISTED).order_by("pk")


@transaction.atomic
def seed() -> dict[str, int]:
    if Alert.objects.exists():
        return {"alerts": Alert.objects.count()}
    bureau = User.objects.filter(username="bureau").select_related("organization").first()
    if bureau is None or bureau.organization is None:
        return {}
    prefix = jurisdiction_prefix(bureau.organization.region_code)
    now = clock.now()
    suspended = set(
        Listing.objects.exclude(status=ListingStatus.LISTED).values_list("pk", flat=True)
    )
    rising = _bought_listings(prefix, exclude=suspended).first()
    if rising is not None:
        old = rising.price
        new = quantize(old * RISE)
        requester = User.objects.filter(organization_id=rising.manufacturer_id).first() or bureau
        change = ListingPriceChange.objects.create(
            listing=rising,
            old_price=old,
            new_price=new,
            reason="原材料成本上涨",
            status=PriceChangeStatus.APPROVED,
            requested_by=requester,
            reviewed_by=bureau,
            review_reason="材料齐全",
        )
        ListingPriceChange.objects.filter(pk=change.pk).update(
            created_at=now - dt.timedelta(days=22), reviewed_at=now - dt.timedelta(days=21)
        )
        Listing.objects.filter(pk=rising.pk).update(price=new)
    gap = _bought_listings(prefix, exclude={*suspended, rising.pk if rising else 0}).first()
    if gap is not None:
        PriceObservation.objects.get_or_create(
            consumable_id=gap.consumable_id,
            province_code="330000",
            source_platform="浙江省医药集中采购平台",
            observed_on=clock.local_today() - dt.timedelta(days=2),
            defaults={"price": quantize(gap.price * GAP)},
        )
    services.alerts_run()
    alert = Alert.objects.filter(rule__code="price_rise", status="open").order_by("pk").first()
    if alert is not None:
        services.alert_acknowledge(actor=bureau, alert_id=alert.pk)
    return {"alerts": Alert.objects.count()}
