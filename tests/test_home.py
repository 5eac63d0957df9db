"""The home page's work queues (core.home, procurement/home_cards.py, catalog/home_cards.py):
per role, each card's count is what its link lists, objects of another hospital are not
counted, a card costs one query, and the API answers the same cards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.tests.factories import AgencyFactory, BureauFactory, UserFactory
from catalog.choices import SyncRunStatus
from catalog.models import SyncRun
from catalog.tests.factories import (
    ConsumableFactory,
    PriceObjectionFactory,
    ReferencePriceFactory,
)
from core import clock
from core.export_jobs import ExportJob, ExportStatus
from core.home import card_value, cards_for, home_cards, registered_cards
from procurement.choices import ListingStatus
from procurement.models import ListingPriceChange
from procurement.services import deliveries, demand, emergency, invoices, orders
from procurement.tests import negotiation_world, round_world
from procurement.tests.award_world import contract_for
from procurement.tests.factories import ListingDistributorFactory, ListingFactory
from procurement.tests.order_world import (
    accepted,
    add_listing,
    confirmed,
    draft,
    invoiced,
    make_world,
    shipped,
    submitted,
)
from settlement.models import LedgerCheck
from settlement.services import advances as advance_services
from settlement.services import fund as fund_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """One object (or two) in each queue, plus the other hospital's order at every step the
    first hospital has one, so a card that forgot the tenancy counts double."""
    w = make_world()
    bureau = BureauFactory(region_code="320100")
    users = {
        "pur": w.purchaser,
        "fin": w.finance,
        "mfr": w.sales,
        "dst": w.distributor_sales,
        "bur": UserFactory(organization=bureau, roles=[Role.BUREAU_OFFICER]),
        "agy": UserFactory(
            organization=AgencyFactory(region_code="320100"), roles=[Role.AGENCY_FINANCE]
        ),
        "adm": UserFactory(organization=bureau, roles=[Role.PLATFORM_ADMIN]),
    }
    o = {}
    o["draft"] = draft(w)
    o["submitted"] = submitted(w)
    o["confirmed"] = confirmed(w)
    o["via_distributor"] = confirmed(w, distributor=True)
    _order, o["shipped"] = shipped(w)
    o["accepted"], o["returned"] = accepted(w)
    line = o["returned"].lines.get()
    deliveries.return_register(
        actor=w.purchaser, delivery_line_id=line.pk, quantity=2, reason="包装破损"
    )
    _order, o["registered"] = invoiced(w, number="24320000000000000001")
    _order, o["confirmed_invoice"] = invoiced(w, number="24320000000000000002")
    invoices.invoice_confirm(actor=w.finance, invoice_id=o["confirmed_invoice"].pk)
    # The other hospital: a draft and a submitted order of its own.
    other_lines = [{"listing": w.listing.pk, "quantity": 3}]
    o["other_draft"] = orders.order_create(
        department="骨科", actor=w.other_purchaser, lines=other_lines
    )[0]
    other = orders.order_create(department="骨科", actor=w.other_purchaser, lines=other_lines)[0]
    o["other_submitted"] = orders.order_submit(actor=w.other_purchaser, order_id=other.pk)
    # Listings: a cut due in time, one overdue, an application, a pending price change.
    today = clock.local_today()
    ReferencePriceFactory(consumable=w.listing.consumable, price=Decimal("120.00"))
    o["cut_due"] = ListingFactory(
        manufacturer=w.manufacturer, price_cut_due_on=today + dt.timedelta(days=5)
    )
    o["cut_overdue"] = ListingFactory(
        manufacturer=w.manufacturer, price_cut_due_on=today - dt.timedelta(days=1)
    )
    o["application"] = ListingFactory(
        manufacturer=w.manufacturer, status=ListingStatus.SUBMITTED, submitted_at=clock.now()
    )
    o["price_change"] = ListingPriceChange.objects.create(
        listing=w.listing,
        old_price=w.listing.price,
        new_price=Decimal("95.00"),
        reason="原材料降价",
        requested_by=w.sales,
    )
    o["objection"] = PriceObjectionFactory(supplier=w.manufacturer, raised_by=w.sales)
    o["failed_run"] = SyncRun.objects.create(feed_url="file:///feed.csv", status="failed")
    # Volume-based procurement: a draft round, and a published one the other hospital has
    # reported for (the first has not yet).
    o["draft_round"] = round_world.draft_round(users["bur"])
    o["open_round"] = round_world.published_round(users["bur"], consumables=[w.listing.consumable])
    (o["other_demand"],) = demand.demand_report(
        actor=w.other_purchaser,
        round_id=o["open_round"].pk,
        lines=[{"group": round_world.first_group(o["open_round"]).pk, "volume": 5}],
    )
    # Sealed bids: a round open for bids whose custodians are the bureau officer (who has not
    # collected their share yet) and two colleagues.
    from procurement.services import bids as bid_services
    from procurement.services import rounds as round_services

    sealed = round_world.draft_round(users["bur"], consumables=[w.listing.consumable])
    keepers = [
        users["bur"],
        *(UserFactory(organization=bureau, roles=[Role.BUREAU_OFFICER]) for _ in range(2)),
    ]
    bid_services.round_custodians_set(
        actor=users["bur"],
        round_id=sealed.pk,
        threshold=2,
        custodians=[{"user": u.pk, "discipline_inspection": i == 2} for i, u in enumerate(keepers)],
    )
    o["sealed_round"] = round_services.round_publish(actor=users["bur"], round_id=sealed.pk)
    o["bur_custody"] = sealed.custodians.get(user=users["bur"])
    SyncRun.objects.create(feed_url="file:///feed.csv", status=SyncRunStatus.SUCCEEDED)
    # Purchase contracts: one awaiting every party's signature, one in force with nothing
    # bought after a month of its cycle (lagging) [R-VBP-CONTRACT].
    o["contract_to_sign"] = contract_for(w, users["bur"], w.listing)
    second = add_listing(w)
    ListingDistributorFactory(listing=second, distributor=w.distributor, region_code="320100")
    o["contract_lagging"] = contract_for(w, users["bur"], second, sign=True)
    # Exports: the purchaser's file is ready; a failed one and another person's ready file
    # are not the purchaser's to fetch.
    ready = {"kind": "orders", "status": ExportStatus.SUCCEEDED, "file_name": "orders.xlsx"}
    o["export_ready"] = ExportJob.objects.create(
        created_by=w.purchaser, file="exports/2026/12/orders.xlsx", **ready
    )
    ExportJob.objects.create(
        created_by=w.purchaser, kind="orders", status=ExportStatus.FAILED, file_name="x.xlsx"
    )
    ExportJob.objects.create(created_by=w.other_purchaser, file="exports/o.xlsx", **ready)
    # [R-EMERG-CAP] an emergency purchase over any cap, awaiting the bureau, with its over-cap
    # violation; another hospital's is not the purchaser's.
    o["emergency"] = _emergency_purchase(w.purchaser)
    o["emergency_violation"] = o["emergency"].violations.get()
    o["other_emergency"] = _emergency_purchase(w.other_purchaser)
    o["other_emergency_violation"] = o["other_emergency"].violations.get()
    # Settlement: the lagging contract's advance, a settled month of each hospital, a draft
    # month of the first, and a night whose ledger check found drift [R-ADVANCE] [R-ESCROW].
    (o["advance"],) = advance_services.advances_pay_due()
    month = clock.local_today().replace(day=1)
    last_month = (month - dt.timedelta(days=1)).replace(day=1)
    for key, hospital, day, settle in [
        ("settled", w.hospital, last_month, True),
        ("other_settled", w.other_purchaser.organization, last_month, True),
        ("fund_draft", w.hospital, month, False),
    ]:
        s = fund_services.fund_settlement_open(
            actor=users["agy"], hospital_id=hospital.pk, month=day
        )
        fund_services.fund_claim_add(
            actor=users["agy"], settlement_id=s.pk, reference="JS", amount="900.00"
        )
        if settle:
            s = fund_services.fund_settlement_settle(actor=users["agy"], settlement_id=s.pk)
        o[key] = s
    o["drift"] = LedgerCheck.objects.create(
        checked_at=clock.now(),
        entries=1,
        last_hash="0" * 64,
        ok=False,
        findings=[{"check": "chain_broken"}],
    )
    LedgerCheck.objects.create(checked_at=clock.now(), entries=1, last_hash="0" * 64, ok=True)
    # [R-NEGOTIATION] two invitations awaiting the manufacturer's offer (one closing within
    # three days) and one whose offer awaits the bureau; a draft no supplier sees.
    o["neg_invited"] = negotiation_world.invited(users["bur"], [w.listing], [w.hospital])
    o["neg_due"] = negotiation_world.invited(
        users["bur"], [w.listing], [w.hospital], deadline_days=2
    )
    o["neg_offered"] = negotiation_world.offered(users["bur"], w.sales, w.listing, [w.hospital])
    negotiation_world.drafted(users["bur"], [w.listing], [w.hospital])
    _payment_flow(w, users, o)
    _quality(w, o)
    _credit(w, users, o)
    _alerts(w, o)
    # [R-ESCROW] an escrow bank statement whose one line no recorded transfer accounts for.
    from settlement.services import reconciliation

    statement = reconciliation.bank_statement_import(
        actor=users["agy"],
        file_name="home.csv",
        data="交易日期,交易流水号,对方户名,收入金额,支出金额,摘要\n"
        "2026-12-01,HOME-UNKNOWN-1,某单位,12.34,,不明来款\n".encode(),
    )
    o["unmatched_line"] = statement.lines.get()
    # [R-HOSP-CATALOGUE] the hospital's catalogue (every listed product: the suite's fixture
    # admits them), one product stopped and an HIS usage record of it flagged; the other
    # hospital's catalogue is not the purchaser's.
    from procurement.models import CatalogueEntry
    from procurement.services import catalogue, usage
    from procurement.tests.order_world import di_of, gs1, patient_hash

    entries = CatalogueEntry.objects.filter(hospital=w.hospital)
    o["catalogue_stopped"] = catalogue.catalogue_stop(
        actor=w.purchaser, entry_id=entries.get(listing=second).pk, reason="抽检不合格"
    )
    o["catalogue_in_use"] = set(entries.filter(status="admitted"))
    (o["usage_flagged"],) = usage.usage_record(
        actor=w.purchaser,
        records=[
            {
                "barcode": gs1(di_of(second), serial="HOME1"),
                "operation_id": "OP-HOME-1",
                "doctor_code": "D001",
                "department": "骨科",
                "patient_hash": patient_hash("HOME1"),
                "used_at": clock.now() - dt.timedelta(hours=1),
            }
        ],
    )
    _five_rates(w, o)
    return w, users, o


def _five_rates(w, o) -> None:
    """[R-FIVE-RATES] last month frozen: the hospital's delivery rate below its threshold, the
    manufacturer's payment-request rate below, the other hospital's above (not counted), and
    a Shanghai hospital's below (outside the bureau's region)."""
    from supervision.models import FiveRatesFigure, FiveRatesSnapshot
    from supervision.selectors.five_rates import current_month, previous_month

    snapshot = FiveRatesSnapshot.objects.create(
        month=previous_month(current_month()), frozen_at=clock.now(), figure_count=4, report=b""
    )

    def figure(kind, org, rate, on_time, region="320106"):
        return FiveRatesFigure.objects.create(
            snapshot=snapshot,
            kind=kind,
            key=str(org.pk),
            region_code=region,
            rate=rate,
            amount_numerator=Decimal(on_time),
            amount_denominator=Decimal(100),
            count_numerator=int(on_time) // 10,
            count_denominator=10,
            threshold=Decimal("0.9000"),
        )

    o["rate_hospital"] = figure("hospital", w.hospital, "delivery", 50)
    o["rate_supplier"] = figure("supplier", w.sales.organization, "payment_request", 80)
    figure("hospital", w.other_hospital, "delivery", 95)
    o["rate_far"] = figure("hospital", w.other_hospital, "payment", 10, region="310101")


def _payment_flow(w, users, o) -> None:
    """[R-ESCROW] [R-PAY-30] an invoice accepted 40 days ago and unpaid (overdue), and a
    payment request awaiting the hospital, one approved and one paid into escrow."""
    import time_machine

    from settlement.services import payments

    def confirmed_invoice(number: str):
        _order, bill = invoiced(w, number=number)
        return invoices.invoice_confirm(actor=w.finance, invoice_id=bill.pk)

    with time_machine.travel(clock.now() - dt.timedelta(days=40), tick=False):
        o["overdue_invoice"] = confirmed_invoice("24320000000000000040")
    made = [
        payments.payment_request_create(
            actor=w.sales, invoice_ids=[confirmed_invoice(f"2432000000000000005{i}").pk]
        )
        for i in range(3)
    ]
    o["payment_requested"], o["payment_approved"], o["payment_paid"] = made
    # Paid out of escrow by a batch, and one paid by the fund directly [R-DIRECT].
    settled, direct = (
        payments.payment_request_create(
            actor=w.sales, invoice_ids=[confirmed_invoice(f"2432000000000000006{i}").pk]
        )
        for i in range(2)
    )
    for request in (settled, direct):
        payments.payment_request_approve(actor=w.finance, request_id=request.pk)
    payments.payment_request_pay(
        actor=w.finance, request_id=settled.pk, transfer_reference="BOC-HOME-0"
    )
    o["batch"] = payments.settlement_batch_run(actor=users["agy"])
    from core.services import region_policy_update

    region_policy_update(actor=users["bur"], changes={"direct_settlement": True})
    payments.payment_request_pay_direct(actor=users["agy"], request_id=direct.pk)
    o["direct"] = direct.direct_settlement
    o["paid_lines"] = {settled.lines.get(), direct.lines.get()}
    for request in made[1:]:
        payments.payment_request_approve(actor=w.finance, request_id=request.pk)
    payments.payment_request_pay(
        actor=w.finance, request_id=made[2].pk, transfer_reference="BOC-HOME-1"
    )


def _credit(w, users, o) -> None:
    """[R-CREDIT] two events against the manufacturer whose sanctions block nothing (a written
    warning, a risk notice), the second with a repair application awaiting the bureau; the
    notifications they sent (two to the manufacturer, one to the bureau)."""
    from supervision.models import Notification, Sanction
    from supervision.services import credit

    credit.misconduct_catalogue_seed()
    events = [
        credit.credit_event_record(
            actor=users["bur"],
            subject_id=w.manufacturer.pk,
            item_code=code,
            occurred_on=clock.local_today(),
            description="价格问题",
        )
        for code in ("regional_price_gap", "abnormal_price_rise")
    ]
    o["credit_events"] = set(events)
    o["credit_repair"] = credit.credit_repair_apply(
        actor=w.sales, event_id=events[1].pk, statement="已整改"
    )
    o["sanctions"] = set(Sanction.objects.filter(event__in=events))
    o["maker_notes"] = set(Notification.objects.filter(organization=w.manufacturer))
    o["bureau_notes"] = set(Notification.objects.filter(organization=users["bur"].organization))


def _alerts(w, o) -> None:
    """[R-MISCONDUCT] an open and an acknowledged alert of the bureau's region, and an open
    one of another region: the bureau's card counts the first only."""
    from decimal import Decimal

    from supervision.models import Alert
    from supervision.services import alerts as alert_services

    def alert(region: str, status: str, key: str = "") -> Alert:
        rule = {r.code: r for r in alert_services.alert_rules_seed(region_code=region)}
        return Alert.objects.create(
            rule=rule["price_rise"],
            region_code=region,
            subject_key=key or f"listing:{w.listing.pk}",
            supplier=w.manufacturer,
            severity="medium",
            summary="价格涨幅 15%",
            measured=Decimal("15"),
            threshold=Decimal("10"),
            evidence=[{"kind": "listing", "id": w.listing.pk}],
            fingerprint="-",
            status=status,
            created_at=clock.now(),
            refreshed_at=clock.now(),
        )

    o["alerts_open"] = {alert("320100", "open")}
    alert("440300", "open")
    alert("320100", "acknowledged", key="listing:0")


def _quality(w, o) -> None:
    """[R-QUALITY] the hospital's report on a lot it accepted, and another hospital's report on
    the same lot: its lot notice reaches the hospital (and its notification)."""
    from accounts.tests.factories import HospitalFactory
    from procurement.models import DeliveryLine
    from procurement.tests.factories import (
        DeliveryFactory,
        DeliveryLineFactory,
        OrderFactory,
        OrderLineFactory,
    )
    from supervision.models import Notification
    from supervision.services import quality

    line = DeliveryLine.objects.filter(
        delivery__order__hospital=w.hospital, accepted_quantity__gt=0
    ).first()
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
    reports = [
        quality.quality_report_file(
            actor=actor,
            consumable_id=line.order_line.consumable_id,
            lot=line.lot,
            severity="general",
            occurred_on=clock.local_today(),
            description="包装破损",
        )
        for actor in (w.purchaser, reporter)
    ]
    o["quality_reports"] = set(reports)
    o["lot_notices"] = set(reports[1].lot_notices.all())
    o["hospital_notes"] = set(Notification.objects.filter(organization=w.hospital))


def _emergency_purchase(actor):
    return emergency.emergency_purchase_register(
        actor=actor,
        bought_on=clock.local_today(),
        reason="急诊手术，平台无货",
        approver_name="王主任",
        approver_role="分管副院长",
        lines=[
            {
                "consumable_id": ConsumableFactory().pk,
                "supplier_name": "南京某医疗器械有限公司",
                "unit_price": "90000000.00",
                "quantity": 1,
            }
        ],
    )


def _requests(o) -> list:
    return [o["payment_requested"], o["payment_approved"], o["payment_paid"]]


def expected(o) -> dict[str, dict[str, set]]:
    """role -> card -> the objects its list must show."""
    want = {
        "pur": {
            "notifications_unread": o["hospital_notes"],
            "lot_notices": o["lot_notices"],
            "order_drafts": {o["draft"]},
            "orders_awaiting_supplier": {o["submitted"]},
            "deliveries_to_accept": {o["shipped"]},
            "deliveries_returned": {o["returned"]},
            "demand_to_report": {o["open_round"], o["sealed_round"]},
            "contracts_to_sign": {o["contract_to_sign"]},
            "contracts_lagging": {o["contract_lagging"]},
            "exports_ready": {o["export_ready"]},
            "emergency_this_year": {o["emergency"]},
            "emergency_awaiting_bureau": {o["emergency"]},
            "catalogue_in_use": o["catalogue_in_use"],
            "catalogue_stopped": {o["catalogue_stopped"]},
            "usage_outside_catalogue": {o["usage_flagged"]},
        },
        "fin": {
            "notifications_unread": o["hospital_notes"],
            "lot_notices": o["lot_notices"],
            "invoices_to_confirm": {o["registered"]},
            "contracts_lagging": {o["contract_lagging"]},
            "fund_settlements_settled": {o["settled"]},
            "advances_offsetting": {o["advance"]},
            "payment_requests_to_approve": {o["payment_requested"]},
            "payment_requests_to_pay": {o["payment_approved"]},
            "payment_requests_to_settle": {o["payment_paid"]},
            "payment_overdue": {o["overdue_invoice"]},
        },
        "mfr": {
            "notifications_unread": o["maker_notes"],
            "my_sanctions_in_force": o["sanctions"],
            "quality_reports_on_our_products": o["quality_reports"],
            # The manufacturer answers every hospital.
            "orders_to_answer": {o["submitted"], o["other_submitted"]},
            # The order handed to the distributor is the distributor's to deliver.
            "orders_to_deliver": {o["confirmed"]},
            # Accepted with goods kept (8 after the return) and nothing invoiced yet.
            "orders_to_invoice": {o["accepted"]},
            "price_cuts_due": {o["cut_due"], o["cut_overdue"]},
            "contracts_to_sign": {o["contract_to_sign"]},
            "contracts_lagging": {o["contract_lagging"]},
            "rounds_open_for_bids": {o["sealed_round"]},
            "negotiation_invitations": {o["neg_invited"], o["neg_due"]},
            "negotiation_deadlines": {o["neg_due"]},
            "payment_invoices_to_request": {o["confirmed_invoice"], o["overdue_invoice"]},
            "payment_requests_awaiting_hospital": {o["payment_requested"]},
            "payment_requests_to_settle": {o["payment_paid"]},
            "payment_invoices_paid": o["paid_lines"],
            "payment_overdue": {o["overdue_invoice"]},
        },
        "dst": {
            "notifications_unread": set(),
            "my_sanctions_in_force": set(),
            "quality_reports_on_our_products": set(),
            "orders_to_deliver": {o["via_distributor"]},
            "orders_to_invoice": set(),
            "contracts_to_sign": {o["contract_to_sign"]},
            "contracts_lagging": {o["contract_lagging"]},
            "rounds_open_for_bids": {o["sealed_round"]},
            "payment_invoices_to_request": set(),
            "payment_requests_awaiting_hospital": set(),
            "payment_requests_to_settle": set(),
            "payment_invoices_paid": set(),
            "payment_overdue": set(),
        },
        "bur": {
            "notifications_unread": o["bureau_notes"],
            "credit_events_this_month": o["credit_events"],
            "credit_repairs_to_decide": {o["credit_repair"]},
            "sanctions_in_force": o["sanctions"],
            "quality_reports_to_review": o["quality_reports"],
            "alerts_open": o["alerts_open"],
            "listing_applications": {o["application"]},
            "price_changes_to_review": {o["price_change"]},
            "objections_to_answer": {o["objection"]},
            "price_cuts_overdue": {o["cut_overdue"]},
            "sync_runs_failed": {o["failed_run"]},
            # Not the invoice the hospital has paid into escrow.
            "invoices_awaiting_settlement": {
                o["confirmed_invoice"],
                o["overdue_invoice"],
                *(r.lines.get().invoice for r in _requests(o)[:2]),
            },
            "rounds_in_draft": {o["draft_round"]},
            "demand_awaiting_review": {o["other_demand"]},
            "contracts_lagging": {o["contract_lagging"]},
            "contracts_renewal_due": set(),
            # The bureau decides for every hospital of its region.
            "emergency_to_decide": {o["emergency"], o["other_emergency"]},
            "emergency_violations_this_year": {
                o["emergency_violation"],
                o["other_emergency_violation"],
            },
            "shares_to_collect": {o["bur_custody"]},
            "payment_overdue": {o["overdue_invoice"]},
            "shares_to_enter": set(),
            "rounds_to_open": set(),
            "rounds_in_publicity": set(),
            "fund_settlements_settled": {o["settled"], o["other_settled"]},
            "advances_offsetting": {o["advance"]},
            "ledger_checks_drift": {o["drift"]},
            "bank_statement_lines_unmatched": {o["unmatched_line"]},
            "negotiations_to_decide": {o["neg_offered"]},
            "settlement_batches": {o["batch"]},
            "fund_direct_settlements": {o["direct"]},
        },
        "agy": {
            "notifications_unread": set(),
            "payment_overdue": {o["overdue_invoice"]},
            "payment_requests_to_pay": {o["payment_approved"]},
            "payment_requests_to_settle": {o["payment_paid"]},
            "price_cuts_overdue": {o["cut_overdue"]},
            # Not the invoice the hospital has paid into escrow.
            "invoices_awaiting_settlement": {
                o["confirmed_invoice"],
                o["overdue_invoice"],
                *(r.lines.get().invoice for r in _requests(o)[:2]),
            },
            "rounds_in_draft": {o["draft_round"]},
            "demand_awaiting_review": {o["other_demand"]},
            "contracts_lagging": {o["contract_lagging"]},
            "contracts_renewal_due": set(),
            "emergency_violations_this_year": {
                o["emergency_violation"],
                o["other_emergency_violation"],
            },
            "shares_to_collect": set(),
            "shares_to_enter": set(),
            "rounds_to_open": set(),
            "rounds_in_publicity": set(),
            "fund_settlements_draft": {o["fund_draft"]},
            "fund_settlements_settled": {o["settled"], o["other_settled"]},
            "advances_offsetting": {o["advance"]},
            "ledger_checks_drift": {o["drift"]},
            "bank_statement_lines_unmatched": {o["unmatched_line"]},
            "negotiations_to_decide": {o["neg_offered"]},
            "settlement_batches": {o["batch"]},
            "fund_direct_settlements": {o["direct"]},
        },
        "adm": {
            "notifications_unread": o["bureau_notes"],
            "listing_applications": {o["application"]},
            "price_changes_to_review": {o["price_change"]},
            "objections_to_answer": {o["objection"]},
            "sync_runs_failed": {o["failed_run"]},
            "ledger_checks_drift": {o["drift"]},
            "bank_statement_lines_unmatched": {o["unmatched_line"]},
        },
    }
    # [R-FIVE-RATES] the hospital's and supplier's own; the regulators' region; everything.
    want["pur"]["five_rates_below"] = {o["rate_hospital"]}
    want["fin"]["five_rates_below"] = {o["rate_hospital"]}
    want["mfr"]["five_rates_below"] = {o["rate_supplier"]}
    want["dst"]["five_rates_below"] = set()
    want["bur"]["five_rates_below"] = {o["rate_hospital"], o["rate_supplier"]}
    want["agy"]["five_rates_below"] = {o["rate_hospital"], o["rate_supplier"]}
    want["adm"]["five_rates_below"] = {o["rate_hospital"], o["rate_supplier"], o["rate_far"]}
    for cards in want.values():
        cards.setdefault("exports_ready", set())
    return want


def listed(client: Client, card) -> list:
    """The objects the card's link lists (the review page holds two queues)."""
    response = client.get(card.url)
    assert response.status_code == 200, card.url
    if card.key == "listing_applications":
        return list(response.context["queue"])
    if card.key == "price_changes_to_review":
        return list(response.context["changes"])
    if card.key == "payment_invoices_to_request":
        return list(response.context["invoices"])
    page = response.context["page"]
    assert page.paginator.count <= page.paginator.per_page  # all of it on the first page
    return list(page.object_list)


@pytest.mark.parametrize("role", ["pur", "fin", "mfr", "dst", "bur", "agy", "adm"])
def test_each_card_counts_what_its_link_lists(world, role):
    _w, users, o = world
    user = users[role]
    want = expected(o)[role]
    cards = home_cards(actor=user)
    assert [c.key for c in cards] == [c.key for c in cards_for(user)]
    assert {c.key for c in cards} == set(want), role
    client = Client()
    client.force_login(user)
    for card in cards:
        rows = listed(client, card)
        assert card.count == len(rows) == len(want[card.key]), (role, card.key)
        assert {row.pk for row in rows} == {x.pk for x in want[card.key]}, (role, card.key)


def test_money_cards_sum_the_amounts_they_count(world):
    _w, users, o = world
    cards = {c.key: c for c in home_cards(actor=users["fin"])}
    assert cards["invoices_to_confirm"].amount == o["registered"].amount == Decimal("1000.00")
    regulator = {c.key: c for c in home_cards(actor=users["bur"])}
    confirmed = [o["confirmed_invoice"], o["overdue_invoice"], *_requests(o)[:2]]
    assert regulator["invoices_awaiting_settlement"].amount == sum(
        (x.amount for x in confirmed), Decimal(0)
    )
    purchaser = {c.key: c.amount for c in home_cards(actor=users["pur"])}
    # [R-EMERG-CAP] the emergency purchases used of the cap this year.
    assert purchaser.pop("emergency_this_year") == o["emergency"].amount
    assert set(purchaser.values()) == {None}
    assert regulator["emergency_violations_this_year"].amount == sum(
        (o[k].amount for k in ("emergency_violation", "other_emergency_violation")), Decimal(0)
    )


def test_another_hospitals_orders_are_not_counted(world):
    w, _users, _o = world
    mine = {c.key: c.count for c in home_cards(actor=w.purchaser)}
    theirs = {c.key: c.count for c in home_cards(actor=w.other_purchaser)}
    assert mine["order_drafts"] == mine["orders_awaiting_supplier"] == 1
    assert theirs["order_drafts"] == theirs["orders_awaiting_supplier"] == 1
    assert theirs["deliveries_to_accept"] == theirs["deliveries_returned"] == 0
    # The manufacturer answers both hospitals.
    mfr = {c.key: c.count for c in home_cards(actor=w.sales)}
    assert mfr["orders_to_answer"] == 2


def test_each_card_costs_one_query(world):
    _w, users, _o = world
    for role, user in users.items():
        cards = cards_for(user)
        assert cards, role
        for card in cards:
            with CaptureQueriesContext(connection) as queries:
                card_value(card, user)
            # A kept watch card another regulator of the jurisdiction counted costs none.
            kept = card.keep_for is not None and card.keep_for(user)
            assert len(queries) == 1 or (kept and not queries), (
                role,
                card.key,
                [q["sql"] for q in queries],
            )


def test_home_page_shows_the_cards_with_links(world):
    _w, users, _o = world
    client = Client()
    client.force_login(users["fin"])
    html = client.get("/").content.decode()
    assert 'data-card="invoices_to_confirm"' in html
    assert 'href="/procurement/invoices/?status=registered"' in html
    assert "¥1,000.00" in html
    assert "暂无内容" not in html


def test_api_answers_the_same_cards(world):
    _w, users, o = world
    client = Client()
    client.force_login(users["fin"])
    body = client.get("/api/v1/home/").json()
    # A hospital's own queues are counted on every look, never kept.
    assert {card.pop("as_of") for card in body} == {None}
    assert body == [
        {
            "key": "invoices_to_confirm",
            "title": "待确认发票",
            "count": 1,
            "amount": "1000.00",
            "url": "/procurement/invoices/?status=registered",
        },
        {
            "key": "fund_settlements_settled",
            "title": "已完成的基金结算（拨付医疗机构）",
            "count": 1,
            "amount": "900.00",
            "url": "/settlement/fund/?status=settled",
        },
        {
            "key": "advances_offsetting",
            "title": "冲抵中的预付金（预付金额）",
            "count": 1,
            "amount": str(o["advance"].amount),
            "url": "/settlement/advances/?status=offsetting",
        },
        {
            "key": "contracts_lagging",
            "title": "进度滞后的采购协议",
            "count": 1,
            "amount": None,
            "url": "/procurement/contracts/?lagging=1",
        },
        {
            "key": "payment_requests_to_approve",
            "title": "待审核的付款申请",
            "count": 1,
            "amount": "800.00",
            "url": "/settlement/payments/?status=requested",
        },
        {
            "key": "payment_requests_to_pay",
            "title": "已审核待付款的付款申请",
            "count": 1,
            "amount": "800.00",
            "url": "/settlement/payments/?status=approved",
        },
        {
            "key": "payment_requests_to_settle",
            "title": "已付至监管账户，待批量结算",
            "count": 1,
            "amount": "800.00",
            "url": "/settlement/payments/?status=paid",
        },
        {
            "key": "payment_overdue",
            "title": "逾期未付款的发票",
            "count": 1,
            "amount": "800.00",
            "url": "/settlement/payments/overdue/",
        },
        {
            "key": "five_rates_below",
            "title": "上月低于阈值的五率",
            "count": 1,
            "amount": None,
            "url": "/supervision/five-rates/below/",
        },
        {
            "key": "lot_notices",
            "title": "本院的批次质量通告",
            "count": 1,
            "amount": None,
            "url": "/supervision/quality/notices/",
        },
        {
            "key": "exports_ready",
            "title": "可下载的导出",
            "count": 0,
            "amount": None,
            "url": "/exports/?status=succeeded",
        },
        {
            "key": "notifications_unread",
            "title": "未读消息",
            "count": 1,
            "amount": None,
            "url": "/supervision/notifications/?unread=1",
        },
    ]


def test_a_regulators_watch_cards_are_kept_and_refreshed(world, django_capture_on_commit_callbacks):
    """The bureau's jurisdiction-wide watch cards (invoices awaiting settlement, overdue
    payments) are counted once and kept: a second look runs no query for them and says when
    they were counted; past HOME_CARD_KEPT_SECONDS the kept figures are shown while one
    refresh is queued, which counts again. Its own work queues are counted every time."""
    _w, users, _o = world
    bureau = users["bur"]
    watch = {"invoices_awaiting_settlement", "payment_overdue"}
    kept = [card for card in cards_for(bureau) if card.key in watch]
    assert {card.key for card in kept} == watch
    first = clock.now()
    with time_machine.travel(first, tick=False):
        counted = {card.key: card_value(card, bureau) for card in kept}
        with CaptureQueriesContext(connection) as again:
            read = {card.key: card_value(card, bureau) for card in kept}
    assert len(again) == 0
    assert read == counted
    assert {value.as_of for value in read.values()} == {first}
    own = next(card for card in cards_for(bureau) if card.key == "alerts_open")
    assert card_value(own, bureau).as_of is None
    later = first + dt.timedelta(minutes=6)
    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            stale = {card.key: card_value(card, bureau).as_of for card in kept}
            card_value(kept[0], bureau)
        assert stale == dict.fromkeys(watch, first)
        assert len(queued) == len(watch)  # one per card, not one per look
        for refresh in queued:
            refresh()
        assert {card_value(card, bureau).as_of for card in kept} == {later}


def test_a_hospitals_overdue_card_is_counted_on_every_look(world):
    _w, users, _o = world
    finance = users["fin"]
    card = next(card for card in cards_for(finance) if card.key == "payment_overdue")
    card_value(card, finance)
    with CaptureQueriesContext(connection) as again:
        value = card_value(card, finance)
    assert len(again) == 1
    assert value.as_of is None


def test_every_registered_card_names_roles_and_a_title():
    cards = registered_cards()
    assert len(cards) >= 15
    for card in cards.values():
        assert card.roles
        assert str(card.title)


def test_every_card_title_is_translated_into_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        titles = {key: str(card.title) for key, card in registered_cards().items()}
    with translation.override("en"):
        english = {key: str(card.title) for key, card in registered_cards().items()}
    assert [key for key in titles if titles[key] == english[key]] == []


@pytest.mark.parametrize(
    ("role", "key", "says"),
    [
        ("mfr", "orders_to_deliver", "待配送订单"),
        ("pur", "deliveries_returned", "有退货的配送单"),
        ("bur", "price_cuts_overdue", "逾期未降价挂网产品"),
    ],
)
def test_a_list_reached_from_a_card_says_which_queue_it_shows(world, role, key, says):
    _w, users, _o = world
    client = Client()
    client.force_login(users[role])
    [card] = [c for c in home_cards(actor=users[role]) if c.key == key]
    html = client.get(card.url).content.decode()
    assert says in html
    assert client.get(card.url.split("?")[0]).content.decode().count(says) == 0
