"""A whole small platform for the permission matrix and the API fuzzer: one region (Nanjing),
a user of every role, an HIS API key, and at least one real object for every path parameter
of the URL conf, each in the state its actions need.

Built on procurement/tests/order_world.py (hospital, manufacturer, distributor, listing) and
the apps' factories; the order flow goes through the real services, so counters, events and
history are what production writes. ``build()`` returns the users by role key and ``ids``,
the value to put in a path for each named object.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from accounts.choices import Role
from accounts.models import Organization, SecurityEvent, User
from accounts.services import api_client_create
from accounts.tests.factories import AgencyFactory, BureauFactory, UserFactory
from catalog.choices import ReferencePriceStatus
from catalog.models import ImportJob
from catalog.tests.factories import (
    ConsumableFactory,
    PriceObjectionFactory,
    ReferencePriceFactory,
)
from core import clock
from core.export_jobs import ExportJob
from core.sealed import seal_bid
from core.services import calendar_day_create
from core.workcalendar import DayKind
from procurement.choices import AgreedPriceStatus, GreenChannel, ListingStatus
from procurement.models import (
    AnnualPurchasePlan,
    Event,
    ListingDistributor,
    ListingEvidenceFile,
    ListingPriceChange,
    ListingProvince,
)
from procurement.services import awards, demand, emergency, rounds, usage
from procurement.services import bids as bid_services
from procurement.services import invoices as invoice_services
from procurement.tests import negotiation_world, round_world
from procurement.tests.award_world import contract_for
from procurement.tests.factories import (
    AgreedPriceFactory,
    ListingDistributorFactory,
    ListingFactory,
)
from procurement.tests.order_world import (
    accepted,
    add_listing,
    confirmed,
    draft,
    gs1,
    invoiced,
    make_world,
    patient_hash,
    promised,
    shipped,
    submitted,
)
from settlement.choices import AccountKind
from settlement.models import Account
from settlement.services import advances as advance_services
from settlement.services import fund as fund_services

# The roles of the matrix, in its column order. "his" is an API key of the hospital (its
# service user is a purchaser); "staff" is a Django superuser (createsuperuser), the only kind
# of account the Django admin admits.
EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"

ROLES = ("pur", "fin", "mfr", "dst", "bur", "agy", "adm", "his", "ano", "su")
ROLE_NAMES = {
    "pur": "hospital purchaser",
    "fin": "hospital finance",
    "mfr": "supplier sales at the manufacturer",
    "dst": "supplier sales at the distributor",
    "bur": "bureau officer",
    "agy": "agency finance",
    "adm": "platform administrator",
    "his": "HIS API client key of the hospital",
    "ano": "anonymous",
    "su": "Django superuser (staff)",
}


@dataclass
class ApiWorld:
    users: dict[str, User]
    his_key: str
    ids: dict[str, Any] = field(default_factory=dict)


def build() -> ApiWorld:
    w = make_world()
    bureau = BureauFactory(region_code="320100")
    agency = AgencyFactory(region_code="320100")
    users = {
        "pur": w.purchaser,
        "fin": w.finance,
        "mfr": w.sales,
        "dst": w.distributor_sales,
        "bur": UserFactory(organization=bureau, roles=[Role.BUREAU_OFFICER]),
        "agy": UserFactory(organization=agency, roles=[Role.AGENCY_FINANCE]),
        "adm": UserFactory(organization=bureau, roles=[Role.PLATFORM_ADMIN]),
        "su": UserFactory(
            organization=bureau, roles=[Role.PLATFORM_ADMIN], is_staff=True, is_superuser=True
        ),
    }
    issued = api_client_create(actor=None, organization=w.hospital, name="HIS 东软")
    users["his"] = issued.client.user

    # The order flow, one order in each state its actions need.
    draft_order = draft(w)
    submitted_order = submitted(w)
    confirmed_order = confirmed(w)
    shipped_order, delivery = shipped(w)
    accepted_order, accepted_delivery = accepted(w)
    invoiced_order, invoice = invoiced(w)
    usage.usage_record(
        actor=w.purchaser,
        records=[
            {
                "barcode": gs1(w.di, serial="SN-0001"),
                "operation_id": "OP-0001",
                "doctor_code": "D001",
                "department": "心内科",
                "patient_hash": patient_hash(),
                "used_at": clock.now() - dt.timedelta(hours=1),
            }
        ],
    )

    # Listings and prices: the listed product has a confirmed reference price above its price.
    ReferencePriceFactory(consumable=w.listing.consumable, price=Decimal("120.00"))
    # A green channel, so that submitting it is accepted [R-LIST-GREEN].
    draft_listing = ListingFactory(
        manufacturer=w.manufacturer,
        status=ListingStatus.DRAFT,
        green_channel=GreenChannel.INNOVATIVE,
    )
    # [R-LIST-OTHER] an evidence file of a province the draft names.
    ListingProvince.objects.create(
        listing=draft_listing, province_code="11", evidence="北京市平台 GW-11"
    )
    evidence_file = ListingEvidenceFile.objects.create(
        listing=draft_listing,
        province_code="11",
        name="北京挂网公告.pdf",
        content_type="application/pdf",
        size=len(EVIDENCE_PDF),
        sha256=hashlib.sha256(EVIDENCE_PDF).hexdigest(),
        content=EVIDENCE_PDF,
        uploaded_by=w.sales,
    )
    price_change = ListingPriceChange.objects.create(
        listing=w.listing,
        old_price=w.listing.price,
        new_price=Decimal("95.00"),
        reason="原材料降价",
        requested_by=w.sales,
    )
    agreed = AgreedPriceFactory(
        listing=w.listing,
        hospital=w.hospital,
        price=Decimal("90.00"),
        status=AgreedPriceStatus.PROPOSED,
        proposed_by=w.manufacturer,
    )
    proposed_price = ReferencePriceFactory(
        consumable=ConsumableFactory(manufacturer=w.manufacturer),
        price=Decimal("88.00"),
        status=ReferencePriceStatus.PROPOSED,
    )
    publicity_price = ReferencePriceFactory(
        consumable=ConsumableFactory(manufacturer=w.manufacturer),
        price=Decimal("77.00"),
        status=ReferencePriceStatus.PUBLICITY,
        publicity_starts_on=clock.local_today(),
        publicity_ends_on=clock.local_today() + dt.timedelta(days=7),
    )
    objection = PriceObjectionFactory(
        reference_price=publicity_price, supplier=w.manufacturer, raised_by=w.sales
    )
    # [R-LIST-ALT-CAP] last year's proposed total, awaiting the bureau (this year's is free
    # for a proposal).
    purchase_plan = AnnualPurchasePlan.objects.create(
        hospital=w.hospital,
        year=clock.local_today().year - 1,
        proposed_total=Decimal("3000000.00"),
        reason="新院区开业",
        proposed_by=users["fin"],
        proposed_at=clock.now(),
    )
    job = ImportJob.objects.create(
        kind="catalog", file_name="耗材.csv", stored_path="/nonexistent", created_by=users["su"]
    )
    # An export the purchaser asked for, still queued (its file is not written yet).
    export_job = ExportJob.objects.create(
        kind="orders", file_name="orders.xlsx", created_by=users["pur"]
    )
    group = Group.objects.create(name="审计")
    calendar_day = calendar_day_create(
        actor=users["adm"], date=dt.date(2027, 10, 9), kind=DayKind.WORKDAY
    )
    attempt = AccessAttempt.objects.create(
        username="nobody", ip_address="127.0.0.1", failures_since_start=1, attempt_time=clock.now()
    )
    log = AccessLog.objects.create(
        username="nobody", ip_address="127.0.0.1", attempt_time=clock.now()
    )
    failure = AccessFailureLog.objects.create(
        username="nobody", ip_address="127.0.0.1", attempt_time=clock.now(), locked_out=False
    )

    # Volume-based procurement: a draft round and a published one open for demand, with the
    # hospital's report.
    draft_round = round_world.draft_round(users["bur"], consumables=[w.listing.consumable])
    open_round = round_world.published_round(users["bur"], consumables=[w.listing.consumable])
    (demand_row,) = demand.demand_report(
        actor=w.purchaser,
        round_id=open_round.pk,
        lines=[{"group": round_world.first_group(open_round).pk, "volume": 10}],
    )

    # Sealed bids: a published round whose three custodians (the bureau officer first) have
    # collected their shares, with the manufacturer's live bid; an envelope for another bid.
    sealed_round = round_world.draft_round(users["bur"], consumables=[w.listing.consumable])
    keepers = [
        users["bur"],
        *(UserFactory(organization=bureau, roles=[Role.BUREAU_OFFICER]) for _ in range(2)),
    ]
    bid_services.round_custodians_set(
        actor=users["bur"],
        round_id=sealed_round.pk,
        threshold=2,
        custodians=[{"user": u.pk, "discipline_inspection": i == 2} for i, u in enumerate(keepers)],
    )
    rounds.round_publish(actor=users["bur"], round_id=sealed_round.pk)
    for keeper in keepers:
        bid_services.share_collect(actor=keeper, round_id=sealed_round.pk)
    sealed_round.refresh_from_db()
    sealed_group = round_world.first_group(sealed_round)

    def _seal(price: str) -> str:
        return seal_bid(
            sealed_round.public_jwk,
            price=Decimal(price),
            product=w.listing.consumable.pk,
            round_ref=sealed_round.pk,
        )

    sealed_bid = bid_services.bid_submit(
        actor=w.sales,
        round_id=sealed_round.pk,
        group_id=sealed_group.pk,
        product_id=w.listing.consumable.pk,
        envelope=_seal("88.00"),
    )

    # What follows a final round: one applied (hospitals may still choose among its winners),
    # and one allocated whose contract awaits the three parties' signatures.
    award_listing = add_listing(w)
    final_round = round_world.final_round(users["bur"], consumables=[award_listing.consumable])
    winner = round_world.result(
        final_round, award_listing.consumable, price="80.00", rank=1, won=True
    )
    round_world.demand_row(final_round, w.hospital, w.purchaser, base=10)
    awards.round_apply_results(actor=users["bur"], round_id=final_round.pk)
    contract_listing = add_listing(w)
    ListingDistributorFactory(
        listing=contract_listing, distributor=w.distributor, region_code="320100"
    )
    contract = contract_for(w, users["bur"], contract_listing)

    # Settlement [R-ADVANCE] [R-FUND-MONTHLY]: a contract in force and its advance paid; a
    # draft fund settlement of the hospital for this month with one claim.
    advance_listing = add_listing(w)
    ListingDistributorFactory(
        listing=advance_listing, distributor=w.distributor, region_code="320100"
    )
    contract_for(w, users["bur"], advance_listing, sign=True)
    (advance,) = advance_services.advances_pay_due()
    fund_settlement = fund_services.fund_settlement_open(
        actor=users["agy"], hospital_id=w.hospital.pk, month=clock.local_today()
    )
    fund_services.fund_claim_add(
        actor=users["agy"], settlement_id=fund_settlement.pk, reference="JS-0001", amount="10000.00"
    )
    advance_account = Account.objects.get(
        kind=AccountKind.HOSPITAL_ADVANCE, organization=w.hospital
    )

    # [R-EMERG-CAP] an emergency purchase over any cap, awaiting the bureau; a product not
    # listed for a new registration.
    emergency_purchase = emergency.emergency_purchase_register(
        actor=w.purchaser,
        bought_on=clock.local_today(),
        reason="急诊手术，平台无货",
        approver_name="王主任",
        approver_role="分管副院长",
        lines=[
            {
                "consumable_id": ConsumableFactory(manufacturer=w.manufacturer).pk,
                "supplier_name": "南京某医疗器械有限公司",
                "unit_price": "90000000.00",
                "quantity": 1,
            }
        ],
    )

    emergency_product = ConsumableFactory(manufacturer=w.manufacturer)

    # [R-NEGOTIATION] a draft, an open one awaiting the manufacturer's offer, one with its
    # offer in, and one agreed (ready to conclude).
    neg_draft = negotiation_world.drafted(users["bur"], [w.listing], [w.hospital])
    neg_open = negotiation_world.invited(users["bur"], [w.listing], [w.hospital])
    neg_offered = negotiation_world.offered(users["bur"], w.sales, w.listing, [w.hospital])
    neg_agreed = negotiation_world.agreed(users["bur"], w.sales, w.listing, [w.hospital])
    # The payment flow [R-ESCROW]: confirmed invoices, a request in each state its actions
    # need, and a settlement batch that paid one (run before the request left paid).
    from settlement.services import payments

    def confirmed_invoice(number: int):
        _order, bill = invoiced(w, number=f"{number:020d}")
        return invoice_services.invoice_confirm(actor=w.finance, invoice_id=bill.pk)

    def pay_request(number: int, *, upto: str):
        made = payments.payment_request_create(
            actor=w.sales, invoice_ids=[confirmed_invoice(number).pk]
        )
        if upto in ("approved", "paid"):
            payments.payment_request_approve(actor=w.finance, request_id=made.pk)
        if upto == "paid":
            payments.payment_request_pay(
                actor=w.finance, request_id=made.pk, transfer_reference=f"TR-{number}"
            )
        return made

    pay_request(90001, upto="paid")
    batch = payments.settlement_batch_run(actor=users["agy"])
    # [R-ESCROW] an imported escrow bank statement and a ledger check.
    from settlement.models import LedgerCheck
    from settlement.services import reconciliation

    bank_statement = reconciliation.bank_statement_import(
        actor=users["agy"],
        file_name="world.csv",
        data=f"交易日期,交易流水号,收入金额,支出金额\n{clock.local_today()},W0001,10.00,\n".encode(),
    )
    ledger_check = LedgerCheck.objects.create(
        checked_at=clock.now(), entries=0, last_hash="0" * 64, ok=True
    )
    requested_payment = pay_request(90002, upto="requested")
    approved_payment = pay_request(90003, upto="approved")
    paid_payment = pay_request(90004, upto="paid")
    payable_invoice = confirmed_invoice(90005)
    # [R-HOSP-CATALOGUE] the hospital's catalogue entry of its listing, and a listed product
    # its committee has not admitted yet.
    from procurement.models import CatalogueEntry

    catalogue_entry = CatalogueEntry.objects.get(hospital=w.hospital, listing=w.listing)
    admissible = add_listing(w)
    CatalogueEntry.objects.filter(hospital=w.hospital, listing=admissible).delete()
    ids = {
        "advance": advance.pk,
        "fund_settlement": fund_settlement.pk,
        "ledger_account": advance_account.pk,
        "negotiation_draft": neg_draft.pk,
        "negotiation_open": neg_open.pk,
        "negotiation_open_item": negotiation_world.item_of(neg_open).pk,
        "negotiation_offered": neg_offered.pk,
        "negotiation_offered_item": negotiation_world.item_of(neg_offered).pk,
        "negotiation_agreed": neg_agreed.pk,
        "hospital": w.hospital.pk,
        "in_5_days": (clock.local_today() + dt.timedelta(days=5)).isoformat(),
        "in_10_days": (clock.local_today() + dt.timedelta(days=10)).isoformat(),
        "payment_request": requested_payment.pk,
        "payment_line": requested_payment.lines.get().pk,
        "approved_payment_request": approved_payment.pk,
        "paid_payment_request": paid_payment.pk,
        "payable_invoice": payable_invoice.pk,
        "settlement_batch": batch.pk,
        "bank_statement": bank_statement.pk,
        "ledger_check": ledger_check.pk,
        "catalogue_entry": catalogue_entry.pk,
        "admissible_listing": admissible.pk,
        "emergency_purchase": emergency_purchase.pk,
        "emergency_consumable": emergency_product.pk,
        "emergency_consumable_code": emergency_product.code,
        "sealed_round": sealed_round.pk,
        "sealed_group": sealed_group.pk,
        "sealed_product": w.listing.consumable.pk,
        "sealed_bid": sealed_bid.pk,
        "sealed_envelope": _seal("87.00"),
        "custodian_user": keepers[1].pk,
        "final_round": final_round.pk,
        "winner": winner.pk,
        "contract": contract.pk,
        "contract_round": contract.round_id,
        "contract_group": contract.group_id,
        "organization": w.hospital.pk,
        "draft_round": draft_round.pk,
        "draft_group": round_world.first_group(draft_round).pk,
        "open_round": open_round.pk,
        "open_group": round_world.first_group(open_round).pk,
        "demand": demand_row.pk,
        "api_client": issued.client.pk,
        "consumable_code": w.listing.consumable.code,
        "proposed_price": proposed_price.pk,
        "publicity_price": publicity_price.pk,
        "objection": objection.pk,
        "import_job": job.pk,
        "export_job": export_job.pk,
        "listing": w.listing.pk,
        "draft_listing": draft_listing.pk,
        "evidence_file": evidence_file.pk,
        "listing_distributor": ListingDistributor.objects.get(listing=w.listing).pk,
        "price_change": price_change.pk,
        "agreed_price": agreed.pk,
        "purchase_plan": purchase_plan.pk,
        "draft_order": draft_order.pk,
        "submitted_order": submitted_order.pk,
        "submitted_line": submitted_order.lines.get().pk,
        "confirmed_order": confirmed_order.pk,
        "confirmed_line": confirmed_order.lines.get().pk,
        "shipped_order": shipped_order.pk,
        "delivery": delivery.pk,
        "delivery_line": delivery.lines.get().pk,
        "accepted_order": accepted_order.pk,
        "accepted_line": accepted_order.lines.get().pk,
        "accepted_delivery": accepted_delivery.pk,
        "accepted_delivery_line": accepted_delivery.lines.get().pk,
        "distributor": w.distributor.pk,
        "manufacturer": w.manufacturer.pk,
        "invoiced_order": invoiced_order.pk,
        "invoice": invoice.pk,
        "user": w.purchaser.pk,
        "security_event": SecurityEvent.objects.order_by("pk").first().pk,
        "group": group.pk,
        "organization_type": ContentType.objects.get_for_model(Organization).pk,
        "event": Event.objects.order_by("pk").first().pk,
        "history_event": _first_history_event_id(),
        "access_attempt": attempt.pk,
        "access_log": log.pk,
        "access_failure": failure.pk,
        "calendar_day": calendar_day.pk,
        # Values for request bodies.
        "unlisted_code": proposed_price.consumable.code,
        "patient_hash": patient_hash("ZY2026-000999"),
        "udi": gs1(w.di),
        "udi_serial": gs1(w.di, serial="SN-0002"),
        "today": clock.local_today().isoformat(),
        "first_of_last_month": (clock.local_today().replace(day=1) - dt.timedelta(days=1))
        .replace(day=1)
        .isoformat(),
        "promised": promised().isoformat(),
        "next_year": (clock.local_today() + dt.timedelta(days=300)).isoformat(),
        "year": clock.local_today().year,
        "an_hour_ago": (clock.now() - dt.timedelta(hours=1)).isoformat(),
        "in_40_days": (clock.local_today() + dt.timedelta(days=40)).isoformat(),
        "in_400_days": (clock.local_today() + dt.timedelta(days=400)).isoformat(),
        "in_5_days_at": (clock.now() + dt.timedelta(days=5)).isoformat(),
        "in_10_days_at": (clock.now() + dt.timedelta(days=10)).isoformat(),
        "in_11_days_at": (clock.now() + dt.timedelta(days=11)).isoformat(),
        "in_18_days_at": (clock.now() + dt.timedelta(days=18)).isoformat(),
    }
    ids.update(_credit(w, users["bur"]))
    ids.update(_quality(w))
    ids.update(_alerts(w, users["bur"]))
    return ApiWorld(users=users, his_key=issued.key, ids=ids)


def _credit(w, officer) -> dict[str, Any]:
    """[R-CREDIT] the manufacturer's credit: two events whose sanctions block nothing (a
    written warning, a risk notice), the second with a repair awaiting the bureau, and the
    notifications they sent."""
    from supervision.models import MisconductItem, Notification
    from supervision.services import credit as credit_services

    credit_services.misconduct_catalogue_seed()

    def record(item: str):
        return credit_services.credit_event_record(
            actor=officer,
            subject_id=w.manufacturer.pk,
            item_code=item,
            occurred_on=clock.local_today(),
            description="区域间价格差异较大",
        )

    event = record("regional_price_gap")
    repaired = record("abnormal_price_rise")
    repair = credit_services.credit_repair_apply(
        actor=w.sales, event_id=repaired.pk, statement="已下调挂网价格"
    )
    return {
        "credit_event": event.pk,
        "credit_repair": repair.pk,
        "misconduct_item": MisconductItem.objects.get(code="regional_price_gap").pk,
        "notification": Notification.objects.filter(organization=w.manufacturer)
        .order_by("pk")
        .first()
        .pk,
    }


def _first_history_event_id() -> str:
    import pghistory.models

    return str(pghistory.models.Events.objects.order_by("pgh_created_at").first().pk)


def _quality(w) -> dict[str, Any]:
    """[R-QUALITY] a quality report of the hospital on the lot it accepted, and a lot notice to
    it: another hospital of the region accepted the same lot and reported on it."""
    from accounts.tests.factories import HospitalFactory
    from procurement.models import DeliveryLine
    from procurement.tests.factories import (
        DeliveryFactory,
        DeliveryLineFactory,
        OrderFactory,
        OrderLineFactory,
    )
    from supervision.services import quality as quality_services

    line = DeliveryLine.objects.filter(
        delivery__order__hospital=w.hospital, accepted_quantity__gt=0
    ).first()
    report = quality_services.quality_report_file(
        actor=w.purchaser,
        consumable_id=line.order_line.consumable_id,
        lot=line.lot,
        severity="general",
        occurred_on=clock.local_today(),
        description="包装破损",
    )
    other = HospitalFactory(region_code=w.hospital.region_code, name="另一医院")
    reporter = UserFactory(organization=other, roles=[Role.HOSPITAL_PURCHASER])
    order = OrderFactory(hospital=other, supplier=w.manufacturer, status="completed")
    order_line = OrderLineFactory(order=order, listing=w.listing, status="confirmed")
    DeliveryLineFactory(
        delivery=DeliveryFactory(order=order, status="accepted", accepted_at=clock.now()),
        order_line=order_line,
        quantity=order_line.quantity,
        accepted_quantity=order_line.quantity,
        lot=line.lot,
    )
    theirs = quality_services.quality_report_file(
        actor=reporter,
        consumable_id=line.order_line.consumable_id,
        lot=line.lot,
        severity="general",
        occurred_on=clock.local_today(),
        description="导管断裂",
    )
    return {
        "quality_consumable": line.order_line.consumable_id,
        "quality_lot": line.lot,
        "quality_report": report.pk,
        "lot_notice": theirs.lot_notices.get(organization=w.hospital).pk,
    }


def _alerts(w, officer) -> dict[str, Any]:
    """[R-MISCONDUCT] an open price-rise alert of the bureau's region (320100) on the world's
    listing, and the region's rules with their defaults."""
    from supervision.models import Alert
    from supervision.services import alerts as alert_services

    rules = {r.code: r for r in alert_services.alert_rules_seed(region_code="320100")}
    now = clock.now()
    alert = Alert.objects.create(
        rule=rules["price_rise"],
        region_code="320100",
        subject_key=f"listing:{w.listing.pk}",
        supplier=w.manufacturer,
        severity="medium",
        summary="价格涨幅 15%",
        measured=Decimal("15"),
        threshold=Decimal("10"),
        evidence=[{"kind": "listing", "id": w.listing.pk, "price": str(w.listing.price)}],
        fingerprint="-",
        created_at=now,
        refreshed_at=now,
    )
    return {"alert": alert.pk, "alert_assignee": officer.pk}
