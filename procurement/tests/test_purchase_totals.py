"""[R-LIST-ALT-CAP] The hospital's running purchase totals (PurchaseTotal): kept by the order
services, they always equal what summing the order lines gives, the sum the cap used to compute
on every view; the cart and purchase-plan pages read them instead of the order lines."""

import contextlib
import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from procurement.choices import (
    COUNTED_LINE_STATUSES,
    COUNTED_ORDER_STATUSES,
    Catalogue,
    LineStatus,
    OrderStatus,
)
from procurement.models import AnnualPurchasePlan, Order, OrderLine, PurchaseTotal
from procurement.selectors.caps import alternate_cap_status
from procurement.services import deliveries, orders
from procurement.services.purchase_totals import purchase_totals_rebuild
from procurement.tests.order_world import add_listing, di_of, gs1, make_world, promised

pytestmark = pytest.mark.django_db

ORDER_LINE_TABLE = OrderLine._meta.db_table


def summed() -> dict[tuple[int, int, str], Decimal]:
    """The totals as the cap summed them before PurchaseTotal existed (the oracle): counted
    lines of counted orders, by hospital, submission year (Asia/Shanghai) and catalogue."""
    rows = (
        OrderLine.objects.filter(
            order__status__in=COUNTED_ORDER_STATUSES, status__in=COUNTED_LINE_STATUSES
        )
        .values_list("order__hospital_id", "order__submitted_at__year", "catalogue")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    return {(h, y, c): amount for h, y, c, amount in rows if amount}


def kept() -> dict[tuple[int, int, str], Decimal]:
    """The running totals, rows at zero left out (what every line cancelled leaves)."""
    return {
        (row.hospital_id, row.year, row.catalogue): row.amount
        for row in PurchaseTotal.objects.all()
        if row.amount
    }


# --- the property: after any sequence of order operations, totals == SUM ----------------------

# 2026-12-31 23:40 in Asia/Shanghai (15:40 UTC); "midnight" moves past the local new year while
# UTC is still in 2026, so a wrong time zone puts a line in the wrong year.
START = dt.datetime(2026, 12, 31, 15, 40, tzinfo=dt.UTC)
NEW_YEAR = dt.datetime(2026, 12, 31, 16, 20, tzinfo=dt.UTC)

# (what, which order, which products, how many).
KINDS = ["create", "submit", "cancel", "confirm", "reject", "answer", "return"]
operations = st.tuples(
    st.sampled_from([*KINDS, "midnight"]),
    st.integers(min_value=0, max_value=2),
    st.sampled_from(["capped", "alternate", "both"]),
    st.integers(min_value=1, max_value=30),
)


FITS = {
    "submit": {OrderStatus.DRAFT},
    "cancel": {OrderStatus.DRAFT, OrderStatus.SUBMITTED},
    "confirm": {OrderStatus.SUBMITTED},
    "reject": {OrderStatus.SUBMITTED},
    "answer": {OrderStatus.SUBMITTED},
    "return": {OrderStatus.CONFIRMED},
}


def _create(w, listings, made, which, quantity) -> Order:
    chosen = listings if which == "both" else [listings[0 if which == "capped" else 1]]
    lines = [{"listing": listing.pk, "quantity": quantity} for listing in chosen]
    (order,) = orders.order_create(department="骨科", actor=w.purchaser, lines=lines)
    made.append(order)
    return order


def _confirm_all(w, order) -> None:
    answers = [
        {"line": line.pk, "decision": "confirm", "promised_on": promised()}
        for line in order.lines.all()
    ]
    orders.order_respond(actor=w.sales, order_id=order.pk, answers=answers)


def _order_for(w, listings, made, kind, index, which, quantity) -> Order:
    """Mostly an order the operation fits (a draft to submit, a submitted one to answer...):
    with none, one is made and brought there through the services; some operations then meet
    an order they do not fit, and the service refuses."""
    statuses = dict(Order.objects.filter(pk__in=[o.pk for o in made]).values_list("pk", "status"))
    fits = [o for o in made if statuses[o.pk] in FITS[kind]]
    if fits:
        return fits[index % len(fits)]
    order = _create(w, listings, made, which, quantity)
    if kind != "submit" and index != 0:
        orders.order_submit(actor=w.purchaser, order_id=order.pk)
        if kind == "return":
            _confirm_all(w, order)
    return order


def _run(w, listings, made, op, traveller) -> None:
    kind, index, which, quantity = op
    if kind == "create":
        _create(w, listings, made, which, quantity)
        return
    if kind == "midnight":
        traveller.move_to(NEW_YEAR)
        return
    order = _order_for(w, listings, made, kind, index, which, quantity)
    lines = list(order.lines.order_by("pk"))
    if kind == "submit":
        orders.order_submit(actor=w.purchaser, order_id=order.pk)
    elif kind == "cancel":
        orders.order_cancel(actor=w.purchaser, order_id=order.pk, reason="不再需要")
    elif kind in ("confirm", "reject"):  # the first line still pending
        pending = [line for line in lines if line.status == LineStatus.PENDING]
        answer = {"line": (pending or lines)[0].pk, "decision": kind}
        answer.update(promised_on=promised(), reason="缺货")
        orders.order_respond(actor=w.sales, order_id=order.pk, answers=[answer])
    elif kind == "answer":  # every line at once: the first confirmed, the others rejected
        answers = [
            {"line": line.pk, "decision": "confirm" if i == 0 else "reject"}
            | {"promised_on": promised(), "reason": "停产"}
            for i, line in enumerate(lines)
        ]
        orders.order_respond(actor=w.sales, order_id=order.pk, answers=answers)
    elif kind == "return":  # deliver one unit of the first line, accept it, send it back
        line = lines[0]
        di = di_of(listings[0] if line.listing_id == listings[0].pk else listings[1])
        delivery = deliveries.delivery_create(
            actor=w.sales,
            order_id=order.pk,
            lines=[{"order_line": line.pk, "quantity": 1, "barcode": gs1(di)}],
        )
        (shipped,) = delivery.lines.all()
        deliveries.delivery_accept(
            actor=w.purchaser,
            delivery_id=delivery.pk,
            lines=[{"delivery_line": shipped.pk, "accepted_quantity": 1, "refused_quantity": 0}],
        )
        deliveries.return_register(
            actor=w.purchaser, delivery_line_id=shipped.pk, quantity=1, reason="包装破损"
        )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operations, min_size=2, max_size=12))
def test_R_LIST_ALT_CAP_totals_equal_the_sum_of_order_lines_after_any_operations(ops):
    """Random sequences of create, submit, cancel, confirm, reject, answer-all, deliver and
    return (refused ones included, across the local new year): the running totals equal the
    SUM over the order lines, and the cap shows the summed figures."""
    with time_machine.travel(START, tick=False) as traveller:
        w = make_world(price=Decimal("12.34"), plan_total=Decimal("5000.00"))
        listings = [w.listing, add_listing(w, catalogue=Catalogue.ALTERNATE, price="7.77")]
        made: list[Order] = []
        for op in ops:
            # A refused one (wrong state, over the cap) must change nothing.
            with contextlib.suppress(DomainError):
                _run(w, listings, made, op, traveller)
            assert kept() == summed(), op
        for year in (2026, 2027):
            cap = alternate_cap_status(hospital=w.hospital, year=year)
            sums = summed()
            assert cap.used == sums.get((w.hospital.pk, year, Catalogue.ALTERNATE), 0)
            assert cap.default_total == sum(
                (a for (h, y, _c), a in sums.items() if (h, y) == (w.hospital.pk, year - 1)),
                Decimal(0),
            )
        # A rebuild of correct totals changes nothing.
        assert purchase_totals_rebuild().changed == 0


def test_a_cancelled_order_of_last_year_comes_off_last_years_total():
    """The year a line counts in is its order's submission year, whatever the day it is
    cancelled or rejected on."""
    with time_machine.travel(START, tick=False) as traveller:
        w = make_world(plan_total=None)
        (order,) = orders.order_create(
            department="骨科", actor=w.purchaser, lines=[{"listing": w.listing.pk, "quantity": 3}]
        )
        orders.order_submit(actor=w.purchaser, order_id=order.pk)
        assert kept() == {(w.hospital.pk, 2026, Catalogue.CAPPED): Decimal("300.00")}
        traveller.move_to(NEW_YEAR)
        assert alternate_cap_status(hospital=w.hospital, year=2027).default_total == Decimal(
            "300.00"
        )
        orders.order_cancel(actor=w.purchaser, order_id=order.pk, reason="重复下单")
        assert kept() == {}
        assert PurchaseTotal.objects.get().amount == 0


# --- repair ------------------------------------------------------------------------------------


def test_rebuild_repairs_wrong_totals_and_a_second_run_changes_nothing(capsys):
    w = make_world()
    (order,) = orders.order_create(
        department="骨科", actor=w.purchaser, lines=[{"listing": w.listing.pk, "quantity": 4}]
    )
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    right = kept()
    PurchaseTotal.objects.update(amount=Decimal("1.00"))
    PurchaseTotal.objects.create(
        hospital=w.other_hospital, year=2001, catalogue=Catalogue.ALTERNATE, amount=5
    )
    call_command("purchase_totals_rebuild")
    assert kept() == right == summed()
    assert "1 corrected, 1 removed" in capsys.readouterr().out
    call_command("purchase_totals_rebuild")
    assert "0 created, 0 corrected, 0 removed" in capsys.readouterr().out
    assert kept() == right


def test_rebuild_of_one_hospital_leaves_the_others_alone():
    w = make_world()
    PurchaseTotal.objects.create(
        hospital=w.other_hospital, year=2001, catalogue=Catalogue.CAPPED, amount=5
    )
    result = purchase_totals_rebuild(hospital_ids=[w.hospital.pk])
    assert (result.hospitals, result.changed) == (1, 0)
    assert PurchaseTotal.objects.get().amount == 5


# --- the pages read the totals, not the order lines -------------------------------------------


def _orders_of_two_years(w):
    """Last year's capped purchase and this year's alternate one, through the services."""
    alternate = add_listing(w, catalogue=Catalogue.ALTERNATE, price="50.00")
    year = dt.datetime.now(tz=dt.UTC).year
    with time_machine.travel(dt.datetime(year - 1, 6, 1, 4, tzinfo=dt.UTC), tick=False):
        (old,) = orders.order_create(
            department="骨科", actor=w.purchaser, lines=[{"listing": w.listing.pk, "quantity": 100}]
        )
        orders.order_submit(actor=w.purchaser, order_id=old.pk)
    (new,) = orders.order_create(
        department="骨科", actor=w.purchaser, lines=[{"listing": alternate.pk, "quantity": 3}]
    )
    orders.order_submit(actor=w.purchaser, order_id=new.pk)
    return alternate


@pytest.mark.parametrize(
    ("url", "who", "figures"),
    [
        ("/procurement/orders/new/", "purchaser", ("1,500.00", "150.00", "1,350.00")),
        ("/procurement/purchase-plan/", "finance", ("10,000.00", "1,500.00", "150.00")),
    ],
    ids=["cart", "plan"],
)
def test_R_LIST_ALT_CAP_cart_and_plan_pages_show_the_cap_without_reading_order_lines(
    client, url, who, figures
):
    """Last year's purchases (the base, 10,000.00), the cap (15%: 1,500.00), this year's
    alternate purchases (150.00) and what remains, as the pages showed them when they summed
    the order lines, now from the running totals: no query of theirs touches the order-line
    table."""
    w = make_world(plan_total=None)
    _orders_of_two_years(w)
    client.force_login(getattr(w, who))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for figure in figures:
        assert figure in page, figure
    touching = [q["sql"] for q in queries if ORDER_LINE_TABLE in q["sql"]]
    assert touching == []


def test_R_LIST_ALT_CAP_the_cap_is_one_query():
    """The plan's figure, this year's alternate purchases and last year's purchases in one
    query of the running totals (the plan and the order lines' SUM were two)."""
    w = make_world(plan_total=None)
    _orders_of_two_years(w)
    with CaptureQueriesContext(connection) as queries:
        cap = alternate_cap_status(hospital=w.hospital, year=dt.datetime.now(tz=dt.UTC).year)
    assert (cap.default_total, cap.cap, cap.used) == (
        Decimal("10000.00"),
        Decimal("1500.00"),
        Decimal("150.00"),
    )
    reading = [q["sql"] for q in queries if PurchaseTotal._meta.db_table in q["sql"]]
    assert len(reading) == 1
    assert AnnualPurchasePlan._meta.db_table in reading[0]
    # Besides it only the region policy (the ratio) is read.
    assert len(queries) == 2
    assert not [q for q in queries if ORDER_LINE_TABLE in q["sql"]]


# --- concurrency ---------------------------------------------------------------------------------

THREADS = 6
TIMEOUT = 60


def _race(target, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait(TIMEOUT)
            results[index] = target(index)
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    return results


@pytest.mark.django_db(transaction=True)
def test_R_LIST_ALT_CAP_concurrent_orders_leave_totals_equal_to_the_sum():
    """Six purchasers' transactions at once on one hospital: submissions of both catalogues,
    cancellations and the supplier's rejections of orders submitted before. The totals equal
    the SUM of the order lines afterwards (no lost update), and none of them failed."""
    w = make_world(price=Decimal("10.00"), plan_total=Decimal("100000.00"))
    alternate = add_listing(w, catalogue=Catalogue.ALTERNATE, price="3.00")

    def make(quantity):
        lines = [
            {"listing": w.listing.pk, "quantity": quantity},
            {"listing": alternate.pk, "quantity": quantity},
        ]
        return orders.order_create(department="骨科", actor=w.purchaser, lines=lines)[0]

    drafts = [make(i + 1) for i in range(THREADS)]
    live = [orders.order_submit(actor=w.purchaser, order_id=make(10 + i).pk) for i in range(4)]

    def act(index):
        if index < 3:  # submit two drafts each
            orders.order_submit(actor=w.purchaser, order_id=drafts[2 * index].pk)
            return orders.order_submit(actor=w.purchaser, order_id=drafts[2 * index + 1].pk)
        if index < 5:  # cancel a submitted order
            return orders.order_cancel(actor=w.purchaser, order_id=live[index - 3].pk, reason="撤")
        line = live[2].lines.order_by("pk").first()  # reject a line
        answer = {"line": line.pk, "decision": "reject", "reason": "停产"}
        return orders.order_respond(actor=w.sales, order_id=live[2].pk, answers=[answer])

    results = _race(act, THREADS)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Order.objects.filter(status=OrderStatus.SUBMITTED).count() == THREADS + 2
    assert kept() == summed()
    assert sum(kept().values()) == Decimal("0.00") + sum(
        line.amount
        for line in OrderLine.objects.filter(
            order__status__in=COUNTED_ORDER_STATUSES, status__in=COUNTED_LINE_STATUSES
        )
    )


def test_the_migrations_backfill_sums_as_the_cap_did():
    """0008's backfill, run over orders of both years and every state, writes the totals the
    order lines sum to (Asia/Shanghai years, counted statuses only)."""
    import importlib

    backfill = importlib.import_module("procurement.migrations.0013_purchase_totals").BACKFILL
    w = make_world(plan_total=None)
    _orders_of_two_years(w)
    (cancelled,) = orders.order_create(
        department="骨科", actor=w.purchaser, lines=[{"listing": w.listing.pk, "quantity": 1}]
    )
    orders.order_submit(actor=w.purchaser, order_id=cancelled.pk)
    orders.order_cancel(actor=w.purchaser, order_id=cancelled.pk, reason="重复")
    orders.order_create(
        department="骨科", actor=w.purchaser, lines=[{"listing": w.listing.pk, "quantity": 2}]
    )
    expected = summed()
    PurchaseTotal.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(backfill)
    assert kept() == expected
    assert len(expected) == 2
