"""The five rates on hand-computed fixtures [R-FIVE-RATES], each rate by amount and by count,
numerator over denominator, for November 2026 in Asia/Shanghai (docs/five-rates.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import HospitalFactory
from supervision.choices import Rate, SliceKind
from supervision.selectors.five_rates import Filters, RateFigures, _compute_unscoped
from supervision.tests.rates_world import (
    DECEMBER,
    NOVEMBER,
    at,
    goods,
    invoice,
    invoiced,
    make_rates_world,
    order_line,
    payment_request,
    ship,
)

pytestmark = pytest.mark.django_db


def _figures(rate: str, *, month=NOVEMBER, kind=SliceKind.HOSPITAL, **filters) -> dict:
    rows = _compute_unscoped(month=month, kind=kind, filters=Filters(**filters))
    return {row.key: row.figures for row in rows if row.rate == rate}


def _one(rate: str, w, **kw) -> RateFigures:
    found = _figures(rate, **kw)
    return found[str(w.hospital.pk)]


def _assert(figures: RateFigures, amount: tuple[str, str], count: tuple[int, int]) -> None:
    assert (figures.amount_numerator, figures.amount_denominator) == tuple(
        Decimal(a) for a in amount
    )
    assert (figures.count_numerator, figures.count_denominator) == count


def test_delivery_rate_counts_lines_whose_deadline_fell_in_the_month_r_five_rates():
    """Deadline 48 h after the order is sent (24 h if urgent), November 2026:

    - L1 10 x 10.00 = 100.00, sent 10th 09:00, shipped whole 11th 09:00: on time;
    - L2 5 x 40.00 = 200.00, sent 10th 09:00, shipped 13th: late;
    - L3 urgent 2 x 150.00 = 300.00, sent 20th 08:00, shipped 21st 07:00 (23 h): on time;
    - L4 4 x 100.00 = 400.00, sent 20th, shipped in time, one refused at acceptance: late;
    - not counted: a line the supplier has not confirmed, a line due 2 December.

    By amount (100 + 300) / 1000 = 40.00%; by count 2 / 4 = 50.00%.
    """
    w = make_rates_world()
    l1 = order_line(w, quantity=10, price="10.00", submitted_at=at(10, 9))
    ship(l1, quantity=10, shipped_at=at(11, 9))
    l2 = order_line(w, quantity=5, price="40.00", submitted_at=at(10, 9))
    ship(l2, quantity=5, shipped_at=at(13, 9))
    l3 = order_line(w, quantity=2, price="150.00", submitted_at=at(20, 8), urgent=True)
    ship(l3, quantity=2, shipped_at=at(21, 7))
    l4 = order_line(w, quantity=4, price="100.00", submitted_at=at(20, 8))
    ship(l4, quantity=4, shipped_at=at(21, 8), accepted_at=at(21, 12), refused=1)
    order_line(w, quantity=3, price="10.00", submitted_at=at(12), status="pending")
    order_line(w, quantity=3, price="10.00", submitted_at=at(30, 12))

    figures = _one(Rate.DELIVERY, w)
    _assert(figures, ("400.00", "1000.00"), (2, 4))
    assert figures.amount_rate == Decimal("0.4000")
    assert figures.count_rate == Decimal("0.5000")


def test_payment_request_rate_counts_what_was_accepted_in_the_month_r_five_rates():
    """Requested within 5 local days of the acceptance, November 2026:

    - A 10 x 10.00 = 100.00 accepted 3rd 10:00, requested 8th 20:00 (3 + 5): on time;
    - B 5 x 40.00 = 200.00 accepted 3rd, requested 9th: late;
    - C 3 x 100.00 = 300.00 accepted 30th 23:30 Shanghai (15:30 UTC), never requested: late;
    - not counted: goods accepted 1 December 00:30.

    By amount 100 / 600 = 16.67%; by count 1 / 3 = 33.33%.
    """
    w = make_rates_world()
    a = invoiced(w, quantity=10, price="10.00", accepted_at=at(3))
    payment_request(w, a, requested_at=at(8, 20))
    b = invoiced(w, quantity=5, price="40.00", accepted_at=at(3))
    payment_request(w, b, requested_at=at(9))
    goods(w, quantity=3, price="100.00", accepted_at=at(30, 23, 30))
    goods(w, quantity=3, price="100.00", accepted_at=at(1, 0, 30, month=12))

    figures = _one(Rate.PAYMENT_REQUEST, w)
    _assert(figures, ("100.00", "600.00"), (1, 3))
    assert figures.amount_rate == Decimal("0.1667")
    assert figures.count_rate == Decimal("0.3333")


def test_hospital_confirmation_rate_counts_requests_of_the_month_r_five_rates():
    """Approved within 5 local days of the request, November 2026:

    - R1 requested 2nd 10:00 for A 100.00 and B 200.00, approved 7th 18:00; B disputed:
      A on time, B not confirmed;
    - R2 requested 10th for C 300.00, approved 16th: late;
    - R3 requested 20th for D 500.00, approved 21st: on time;
    - not counted: a request of 1 December 00:30.

    By amount (100 + 500) / 1100 = 54.55%; by count 2 / 4 = 50.00%.
    """
    w = make_rates_world()
    a = invoiced(w, quantity=10, price="10.00", accepted_at=at(1, 12))
    b = invoiced(w, quantity=5, price="40.00", accepted_at=at(1, 12))
    payment_request(w, a, b, requested_at=at(2), approved_at=at(7, 18), disputed=(b,))
    c = invoiced(w, quantity=3, price="100.00", accepted_at=at(5))
    payment_request(w, c, requested_at=at(10), approved_at=at(16))
    d = invoiced(w, quantity=5, price="100.00", accepted_at=at(15))
    payment_request(w, d, requested_at=at(20), approved_at=at(21))
    e = invoiced(w, quantity=1, price="100.00", accepted_at=at(25))
    payment_request(w, e, requested_at=at(1, 0, 30, month=12))

    figures = _one(Rate.HOSPITAL_CONFIRMATION, w)
    _assert(figures, ("600.00", "1100.00"), (2, 4))
    assert figures.amount_rate == Decimal("0.5455")


def test_payment_rate_counts_confirmed_invoices_due_in_the_month_r_pay_30():
    """[R-FIVE-RATES] [R-PAY-30] due 30 local days after the last acceptance, November 2026:

    - I1 100.00 accepted 5 October, due 4 November, paid 4 November 22:00: on time;
    - I2 200.00 accepted 10 October, due 9 November, paid 10 November: late;
    - I3 300.00 accepted 20 October, due 19 November, unpaid: late;
    - not counted: I4 due 1 December; I5 due 24 November but not confirmed by the hospital.

    By amount 100 / 600 = 16.67%; by count 1 / 3 = 33.33%.
    """
    w = make_rates_world()
    i1 = invoiced(w, quantity=10, price="10.00", accepted_at=at(5, month=10))
    payment_request(
        w,
        i1,
        requested_at=at(6, month=10),
        approved_at=at(7, month=10),
        paid_at=at(8, month=10),
        settled_at=at(4, 22),
    )
    i2 = invoiced(w, quantity=5, price="40.00", accepted_at=at(10, month=10))
    payment_request(
        w,
        i2,
        requested_at=at(11, month=10),
        approved_at=at(12, month=10),
        paid_at=at(13, month=10),
        settled_at=at(10),
    )
    invoiced(w, quantity=3, price="100.00", accepted_at=at(20, month=10))
    invoiced(w, quantity=1, price="100.00", accepted_at=at(1))
    line, _shipped = goods(w, quantity=1, price="100.00", accepted_at=at(25, month=10))
    invoice(line, status="registered")

    figures = _one(Rate.PAYMENT, w)
    _assert(figures, ("100.00", "600.00"), (1, 3))


def test_agency_settlement_rate_counts_escrow_receipts_of_the_month_r_five_rates():
    """Settled from escrow within 5 local days of receipt, November 2026:

    - P1 paid in 2nd 10:00 for A 100.00 and B 200.00, settled 7th 09:00: on time (2 lines);
    - P2 paid in 10th for C 300.00, settled 16th: late;
    - P3 paid in 25th for D 400.00, not settled yet: late;
    - not counted: a direct payment by the fund [R-DIRECT] (never in escrow).

    By amount 300 / 1000 = 30.00%; by count 2 / 4 = 50.00%.
    """
    w = make_rates_world()
    a = invoiced(w, quantity=10, price="10.00", accepted_at=at(1, 8))
    b = invoiced(w, quantity=5, price="40.00", accepted_at=at(1, 8))
    payment_request(
        w, a, b, requested_at=at(1, 9), approved_at=at(1, 10), paid_at=at(2), settled_at=at(7, 9)
    )
    c = invoiced(w, quantity=3, price="100.00", accepted_at=at(8))
    payment_request(w, c, requested_at=at(8), approved_at=at(9), paid_at=at(10), settled_at=at(16))
    d = invoiced(w, quantity=4, price="100.00", accepted_at=at(20))
    payment_request(w, d, requested_at=at(21), approved_at=at(22), paid_at=at(25))
    e = invoiced(w, quantity=1, price="100.00", accepted_at=at(2))
    payment_request(
        w,
        e,
        requested_at=at(2),
        approved_at=at(3),
        paid_at=at(3),
        settled_at=at(3),
        method="direct",
    )

    figures = _one(Rate.AGENCY_SETTLEMENT, w)
    _assert(figures, ("300.00", "1000.00"), (2, 4))


def test_month_boundary_is_asia_shanghai_r_five_rates():
    """A deadline at 23:30 on 30 November in Shanghai (15:30 UTC) is November's; one at 00:30
    on 1 December (16:30 UTC on 30 November) is December's."""
    w = make_rates_world()
    late_evening = order_line(w, quantity=1, price="10.00", submitted_at=at(28, 23, 30))
    ship(late_evening, quantity=1, shipped_at=at(29))
    past_midnight = order_line(w, quantity=2, price="10.00", submitted_at=at(29, 0, 30))
    ship(past_midnight, quantity=2, shipped_at=at(29))
    assert at(30, 23, 30).astimezone(__import__("datetime").UTC).hour == 15

    november = _one(Rate.DELIVERY, w)
    december = _one(Rate.DELIVERY, w, month=DECEMBER)
    _assert(november, ("10.00", "10.00"), (1, 1))
    _assert(december, ("20.00", "20.00"), (1, 1))


def test_slices_group_by_district_supplier_and_category_r_five_rates():
    """Two hospitals in two districts, two suppliers: each slice kind sums its own rows, and
    a region prefix keeps Shanghai's hospital out of Nanjing's figures."""
    w = make_rates_world()
    on_time = order_line(w, quantity=1, price="10.00", submitted_at=at(10))
    ship(on_time, quantity=1, shipped_at=at(11))
    late = order_line(
        w,
        quantity=1,
        price="30.00",
        submitted_at=at(10),
        hospital=w.other_hospital,
        supplier=w.other_supplier,
    )
    ship(late, quantity=1, shipped_at=at(20))
    far = order_line(w, quantity=1, price="50.00", submitted_at=at(10), hospital=w.far_hospital)
    ship(far, quantity=1, shipped_at=at(11))

    by_district = _figures(Rate.DELIVERY, kind=SliceKind.DISTRICT, region_prefix="3201")
    assert set(by_district) == {"320106", "320102"}
    _assert(by_district["320102"], ("0.00", "30.00"), (0, 1))
    by_region = _figures(Rate.DELIVERY, kind=SliceKind.REGION)
    _assert(by_region["320100"], ("10.00", "40.00"), (1, 2))
    _assert(by_region["310100"], ("50.00", "50.00"), (1, 1))
    by_supplier = _figures(Rate.DELIVERY, kind=SliceKind.SUPPLIER, region_prefix="3201")
    _assert(by_supplier[str(w.supplier.pk)], ("10.00", "10.00"), (1, 1))
    by_category = _figures(Rate.DELIVERY, kind=SliceKind.CATEGORY, region_prefix="3201")
    category = on_time.consumable.category_l1
    assert sum(f.count_denominator for f in by_category.values()) == 2
    assert category in by_category


def test_a_rate_with_a_later_policy_deadline_counts_by_it_r_five_rates():
    """The region's policy sets the window: 72 delivery hours make a 60-hour delivery timely."""
    from core.policy import RegionPolicy

    w = make_rates_world()
    line = order_line(w, quantity=1, price="10.00", submitted_at=at(10))
    ship(line, quantity=1, shipped_at=at(12, 22))
    _assert(_one(Rate.DELIVERY, w), ("0.00", "10.00"), (0, 1))
    RegionPolicy.objects.create(region_code="320100", delivery_deadline_hours=72)
    _assert(_one(Rate.DELIVERY, w), ("10.00", "10.00"), (1, 1))


def test_hospitals_sharing_a_district_count_each_amount_once_r_five_rates():
    """Three hospitals in 320106 (the world's and two more without orders): a 10.00 line on
    time and a 30.00 line late count 10 / 40 by amount, not once per hospital of the district
    (the districts' policies are read once each)."""
    w = make_rates_world()
    HospitalFactory(region_code="320106", name="鼓楼二院")
    HospitalFactory(region_code="320106", name="鼓楼三院")
    on_time = order_line(w, quantity=1, price="10.00", submitted_at=at(10))
    ship(on_time, quantity=1, shipped_at=at(11))
    late = order_line(w, quantity=1, price="30.00", submitted_at=at(10))
    ship(late, quantity=1, shipped_at=at(20))

    _assert(_one(Rate.DELIVERY, w), ("10.00", "40.00"), (1, 2))
    by_district = _figures(Rate.DELIVERY, kind=SliceKind.DISTRICT)
    _assert(by_district["320106"], ("10.00", "40.00"), (1, 2))
