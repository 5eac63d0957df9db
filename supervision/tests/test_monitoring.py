"""Monthly monitoring [R-MONITOR] [R-PAY-30], retained savings [R-RETAINED] and products cut
in price against the target [R-CUTS-1000] (docs/monitoring.md): each figure on a hand-computed
fixture, month and year boundaries in Asia/Shanghai, tenancy and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import ReferencePriceCut
from catalog.tests.factories import ConsumableFactory, ReferencePriceFactory
from core import clock
from core.errors import DomainError, NotFoundError
from core.policy import RegionPolicy
from procurement.choices import ListingStatus
from procurement.tests.award_world import bought, make_award_world, signed
from procurement.tests.factories import AgreedPriceFactory, ListingFactory
from supervision.selectors import monitoring as selectors
from supervision.selectors import price_cuts, retained_savings
from supervision.tests.rates_world import (
    NOVEMBER,
    at,
    invoiced,
    make_rates_world,
    order_line,
    payment_request,
)

pytestmark = pytest.mark.django_db


def _paid(w, invoice, paid_at):
    """The invoice requested, approved, paid into escrow and settled to the supplier at
    ``paid_at``."""
    payment_request(
        w,
        invoice,
        requested_at=paid_at - dt.timedelta(days=3),
        approved_at=paid_at - dt.timedelta(days=2),
        paid_at=paid_at - dt.timedelta(days=1),
        settled_at=paid_at,
    )


def _payment_world():
    """November 2026, 鼓楼医院 (320106), 30-day payment deadline [R-PAY-30]:

    - I1 100.00 accepted 5 October, due 4 November, paid 4 November 22:00: on time, 30 days;
    - I2 200.00 accepted 10 October, due 9 November, paid 10 November: late, 31 days;
    - I3 300.00 accepted 20 October, due 19 November, unpaid: overdue;
    - I4 400.00 accepted 1 November 00:30 Shanghai (31 October 16:30 UTC), due 1 December:
      not due in November, not overdue at its end;
    - I0 50.00 accepted 1 September, due 1 October, unpaid: not due in November, but overdue
      at its end (the backlog);
    - 玄武医院 (320102): I5 70.00 accepted 10 October, due 9 November, unpaid;
    - 黄浦医院 (310101, outside Nanjing): I6 80.00 due 9 November, unpaid.

    鼓楼: due 600.00 (3), paid on time 100.00 (1), payment rate 100 / 600 = 16.67%, overdue
    unpaid 350.00 (2: I3, I0), average days to pay (30 + 31) / 2 = 30.5.
    """
    w = make_rates_world()
    i1 = invoiced(w, quantity=10, price="10.00", accepted_at=at(5, month=10))
    _paid(w, i1, at(4, 22))
    i2 = invoiced(w, quantity=5, price="40.00", accepted_at=at(10, month=10))
    _paid(w, i2, at(10))
    invoiced(w, quantity=3, price="100.00", accepted_at=at(20, month=10))
    invoiced(w, quantity=4, price="100.00", accepted_at=at(1, 0, 30))
    invoiced(w, quantity=1, price="50.00", accepted_at=at(1, month=9))
    invoiced(w, quantity=1, price="70.00", accepted_at=at(10, month=10), hospital=w.other_hospital)
    invoiced(w, quantity=1, price="80.00", accepted_at=at(10, month=10), hospital=w.far_hospital)
    return w


def test_payment_timeliness_per_hospital_r_monitor_r_pay_30(django_assert_max_num_queries):
    w = _payment_world()
    with django_assert_max_num_queries(6):
        table = selectors.monitoring_table(actor=w.bureau, month=NOVEMBER)
    rows = {r.hospital_id: r for r in table.rows}
    assert set(rows) == {w.hospital.pk, w.other_hospital.pk}  # not Shanghai's hospital
    p = rows[w.hospital.pk].payment
    assert (p.due_amount, p.due_count) == (Decimal("600.00"), 3)
    assert (p.on_time_amount, p.on_time_count) == (Decimal("100.00"), 1)
    assert p.payment_rate == Decimal("0.1667")
    assert (p.overdue_amount, p.overdue_count) == (Decimal("350.00"), 2)
    assert p.average_days_to_pay == Decimal("30.5")
    other = rows[w.other_hospital.pk].payment
    assert (other.due_amount, other.overdue_amount, other.overdue_count) == (
        Decimal("70.00"),
        Decimal("70.00"),
        1,
    )
    assert other.average_days_to_pay is None
    total = table.totals.payment
    assert (total.due_amount, total.overdue_amount) == (Decimal("670.00"), Decimal("420.00"))


def test_month_boundary_in_shanghai_r_monitor():
    """I4, accepted 1 November 00:30 Shanghai, is due 1 December: December's, not November's
    (in UTC it would have been accepted on 31 October and due 30 November)."""
    w = _payment_world()
    december = (
        selectors.monitoring_table(actor=w.purchaser, month=dt.date(2026, 12, 1)).rows[0].payment
    )
    assert (december.due_amount, december.due_count) == (Decimal("400.00"), 1)


def test_hospital_sees_only_its_own_row_r_monitor():
    w = _payment_world()
    table = selectors.monitoring_table(actor=w.purchaser, month=NOVEMBER)
    assert [r.hospital_id for r in table.rows] == [w.hospital.pk]
    with pytest.raises(NotFoundError):
        selectors.monitoring_table(actor=w.purchaser, month=NOVEMBER, hospital=w.other_hospital.pk)
    with pytest.raises(NotFoundError):
        selectors.monitoring_table(actor=w.bureau, month=NOVEMBER, hospital=w.far_hospital.pk)


def test_district_narrows_and_outside_is_refused_r_monitor():
    w = _payment_world()
    table = selectors.monitoring_table(actor=w.bureau, month=NOVEMBER, district="320102")
    assert [r.hospital_id for r in table.rows] == [w.other_hospital.pk]
    with pytest.raises(DomainError) as error:
        selectors.monitoring_table(actor=w.bureau, month=NOVEMBER, district="310101")
    assert error.value.code == "monitoring_parameter_invalid"
    assert error.value.extra["parameter"] == "district"


@pytest.mark.parametrize("month", ["2026-13", "26-11", "2026-1", "1999-12", "2999-01", "x"])
def test_bad_month_is_refused_naming_the_parameter_r_monitor(client, month):
    w = make_rates_world()
    client.force_login(w.bureau)
    response = client.get(reverse("api:supervision:monitoring"), {"month": month})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "monitoring_parameter_invalid"
    assert body["extra"]["parameter"] == "month"
    page = client.get(reverse("supervision:monitoring"), {"month": month})
    assert page.status_code == 400


def test_monitoring_page_api_and_export_r_monitor(client):
    w = _payment_world()
    client.force_login(w.bureau)
    page = client.get(reverse("supervision:monitoring"), {"month": "2026-11"})
    assert page.status_code == 200
    assert f'data-hospital="{w.hospital.pk}"' in page.content.decode()
    assert 'data-overdue="350.00"' in page.content.decode()
    api = client.get(reverse("api:supervision:monitoring"), {"month": "2026-11"}).json()
    row = next(r for r in api["rows"] if r["hospital_id"] == w.hospital.pk)
    assert row["payment"]["overdue_amount"] == "350.00"
    assert row["payment"]["payment_rate"] == "0.1667"
    export = client.get(reverse("supervision:monitoring"), {"month": "2026-11", "export": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(w.other_purchaser)
    api = client.get(
        reverse("api:supervision:monitoring"), {"month": "2026-11", "hospital": w.hospital.pk}
    )
    assert api.status_code == 404


# --- agreed-volume progress -------------------------------------------------------------------


def test_agreed_volume_progress_per_hospital_r_monitor():
    """Cycle of 400 days that started 40 days ago, agreed 80 (base 100 x 0.8), 7 bought this
    month: done 7 / 80 = 8.75% against an elapsed 40 / 400 = 10%: lagging. Last month (nothing
    bought yet) the contract counts with done 0."""
    today = clock.local_today()
    aw = make_award_world(cycle_start=today - dt.timedelta(days=40), cycle_days=400)
    contract = signed(aw)
    bought(aw, 7)
    month = today.replace(day=1)
    table = selectors.monitoring_table(actor=aw.officer, month=month)
    (row,) = table.rows
    assert row.hospital_id == aw.w.hospital.pk
    v = row.volume
    assert (v.contracts, v.agreed, v.done, v.lagging) == (1, 80, 7, 1)
    assert v.done_share == Decimal("0.0875")
    scope = selectors.monitoring_scope(actor=aw.w.purchaser)
    (line,) = selectors.contract_progress_list(month=month, scope=scope)
    assert line.pk == contract.pk
    assert (line.done, line.elapsed_days, line.cycle_days) == (7, 40, 400)
    assert selectors.elapsed_share(line) == Decimal("0.1000")
    assert selectors.is_lagging(line)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    (last,) = selectors.contract_progress_list(month=previous, scope=scope)
    assert last.done == 0
    assert last.elapsed_days == (month - contract.cycle_start).days


# --- retained savings -------------------------------------------------------------------------


def test_retained_savings_from_the_vbp_budget_r_retained(django_assert_max_num_queries):
    """A listed at 100.00 wins at 80.00; the hospital's contract: 80 units. It never bought A
    before the cycle, so the pre-tender price is the listed price the tender cut, 100.00.

    Budget 80 x 100.00 = 8,000.00; bought 10 at 80.00 = 800.00; savings 7,200.00; retained at
    the default share of 50% = 3,600.00, at a region share of 30% = 2,160.00.
    """
    aw = make_award_world()
    signed(aw)
    bought(aw, 10)
    year = clock.local_today().year
    with django_assert_max_num_queries(5):
        table = retained_savings.retained_savings_table(
            actor=aw.officer, year=year, with_contracts=True
        )
    (row,) = table.rows
    assert (row.budget, row.spend, row.savings) == (
        Decimal("8000.00"),
        Decimal("800.00"),
        Decimal("7200.00"),
    )
    assert (row.share, row.retained) == (Decimal("0.5000"), Decimal("3600.00"))
    (line,) = table.contracts
    assert (line.pre_price, line.price_source) == (Decimal("100.00"), "listing")
    RegionPolicy.objects.create(region_code="320100", retained_savings_share=Decimal("0.3"))
    assert retained_savings.retained_savings_totals(actor=aw.officer, year=year) == (
        Decimal("7200.00"),
        Decimal("2160.00"),
    )
    # The hospital sees its own; a year before the cycle shows nothing.
    own = retained_savings.retained_savings_table(actor=aw.w.purchaser, year=year)
    assert [r.hospital_id for r in own.rows] == [aw.w.hospital.pk]
    assert retained_savings.retained_savings_table(actor=aw.officer, year=year - 2).rows == []


def test_last_purchase_before_the_cycle_is_the_pre_tender_price_r_retained():
    """The hospital bought A at 95.00 before the cycle: budget 80 x 95.00 = 7,600.00, no spend
    yet: savings 7,600.00, retained 3,800.00."""
    aw = make_award_world()
    contract = signed(aw)
    w = make_rates_world()
    w.hospital = aw.w.hospital
    w._listings[(aw.w.listing.manufacturer_id, Decimal("95.00"))] = aw.w.listing
    line = order_line(
        w,
        quantity=2,
        price="95.00",
        submitted_at=dt.datetime.combine(
            contract.cycle_start - dt.timedelta(days=3), dt.time(10), tzinfo=clock.SHANGHAI
        ),
        supplier=aw.w.listing.manufacturer,
    )
    type(line).objects.filter(pk=line.pk).update(unit_price=Decimal("95.00"))
    table = retained_savings.retained_savings_table(
        actor=aw.officer, year=contract.cycle_start.year, with_contracts=True
    )
    (c,) = table.contracts
    assert (c.pre_price, c.price_source, c.budget) == (
        Decimal("95.00"),
        "purchase",
        Decimal("7600.00"),
    )
    assert table.rows[0].retained == Decimal("3800.00")


def test_bad_year_is_refused_r_retained(client):
    aw = make_award_world()
    client.force_login(aw.officer)
    for year in ("1999", "20x6", str(clock.local_today().year + 1)):
        response = client.get(reverse("api:supervision:retained_savings"), {"year": year})
        assert response.status_code == 400
        assert response.json()["extra"]["parameter"] == "year"


# --- price cuts -------------------------------------------------------------------------------


def test_products_cut_in_price_count_once_r_cuts_1000(django_assert_max_num_queries):
    """This year (Asia/Shanghai):

    - P1 listed at 100.00, lowered to 90.00, then to 85.00: one product, first cut 100 -> 90
      (listing);
    - P2 listed at 50.00, a Nanjing hospital's price agreed at 45.00 (agreed);
    - P3 reference price cut 30.00 -> 25.00 effective 1 January 00:30 Shanghai (31 December
      16:30 UTC: this year's);
    - not counted: P4 listed at 100.00 raised to 110.00; P5 a draft's price lowered; P6 a
      reference cut effective 31 December last year 23:30 Shanghai; P7 agreed below the list
      by a Shanghai hospital (outside the jurisdiction).

    3 products against the target of 1,000.
    """
    w = make_rates_world()
    year = clock.local_today().year
    p1 = ListingFactory(price=Decimal("100.00"))
    for price in ("90.00", "85.00"):
        p1.price = Decimal(price)
        p1.save()
    p2 = ListingFactory(price=Decimal("50.00"))
    AgreedPriceFactory(listing=p2, hospital=w.hospital, price=Decimal("45.00"))
    p3 = ConsumableFactory()
    ReferencePriceCut.objects.create(
        consumable=p3,
        reference_price=ReferencePriceFactory(consumable=p3, price=Decimal("25.00")),
        old_price=Decimal("30.00"),
        new_price=Decimal("25.00"),
        effective_at=dt.datetime(year, 1, 1, 0, 30, tzinfo=clock.SHANGHAI),
    )
    p4 = ListingFactory(price=Decimal("100.00"))
    p4.price = Decimal("110.00")
    p4.save()
    p5 = ListingFactory(price=Decimal("100.00"), status=ListingStatus.DRAFT)
    p5.price = Decimal("80.00")
    p5.save()
    p6 = ConsumableFactory()
    ReferencePriceCut.objects.create(
        consumable=p6,
        reference_price=ReferencePriceFactory(consumable=p6, price=Decimal("25.00")),
        old_price=Decimal("30.00"),
        new_price=Decimal("25.00"),
        effective_at=dt.datetime(year - 1, 12, 31, 23, 30, tzinfo=clock.SHANGHAI),
    )
    AgreedPriceFactory(
        listing=ListingFactory(price=Decimal("60.00")),
        hospital=w.far_hospital,
        price=Decimal("50.00"),
    )
    with django_assert_max_num_queries(1):
        rows = {r.pk: r for r in price_cuts.price_cut_list(w.bureau, year)}
    assert set(rows) == {p1.consumable_id, p2.consumable_id, p3.pk}
    one = rows[p1.consumable_id]
    assert (one.cut_source, one.old_price, one.new_price) == (
        "listing",
        Decimal("100.00"),
        Decimal("90.00"),
    )
    two = rows[p2.consumable_id]
    assert (two.cut_source, two.old_price, two.new_price) == (
        "agreed",
        Decimal("50.00"),
        Decimal("45.00"),
    )
    three = rows[p3.pk]
    assert (three.cut_source, three.cut_on) == ("reference", dt.date(year, 1, 1))
    assert price_cuts.price_cut_progress(w.bureau, year) == (3, 1000)
    last_year = {r.pk for r in price_cuts.price_cut_list(w.bureau, year - 1)}
    assert last_year == {p6.pk}


def test_tender_award_below_the_pre_tender_price_is_a_cut_r_cuts_1000():
    """A listed at 100.00 wins at 80.00: the award lowers the listing and the contract starts
    below the pre-tender price; one product, its first cut of the year."""
    aw = make_award_world()
    signed(aw)
    rows = list(price_cuts.price_cut_list(aw.officer, clock.local_today().year))
    mine = [r for r in rows if r.pk == aw.w.listing.consumable_id]
    assert len(mine) == 1
    assert (mine[0].old_price, mine[0].new_price) == (Decimal("100.00"), Decimal("80.00"))
    assert mine[0].cut_source in ("listing", "tender")


def test_price_cuts_are_the_regulators_r_cuts_1000(client):
    w = make_rates_world()
    client.force_login(w.purchaser)
    assert client.get(reverse("api:supervision:price_cuts")).status_code == 403
    client.force_login(w.bureau)
    page = client.get(reverse("supervision:price_cut_list"))
    assert page.status_code == 200
    assert "data-price-cut-progress" in page.content.decode()
    progress = client.get(reverse("api:supervision:price_cut_progress")).json()
    assert progress["target"] == 1000
    assert client.get(reverse("api:supervision:price_cuts"), {"year": "abc"}).status_code == 400
