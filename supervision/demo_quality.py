"""The demo's quality report [R-QUALITY]: one UDI lot of one product delivered to 南京市第一医院 and
to one or two other demo hospitals and accepted at each door with the goods scanned, every step through procurement's own services; then 南京市第一医院 reports a defect on
that lot through supervision.services.quality, so the two other hospitals receive the lot notice
(and the supplier and the bureau their notifications). The report is of general severity and
awaits the bureau: a serious one would raise its credit event at once, suspending the
supplier's listings and disclosing it, which the other demo journeys do not expect.

The product is one these hospitals have already bought and accepted in the procurement demo
(so it is admitted in their catalogues) from a manufacturer no sanction restrains. Runs after
supervision.demo (the misconduct catalogue) and demo_five_rates (today's orders do not touch the
frozen month). Seeding again changes nothing: the report on the demo lot exists.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.db import transaction
from django.db.models import Count

from accounts.models import User
from catalog.models import DeviceIdentifier
from core import clock, restrictions
from procurement.models import DeliveryLine, Listing
from procurement.services import deliveries, orders
from supervision.models import QualityReport
from supervision.selectors.quality import RECEIVED
from supervision.services import quality

DEMO_LOT = "QA2611A07"
REPORTER = "h01_purchaser"  # 南京市第一医院 reports; the others are told
MAX_HOSPITALS = 3
DESCRIPTION = "术中输送系统推送时导管近端断裂，已更换同规格产品完成手术，患者无不良后果。"


def _restrained(listing: Listing) -> bool:
    ordering = restrictions.Subject(organization_id=listing.manufacturer_id, listing_id=listing.pk)
    delivering = restrictions.Subject(organization_id=listing.manufacturer_id)
    return bool(
        restrictions.restriction_refusals(restrictions.ORDER_LISTING, [ordering])
        or restrictions.restriction_refusals(restrictions.DELIVERY, [delivering])
    )


def _pick(reporter_id: int) -> tuple[Listing, list[int]] | None:
    """A listed product the reporting hospital and as many other demo hospitals as possible
    (at least one) accepted goods of, from an unrestrained manufacturer; and those hospitals,
    the reporter first (at most MAX_HOSPITALS)."""
    accepted = DeliveryLine.objects.filter(
        accepted_quantity__gt=0,
        delivery__status__in=RECEIVED,
        order_line__listing__status="listed",
    )
    mine = accepted.filter(delivery__order__hospital_id=reporter_id).values(
        "order_line__listing_id"
    )
    ranked = (
        accepted.filter(order_line__listing_id__in=mine)
        .values("order_line__listing_id")
        .annotate(n=Count("delivery__order__hospital_id", distinct=True))
        .filter(n__gte=2)
        .order_by("-n", "order_line__listing_id")
        .values_list("order_line__listing_id", flat=True)
    )
    for listing_id in ranked:
        listing = Listing.objects.get(pk=listing_id)
        if _restrained(listing):
            continue
        others = sorted(
            set(
                accepted.filter(order_line__listing_id=listing_id)
                .exclude(delivery__order__hospital_id=reporter_id)
                .values_list("delivery__order__hospital_id", flat=True)
            )
        )
        return listing, [reporter_id, *others[: MAX_HOSPITALS - 1]]
    return None


def _deliver(listing: Listing, purchaser: User, sales: User, barcode: str) -> None:
    """One order of two units, confirmed, delivered and accepted with the lot scanned."""
    order = orders.order_create(
        actor=purchaser,
        lines=[{"listing": listing.pk, "quantity": 2}],
        department="心血管内科",
    )[0]
    orders.order_submit(actor=purchaser, order_id=order.pk)
    line = order.lines.get()
    orders.order_respond(
        actor=sales,
        order_id=order.pk,
        answers=[
            {
                "line": line.pk,
                "decision": "confirm",
                "promised_on": clock.local_today() + dt.timedelta(days=1),
            }
        ],
    )
    delivery = deliveries.delivery_create(
        actor=sales,
        order_id=order.pk,
        lines=[{"order_line": line.pk, "quantity": 2, "barcode": barcode}],
    )
    shipped = delivery.lines.get()
    deliveries.delivery_accept(
        actor=purchaser,
        delivery_id=delivery.pk,
        lines=[
            {
                "delivery_line": shipped.pk,
                "accepted_quantity": 2,
                "refused_quantity": 0,
                "reason": "",
                "barcodes": [barcode],
            }
        ],
    )


@transaction.atomic
def seed() -> dict[str, int]:
    if QualityReport.objects.filter(lot=DEMO_LOT).exists():
        return {"quality_reports": QualityReport.objects.count()}
    reporter = User.objects.filter(username=REPORTER).first()
    if reporter is None or reporter.organization_id is None:
        return {}
    picked = _pick(reporter.organization_id)
    if picked is None:
        return {}
    listing, hospital_ids = picked
    purchasers = [
        User.objects.filter(
            organization_id=pk, roles__contains=["hospital_purchaser"], is_active=True
        )
        .order_by("pk")
        .first()
        for pk in hospital_ids
    ]
    sales = (
        User.objects.filter(
            organization_id=listing.manufacturer_id, roles__contains=["supplier_sales"]
        )
        .order_by("pk")
        .first()
    )
    di = (
        DeviceIdentifier.objects.filter(consumable_id=listing.consumable_id)
        .order_by("di")
        .values_list("di", flat=True)
        .first()
    )
    if sales is None or di is None or None in purchasers:
        return {}
    today = clock.local_today()
    produced, expiry = today - dt.timedelta(days=60), today + dt.timedelta(days=700)
    barcode = f"(01){di}(11){produced:%y%m%d}(17){expiry:%y%m%d}(10){DEMO_LOT}"
    for purchaser in purchasers:
        _deliver(listing, cast(User, purchaser), sales, barcode)
    report = quality.quality_report_file(
        actor=reporter,
        consumable_id=listing.consumable_id,
        lot=DEMO_LOT,
        severity="general",
        occurred_on=today,
        description=DESCRIPTION,
    )
    return {
        "quality_reports": QualityReport.objects.count(),
        "lot_notices": report.lot_notices.count(),
    }
