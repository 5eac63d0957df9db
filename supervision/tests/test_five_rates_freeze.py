"""Freezing a month's five rates [R-FIVE-RATES]: the beat entry, one snapshot however often and
however concurrently it runs, the report's sheets and its threshold marks, and the frozen
figures the pages read afterwards."""

from __future__ import annotations

import threading
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from openpyxl import load_workbook

from supervision.choices import Rate, SliceKind
from supervision.errors import FiveRatesMonthInvalidError
from supervision.models import FiveRatesFigure, FiveRatesSnapshot
from supervision.selectors.five_rates import five_rates_scope, five_rates_table
from supervision.services.five_rates import five_rates_freeze
from supervision.tasks import five_rates_freeze as five_rates_freeze_task
from supervision.tests.rates_world import NOVEMBER, at, make_rates_world, order_line, ship

FIRST_OF_DECEMBER = at(1, 3, 0, month=12)


def _november(w):
    """Two delivery lines of the hospital in November: one on time (10.00), one late (30.00):
    25.00% by amount, 50.00% by count, below the 90% threshold."""
    on_time = order_line(w, quantity=1, price="10.00", submitted_at=at(10))
    ship(on_time, quantity=1, shipped_at=at(11))
    late = order_line(w, quantity=1, price="30.00", submitted_at=at(10))
    ship(late, quantity=1, shipped_at=at(20))


def test_the_beat_runs_on_the_first_of_each_month_at_three_r_five_rates():
    entry = settings.CELERY_BEAT_SCHEDULE["supervision-five-rates-freeze"]
    assert entry["task"] == "supervision.five_rates_freeze"
    schedule = entry["schedule"]
    assert schedule.day_of_month == {1}
    assert schedule.hour == {3}
    assert schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


@pytest.mark.django_db
def test_running_twice_freezes_the_previous_month_once_r_five_rates():
    w = make_rates_world()
    _november(w)
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        first = five_rates_freeze_task.delay().get()
        second = five_rates_freeze_task.delay().get()
    assert first == second == "2026-11"
    snapshot = FiveRatesSnapshot.objects.get()
    assert snapshot.month == NOVEMBER
    hospital = FiveRatesFigure.objects.get(
        snapshot=snapshot, kind=SliceKind.HOSPITAL, key=str(w.hospital.pk), rate=Rate.DELIVERY
    )
    assert (hospital.amount_numerator, hospital.amount_denominator) == (
        Decimal("10.00"),
        Decimal("40.00"),
    )
    assert (hospital.count_numerator, hospital.count_denominator) == (1, 2)
    assert hospital.threshold == Decimal("0.9000")
    assert FiveRatesFigure.objects.filter(snapshot=snapshot).count() == snapshot.figure_count


@pytest.mark.django_db
def test_the_report_has_a_sheet_per_slice_and_marks_rates_below_threshold_r_five_rates():
    w = make_rates_world()
    _november(w)
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        snapshot = five_rates_freeze()
    book = load_workbook(BytesIO(bytes(snapshot.report)))
    assert len(book.sheetnames) == len(SliceKind.values)
    assert book.sheetnames[0].startswith("2026-11")
    hospitals = book.worksheets[SliceKind.values.index(SliceKind.HOSPITAL)]
    header = [cell.value for cell in hospitals[1]]
    row = list(hospitals[2])
    assert row[1].value == "鼓楼医院"
    delivery_by_amount = row[2]
    # XLSX keeps numbers as text of floats; compare what the sheet says as a decimal.
    assert Decimal(str(delivery_by_amount.value)) == Decimal("0.25")
    assert delivery_by_amount.fill.start_color.rgb.endswith("FFC7CE")
    assert row[-1].value  # the last column names the rates below threshold
    assert len(header) == 2 + 7 * 5 + 1


@pytest.mark.django_db
def test_a_frozen_month_is_read_from_its_snapshot_r_five_rates():
    """After freezing, November's table comes from the snapshot (frozen) with the same
    figures; a delivery recorded later does not change a frozen month."""
    w = make_rates_world()
    _november(w)
    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        five_rates_freeze()
        scope = five_rates_scope(actor=w.bureau, kind=SliceKind.HOSPITAL)
        extra = order_line(w, quantity=1, price="60.00", submitted_at=at(12))
        ship(extra, quantity=1, shipped_at=at(13))
        table = five_rates_table(actor=w.bureau, month=NOVEMBER, scope=scope)
    assert table.frozen
    (row,) = table.rows
    delivery = row.rates[Rate.DELIVERY]
    assert (delivery.amount_numerator, delivery.amount_denominator) == (
        Decimal("10.00"),
        Decimal("40.00"),
    )
    assert delivery.amount_below
    assert delivery.count_below
    assert row.below == [Rate.DELIVERY]


@pytest.mark.django_db
def test_the_current_month_is_not_frozen_r_five_rates():
    with (
        time_machine.travel(FIRST_OF_DECEMBER, tick=False),
        pytest.raises(FiveRatesMonthInvalidError) as refused,
    ):
        five_rates_freeze(month=at(1, month=12).date())
    assert refused.value.code == "five_rates_month_invalid"
    assert not FiveRatesSnapshot.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_freeze_one_snapshot_r_five_rates():
    """Four workers freeze November at the same moment (real PostgreSQL, one connection
    each): one snapshot, one set of figures, and every worker returns it."""
    w = make_rates_world()
    _november(w)
    count = 4
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait(60)
            results[index] = five_rates_freeze().pk
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    with time_machine.travel(FIRST_OF_DECEMBER, tick=False):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    snapshot = FiveRatesSnapshot.objects.get()
    assert results == [snapshot.pk] * count
    assert FiveRatesFigure.objects.filter(snapshot=snapshot).count() == snapshot.figure_count


@pytest.mark.django_db
def test_the_frozen_figures_are_the_live_ones_of_every_slice_r_five_rates():
    """Freezing groups every kind by district in one query per rate: its figures match each
    kind's live figures, district by district."""
    from supervision.selectors.five_rates import (
        Filters,
        _compute_unscoped,
        five_rates_figures_unscoped,
    )
    from supervision.tests.rates_world import invoiced, payment_request

    w = make_rates_world()
    _november(w)
    other = order_line(
        w,
        quantity=2,
        price="15.00",
        submitted_at=at(3),
        hospital=w.far_hospital,
        supplier=w.other_supplier,
    )
    ship(other, quantity=2, shipped_at=at(4))
    paid = invoiced(w, quantity=3, price="10.00", accepted_at=at(2))
    payment_request(w, paid, requested_at=at(3), approved_at=at(4), paid_at=at(5), settled_at=at(6))
    frozen = {
        (kind, key, district, f.rate): f
        for kind, key, district, f in five_rates_figures_unscoped(month=NOVEMBER)
    }
    live = {}
    for kind in (SliceKind.DISTRICT, SliceKind.HOSPITAL, SliceKind.SUPPLIER, SliceKind.CATEGORY):
        for row in _compute_unscoped(
            month=NOVEMBER, kind=kind, filters=Filters(), by_district=True
        ):
            live[kind, row.key, row.district, row.rate] = row.figures
    assert set(frozen) == set(live)
    assert len(live) > 10
    for key, figures in live.items():
        got = frozen[key]
        assert (got.amount_numerator, got.amount_denominator) == (
            figures.amount_numerator,
            figures.amount_denominator,
        ), key
        assert (got.count_numerator, got.count_denominator) == (
            figures.count_numerator,
            figures.count_denominator,
        ), key
