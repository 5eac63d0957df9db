"""The demo procurement data: idempotent, and something real on every page."""

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts import demo as accounts_demo
from catalog import demo as catalog_demo
from procurement import demo
from procurement.choices import DeliveryStatus, InvoiceStatus, ListingStatus, OrderStatus
from procurement.models import (
    AgreedPrice,
    AnnualPurchasePlan,
    Delivery,
    DeliveryLine,
    Event,
    Invoice,
    Listing,
    ListingDistributor,
    Order,
    OrderLine,
    ReturnRecord,
    UsageRecord,
)
from procurement.services.invoices import invoice_number_normalise

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (the catalogue alone is 2,000 products), committed for real as
    seed_demo does it (the catalogue's lowest-price sync insists on its own durable
    transaction), then flush the tables at the end, the way transactional tests leave the
    database: the change feed and usage tables refuse DELETE but not TRUNCATE."""
    with django_db_blocker.unblock():
        try:
            accounts_demo.seed()
            catalog_demo.seed()
            demo.seed()
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def snapshot() -> dict:
    """Every table of the apps the demo writes to (history rows included, so an update would
    show as well as an insert), plus the states and figures of the main rows."""
    counts = {
        model._meta.label: model.objects.count()
        for label in ("accounts", "catalog", "procurement")
        for model in apps.get_app_config(label).get_models()
    }
    return {
        "counts": counts,
        "orders": list(Order.objects.order_by("pk").values_list("number", "status", "total")),
        "lines": list(
            OrderLine.objects.order_by("pk").values_list(
                "status",
                "delivered_quantity",
                "accepted_quantity",
                "returned_quantity",
                "invoiced_quantity",
            )
        ),
        "listings": list(Listing.objects.order_by("pk").values_list("status", "label", "price")),
        "invoices": list(Invoice.objects.order_by("pk").values_list("number", "status")),
        "plans": list(AnnualPurchasePlan.objects.order_by("pk").values_list("year", "total")),
    }


def test_seeding_twice_changes_nothing(seeded):
    before = snapshot()
    demo.seed()
    assert snapshot() == before


def test_every_order_status_appears(seeded):
    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses == set(OrderStatus.values)


def test_deliveries_and_invoices_in_every_state(seeded):
    assert set(Delivery.objects.values_list("status", flat=True)) == set(DeliveryStatus.values)
    assert set(Invoice.objects.values_list("status", flat=True)) == set(InvoiceStatus.values)
    assert ReturnRecord.objects.exists()


def test_listings_cover_both_catalogues_labels_and_review_states(seeded):
    listed = Listing.objects.filter(status=ListingStatus.LISTED)
    assert listed.count() > 300
    assert set(listed.values_list("catalogue", flat=True)) == {"capped", "alternate"}
    assert {"restricted", "forbidden", "preferred"} <= set(listed.values_list("label", flat=True))
    assert {"submitted", "draft", "rejected", "suspended"} <= set(
        Listing.objects.values_list("status", flat=True)
    )
    assert ListingDistributor.objects.filter(region_code="320100").exists()
    assert AgreedPrice.objects.filter(status="agreed").exists()
    assert AnnualPurchasePlan.objects.values("hospital").distinct().count() == 12


def test_delivered_goods_carry_udi_production_identifiers(seeded):
    lines = DeliveryLine.objects.all()
    assert lines.exists()
    assert not lines.filter(udi_di="").exists()
    assert not lines.filter(lot="").exists()
    assert not lines.filter(expiry_date=None).exists()
    assert not lines.exclude(barcode__startswith="(01)").exists()


def test_history_spreads_over_months_and_usage_is_recorded(seeded):
    days = {o.created_at.date() for o in Order.objects.all()}
    assert (max(days) - min(days)).days > 90
    assert Order.objects.exclude(distributor=None).exists()
    assert UsageRecord.objects.values("doctor_code").distinct().count() > 5
    assert Event.objects.filter(type="invoice.confirmed").exists()


def test_every_demo_role_finds_work_on_its_home(seeded):
    """The demo leaves each role of the first hospital, the first manufacturer and
    distributor, the bureau, the agency and the administrator something in its home's queues
    (core.home), not a row of zeros."""
    from accounts.models import User
    from core.home import home_cards

    for username in (
        "h01_purchaser",
        "h01_finance",
        "m01_sales",
        "d01_sales",
        "bureau",
        "agency",
        "admin",
    ):
        cards = home_cards(actor=User.objects.get(username=username))
        assert cards, username
        assert sum(card.count for card in cards) > 0, username


def test_demo_invoice_numbers_are_in_a_format_in_use(seeded):
    numbers = list(Invoice.objects.values_list("number", flat=True))
    assert numbers
    assert all(invoice_number_normalise(number) == number for number in numbers)
    assert all(len(number) == 20 and number.isdigit() for number in numbers)  # 数电发票


def test_one_round_is_open_for_demand(seeded):
    """The demo round: published, open for demand, with groups selecting listed products; one
    hospital has reported (the bureau has a report to review), the first has not."""
    from accounts.models import User
    from procurement.choices import RoundAction, RoundStatus
    from procurement.models import TenderRound
    from procurement.selectors.rounds import group_products, round_actions

    tender = TenderRound.objects.get(name=demo.DEMO_ROUND_NAME)
    assert tender.status == RoundStatus.PUBLISHED
    groups = list(tender.groups.all())
    assert groups
    assert all(group_products(group=group).exists() for group in groups)
    purchaser = User.objects.get(username="h01_purchaser")
    assert round_actions(actor=purchaser, round=tender)[RoundAction.REPORT_DEMAND]
    assert tender.demand.exclude(hospital=purchaser.organization).exists()


def test_one_finished_round_with_contracts_in_progress_R_VBP_CONTRACT(seeded):
    """The demo's finished round: final, its results applied, contracts in force for the
    demo hospitals, h01's on track and others lagging."""
    from accounts.models import User
    from procurement.choices import ContractStatus, RoundStatus
    from procurement.models import TenderRound
    from procurement.selectors.contracts import contract_list

    tender = TenderRound.objects.get(name=demo.DEMO_FINISHED_ROUND_NAME)
    assert tender.status == RoundStatus.FINAL
    assert tender.award.allocated_at is not None
    bureau = User.objects.get(username="bureau")
    rows = list(contract_list(actor=bureau, round_id=tender.pk))
    assert rows
    h02 = User.objects.get(username=demo.FINISHED_UNSIGNED).organization_id
    assert {c.status for c in rows if c.hospital_id != h02} == {ContractStatus.ACTIVE}
    assert {c.status for c in rows if c.hospital_id == h02} == {ContractStatus.AWAITING}
    assert any(c.lagging for c in rows)
    h01 = User.objects.get(username="h01_purchaser")
    mine = list(contract_list(actor=h01, round_id=tender.pk))
    assert sum(c.done for c in mine) >= demo.FINISHED_BOUGHT["h01"]
    assert not all(c.lagging for c in mine)


def test_emergency_purchases_one_late_one_over_the_cap_R_EMERG_CAP_R_EMERG_DEADLINE(seeded):
    """The demo's emergency registrations: h01 has one on time, one late and one over the cap
    awaiting the bureau; five tier-2+ hospitals (3 tier 3) bought one product in emergency,
    enough for an "other listing" of it [R-LIST-OTHER]."""
    from procurement.choices import EmergencyStatus
    from procurement.models import EmergencyPurchase
    from procurement.selectors.emergency import emergency_evidence

    h01 = EmergencyPurchase.objects.filter(hospital__name="南京市第一医院")
    assert h01.filter(late=True).count() == 1
    assert h01.filter(status=EmergencyStatus.PENDING, over_cap_amount__gt=0).count() == 1
    assert h01.filter(late=False, status=EmergencyStatus.REGISTERED).exists()
    shared = (
        EmergencyPurchase.objects.exclude(hospital__name="南京市第一医院")
        .values_list("lines__consumable_id", flat=True)
        .first()
    )
    evidence = emergency_evidence(consumable_id=shared, region_code="320100")
    assert (evidence.hospitals, evidence.tier3_hospitals) == (5, 4)


def test_negotiations_one_finished_in_force_one_open_R_NEGOTIATION(seeded):
    """The demo's negotiations: one concluded and published whose agreed prices h01 pays
    today (and h04, outside it, does not), with a counter in its history; one open, awaiting
    m02's offers, closing within three days (the supplier's home cards)."""
    from accounts.models import User
    from core import clock
    from core.home import home_cards
    from procurement.choices import NegotiationItemStatus, NegotiationStatus
    from procurement.models import Negotiation
    from procurement.selectors.negotiations import negotiation_public_results
    from procurement.selectors.pricing import unit_price_for

    done = Negotiation.objects.get(status=NegotiationStatus.CONCLUDED)
    assert done.published_at is not None
    assert done.round_number == 2
    h01 = User.objects.get(username="h01_purchaser").organization
    h04 = User.objects.get(username="h04_purchaser").organization
    for item in done.items.select_related("listing"):
        assert item.status == NegotiationItemStatus.AGREED
        today = clock.local_today()
        assert unit_price_for(listing=item.listing, hospital_id=h01.pk, on=today) == (
            item.agreed_price
        )
        assert unit_price_for(listing=item.listing, hospital_id=h04.pk, on=today) == (
            item.listing.price
        )
    results = negotiation_public_results(include_hospital_prices=True)
    assert {r.negotiation_id for r in results} == {done.pk}
    waiting = Negotiation.objects.get(status=NegotiationStatus.OPEN)
    assert set(waiting.items.values_list("status", flat=True)) == {"awaiting"}
    cards = {c.key: c.count for c in home_cards(actor=User.objects.get(username="m02_sales"))}
    assert cards["negotiation_invitations"] == 1
    assert cards["negotiation_deadlines"] == 1


def test_every_public_page_shows_real_rows_R_DISCLOSE(seeded):
    """[R-DISCLOSE] An anonymous visitor finds reference prices in publicity and confirmed,
    listings with their labels, and the finished round's results and payment standards."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    for status in ("publicity", "confirmed"):
        page = client.get(reverse("public:reference_prices"), {"status": status})
        assert page.status_code == 200
        assert page.content.decode().count("data-reference-price=") >= 1, status
    listings = client.get(reverse("public:listings")).content.decode()
    assert listings.count("data-listing=") >= 10
    results = client.get(reverse("public:tender_results")).content.decode()
    assert results.count("data-round=") >= 1
    assert results.count("data-result=") >= 2
    assert "data-standard=" in results
    api = client.get(reverse("api:public:tender_rounds")).json()
    assert any(r["payment_standards"] for r in api["results"])


def test_hospital_catalogues_with_a_stopped_product_and_flagged_usage_R_HOSP_CATALOGUE(seeded):
    """[R-HOSP-CATALOGUE] every demo hospital has a catalogue; h01 and h02 each have a product
    stopped with its reason and history; h01 has products awaiting its committee (the admit
    page offers them) and HIS usage records flagged for both reasons; every demo order names
    its requesting department."""
    from procurement.choices import CatalogueEntryStatus, CatalogueEventKind
    from procurement.models import CatalogueEntry

    hospitals = {key for key, *_rest in accounts_demo.HOSPITALS}
    entries = CatalogueEntry.objects.select_related("hospital")
    with_catalogue = set(entries.values_list("hospital__name", flat=True).distinct())
    assert len(with_catalogue) == len(hospitals)
    stopped = list(entries.filter(status=CatalogueEntryStatus.STOPPED))
    assert {e.hospital.name for e in stopped} == {"南京市第一医院", "南京鼓楼医院"}
    for entry in stopped:
        assert entry.stop_reason
        kinds = list(entry.decisions.values_list("kind", flat=True))
        assert kinds == [CatalogueEventKind.ADMITTED, CatalogueEventKind.STOPPED]
    h01 = UsageRecord.objects.filter(hospital__name="南京市第一医院")
    assert set(h01.exclude(catalogue_flag="").values_list("catalogue_flag", flat=True)) == {
        "stopped",
        "not_admitted",
    }
    assert not Order.objects.filter(department="").exists()
