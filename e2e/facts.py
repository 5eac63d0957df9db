"""What the browser journeys need to know about the demo data, printed as JSON.

Run in its own process against the e2e database (``python -m e2e.facts``, DATABASE_URL set by
the harness): the pytest process never opens that database, so pytest-django's guards stay as
they are, and the journeys learn only what a user would have in hand (a product's model to
type, the UDI barcode printed on its box). Everything the journeys then check comes from the
pages.
"""

from __future__ import annotations

import json
import os
import sys


class FactsError(RuntimeError):
    """The demo data lacks something a journey needs (the demo changed: pick again here)."""


def _orderable_pair(purchaser, sales) -> list[dict]:
    """Two capped-catalogue listings of the sales user's manufacturer that the purchaser buys
    at the listed price, each with a GS1 UDI-DI for a single unit."""
    from catalog.choices import IssuingAgency
    from catalog.models import DeviceIdentifier
    from procurement.choices import Catalogue, ListingStatus, PurchaseLabel
    from procurement.models import Listing
    from procurement.selectors.listings import listing_unit_prices

    listings = list(
        Listing.objects.filter(
            manufacturer_id=sales.organization_id,
            status=ListingStatus.LISTED,
            catalogue=Catalogue.CAPPED,
            label__in=[PurchaseLabel.NORMAL, PurchaseLabel.PREFERRED, PurchaseLabel.ENCOURAGED],
        )
        .select_related("consumable", "manufacturer")
        .order_by("pk")
    )
    prices = listing_unit_prices(actor=purchaser, listings=listings)
    dis = dict(
        DeviceIdentifier.objects.filter(
            consumable_id__in=[x.consumable_id for x in listings],
            agency=IssuingAgency.GS1,
            packaging_quantity=1,
        )
        .order_by("-di")
        .values_list("consumable_id", "di")
    )
    models = [x.consumable.model for x in listings]
    chosen = []
    for listing in listings:
        consumable = listing.consumable
        if prices.get(listing.pk) != listing.price or consumable.pk not in dis:
            continue  # an agreed price, or no unit-level GS1 code to scan
        if not consumable.model or models.count(consumable.model) != 1:
            continue  # the search by model must find this product alone among its maker's
        chosen.append(
            {
                "listing": listing.pk,
                "product": consumable.product_name,
                "specification": consumable.specification,
                "model": consumable.model,
                "code": consumable.code,
                "di": dis[consumable.pk],
                "price": str(listing.price),
                "unit": consumable.unit,
            }
        )
        if len(chosen) == 2:
            return chosen
    raise FactsError(f"{sales.username}: fewer than two listings fit the order journey")


def _other_di(excluded: set[str]) -> str:
    """The UDI-DI of some other listed product: scanning it at the door must be refused."""
    from catalog.models import DeviceIdentifier

    found = (
        DeviceIdentifier.objects.filter(consumable__isnull=False, agency="gs1")
        .exclude(di__in=excluded)
        .order_by("di")
        .values_list("di", flat=True)
        .first()
    )
    if found is None:
        raise FactsError("no other UDI-DI in the catalogue")
    return found


def collect() -> dict:
    from accounts.models import User

    users = {
        u.username: u
        for u in User.objects.select_related("organization").filter(
            username__in=["h01_purchaser", "h01_finance", "bureau"]
        )
    }
    if len(users) != 3:
        raise FactsError("the demo users are missing: did seed_demo run?")
    purchaser = users["h01_purchaser"]
    # The first demo manufacturer (m01, m02...) with two products that fit.
    for sales in (
        User.objects.select_related("organization")
        .filter(username__regex=r"^m[0-9]+_sales$", organization__kind="manufacturer")
        .order_by("username")
    ):
        try:
            products = _orderable_pair(purchaser, sales)
        except FactsError:
            continue
        break
    else:
        raise FactsError("no demo manufacturer has two listings that fit the order journey")
    return {
        "hospital": purchaser.organization.name,
        "supplier": sales.organization.name,
        "supplier_user": sales.username,
        "bureau": users["bureau"].organization.name,
        "products": products,
        "foreign_di": _other_di({p["di"] for p in products}),
        "emergency_code": _unlisted_code(),
        "negotiation": _negotiable({sales.organization_id}),
        "payment": _payable(),
        "quality": _quality_lot(),
    }


def _quality_lot() -> dict:
    """[R-QUALITY] the demo's UDI lot (supervision/demo_quality.py) and two hospitals that
    accepted goods of it besides the demo's reporter: the first files a report in the browser
    (its purchaser), the second (or the demo's reporter) is the one that reads the notice."""
    from accounts.models import Organization, User
    from supervision import demo_quality
    from supervision.models import QualityReport
    from supervision.selectors.quality import lot_receivers_unscoped

    report = (
        QualityReport.objects.select_related("consumable", "hospital")
        .filter(lot=demo_quality.DEMO_LOT)
        .first()
    )
    if report is None:
        raise FactsError("the demo's quality lot is missing: did supervision.demo_quality run?")
    receivers = lot_receivers_unscoped(consumable_id=report.consumable_id, lot=report.lot)
    others = [pk for pk in receivers if pk != report.hospital_id]
    if not others:
        raise FactsError("the demo's quality lot reached one hospital only")
    reporter = Organization.objects.get(pk=others[0])
    told = Organization.objects.get(pk=others[1]) if len(others) > 1 else report.hospital

    def purchaser(org) -> str:
        user = (
            User.objects.filter(organization=org, roles__contains=["hospital_purchaser"])
            .order_by("username")
            .first()
        )
        if user is None:
            raise FactsError(f"no purchaser at {org.name}")
        return user.username

    return {
        "lot": report.lot,
        "consumable": report.consumable_id,
        "product": report.consumable.product_name,
        "reporter": purchaser(reporter),
        "reporter_name": reporter.name,
        "told": purchaser(told),
        "told_name": told.name,
    }


def _payable() -> dict:
    """[R-ESCROW] a supplier's confirmed invoices to one hospital that no payment request holds
    and whose order, acceptance and invoice agree: the payment journey requests them (h01's
    first, the hospital the demo's finance staff work for)."""
    from accounts.models import User
    from procurement.models import Invoice
    from settlement.models import PaymentRequestLine
    from settlement.selectors.payments import three_flows_mismatches

    finance = {
        u.organization_id: u
        for u in User.objects.filter(username__regex=r"^h[0-9]+_finance$").order_by("username")
    }
    sales = {u.organization_id: u for u in User.objects.filter(username__endswith="_sales")}
    invoices = list(
        Invoice.objects.filter(status="confirmed", hospital_id__in=finance, issuer_id__in=sales)
        .exclude(pk__in=PaymentRequestLine.objects.values("invoice_id"))
        .select_related("hospital", "issuer")
        .order_by("hospital__name", "pk")
    )
    bad = {m.invoice for m in three_flows_mismatches({i.pk: i.amount for i in invoices})}
    for hospital_id, user in finance.items():
        mine = [i for i in invoices if i.hospital_id == hospital_id and i.number not in bad]
        if mine:
            chosen = [i for i in mine if i.issuer_id == mine[0].issuer_id]
            return {
                "supplier_user": sales[chosen[0].issuer_id].username,
                "supplier": chosen[0].issuer.name,
                "finance_user": user.username,
                "hospital": chosen[0].hospital.name,
                "invoices": [i.number for i in chosen],
                "amount": str(sum(i.amount for i in chosen)),
            }
    raise FactsError("no confirmed invoice awaits a payment request in the demo")


def _negotiable(excluded: set[int]) -> dict:
    """A listed product of a manufacturer that no demo negotiation touches (nor the order
    journey's), and a hospital to negotiate it for [R-NEGOTIATION]."""
    from django.db.models import Max

    from accounts.models import User
    from procurement.choices import ListingStatus
    from procurement.models import Listing, NegotiationItem

    busy = set(NegotiationItem.objects.values_list("listing__manufacturer_id", flat=True))
    for sales in (
        User.objects.select_related("organization")
        .filter(username__regex=r"^m[0-9]+_sales$", organization__kind="manufacturer")
        .order_by("username")
    ):
        if sales.organization_id in excluded | busy:
            continue
        listing = (
            Listing.objects.filter(
                manufacturer_id=sales.organization_id,
                status=ListingStatus.LISTED,
                price__gte=100,
            )
            .select_related("consumable")
            .order_by("pk")
            .first()
        )
        if (
            listing is None
            or Listing.objects.filter(consumable__code=listing.consumable.code).aggregate(
                n=Max("pk")
            )["n"]
            != listing.pk
        ):
            continue
        hospital = User.objects.select_related("organization").get(username="h04_purchaser")
        return {
            "supplier_user": sales.username,
            "code": listing.consumable.code,
            "product": listing.consumable.product_name,
            "price": str(listing.price),
            "hospital": hospital.organization.name,
        }
    raise FactsError("no demo manufacturer is free for the negotiation journey")


def _unlisted_code() -> str:
    """A product no one lists on the platform nor bought in emergency yet: what a hospital
    buys off the platform in the emergency journey."""
    from catalog.models import Consumable

    found = (
        Consumable.objects.filter(listings__isnull=True, emergency_lines__isnull=True)
        .order_by("pk")
        .values_list("code", flat=True)
        .first()
    )
    if found is None:
        raise FactsError("every demo product is listed: the emergency journey needs one not")
    return found


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    try:
        facts = collect()
    except FactsError as error:
        sys.stderr.write(f"e2e facts: {error}\n")
        return 1
    sys.stdout.write(json.dumps(facts, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
