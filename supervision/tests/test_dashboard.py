"""The bureau dashboard (supervision.selectors.dashboard, docs/dashboard.md): each tile on a
hand-computed fixture, the district breakdown, the drill-down counts, tenancy refusals, bad
input, the API against the page, and the number of queries.

The November 2026 fixture (Asia/Shanghai), bureau of Nanjing (320100):

====  ==========  ============================  =========  ==========  ==================
line  hospital    submitted (local)             qty x price amount     reference price
====  ==========  ============================  =========  ==========  ==================
L1    鼓楼 320106  Nov 5 10:00, shipped Nov 6    10 x 100   1,000.00    120.00 (1,200.00)
L2    玄武 320102  Nov 30 23:30                   2 x 50      100.00    none
L3    鼓楼 320106  Oct 31 23:30 (October)          3 x 100     300.00    none
L4    黄浦 310101  Nov 10 (outside Nanjing)        5 x 100     500.00    none
L5    鼓楼 320106  Nov 7, order cancelled          1 x 999     999.00    none
====  ==========  ============================  =========  ==========  ==================

Off the platform: an emergency purchase of 鼓楼 on Nov 8 for 400.00; a usage record of 鼓楼 on
Nov 12 of a product it never bought, 2 charged at 50.00 (100.00); a usage record of L1's
product (bought on the platform: not off it).

- platform purchases: L1 + L2 = 1,100.00 in 2 orders (L3 is October's, L4 outside, L5
  cancelled);
- on-platform share: 1,100.00 / (1,100.00 + 400.00 + 100.00) = 0.6875;
- savings: 1,200.00 - 1,000.00 = 200.00, 200 / 1,200 = 0.1667;
- delivery rate (48 h deadline): L3's deadline Nov 2 (not shipped), L1's Nov 7 (shipped whole
  Nov 6), L2's Dec 2 (December): 1,000.00 / 1,300.00 = 0.7692 by amount, 1 of 2 by count;
- by district: 320106 1,000.00 platform, 500.00 off, 0.6667; 320102 100.00, nothing off, 1.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from catalog.tests.factories import ConsumableFactory, ReferencePriceFactory
from core import clock
from procurement.models import EmergencyPurchase, Order
from procurement.tests.factories import UsageRecordFactory
from settlement.selectors.fund_view import Period, fund_view
from supervision.selectors import dashboard as selectors
from supervision.tests.rates_world import at, make_rates_world, order_line, ship

pytestmark = pytest.mark.django_db

NOW = at(30, 23, 50)


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        w = make_rates_world()
        l1 = order_line(w, quantity=10, price="100.00", submitted_at=at(5))
        ReferencePriceFactory(consumable=l1.consumable, price=Decimal("120.00"))
        ship(l1, quantity=10, shipped_at=at(6))
        order_line(
            w, quantity=2, price="50.00", submitted_at=at(30, 23, 30), hospital=w.other_hospital
        )
        order_line(w, quantity=3, price="100.00", submitted_at=at(31, 23, 30, month=10))
        order_line(w, quantity=5, price="100.00", submitted_at=at(10), hospital=w.far_hospital)
        l5 = order_line(w, quantity=1, price="999.00", submitted_at=at(7), status="cancelled")
        Order.objects.filter(pk=l5.order_id).update(status="cancelled")
        EmergencyPurchase.objects.create(
            hospital=w.hospital,
            bought_on=dt.date(2026, 11, 8),
            reason="抢救",
            approver_name="王院长",
            approver_role="院长",
            amount=Decimal("400.00"),
            deadline=dt.date(2026, 11, 15),
            registered_on=dt.date(2026, 11, 9),
            cap=Decimal("10000.00"),
            used_before=Decimal("0.00"),
            registered_by=w.purchaser,
            registered_at=at(9),
        )
        UsageRecordFactory(
            hospital=w.hospital,
            consumable=ConsumableFactory(),
            quantity=2,
            charged_price=Decimal("50.00"),
            used_at=at(12),
        )
        UsageRecordFactory(
            hospital=w.hospital,
            consumable=l1.consumable,
            quantity=1,
            charged_price=Decimal("100.00"),
            used_at=at(12),
        )
        w.l1 = l1
        yield w


def _tiles(board) -> dict:
    return {tile.key: tile for tile in board.tiles}


def test_on_platform_share_tile_r_dash_online(world):
    """1,100.00 / (1,100.00 + 400.00 + 100.00) = 0.6875, over 2 orders."""
    tiles = _tiles(selectors.dashboard(actor=world.bureau))
    share = tiles["online_share"]
    assert share.value == Decimal("0.6875")
    assert share.extra == {"platform": Decimal("1100.00"), "off_platform": Decimal("500.00")}
    assert share.count == 2
    assert tiles["purchases"].value == Decimal("1100.00")


def test_savings_tile_against_reference_prices_r_dash_savings(world):
    """10 x (120.00 - 100.00) = 200.00 of 1,200.00 at reference prices: 0.1667."""
    savings = _tiles(selectors.dashboard(actor=world.bureau))["savings"]
    assert savings.value == Decimal("200.00")
    assert savings.extra == {"share": Decimal("0.1667"), "reference": Decimal("1200.00")}


def test_delivery_rate_tile_uses_the_five_rates_r_five_rates(world):
    """L3 late, L1 on time: 1,000.00 / 1,300.00 = 0.7692; 2 lines counted; target 0.90."""
    delivery = _tiles(selectors.dashboard(actor=world.bureau))["rate_delivery"]
    assert delivery.value == Decimal("0.7692")
    assert delivery.count == 2
    assert delivery.target == Decimal("0.9000")
    assert delivery.below_target


def test_district_breakdown_and_district_filter_r_dash_online(world):
    """320106: 1,000.00 / 1,500.00 = 0.6667; 320102: 100.00 / 100.00 = 1."""
    board = selectors.dashboard(actor=world.bureau)
    rows = board.districts
    assert set(rows) == {"320106", "320102"}
    assert (rows["320106"].platform, rows["320106"].off_platform) == (
        Decimal("1000.00"),
        Decimal("500.00"),
    )
    assert rows["320106"].online_share == Decimal("0.6667")
    assert rows["320102"].online_share == Decimal("1.0000")
    assert rows["320106"].delivery.amount_rate == Decimal("0.7692")
    only = _tiles(selectors.dashboard(actor=world.bureau, district="320102"))
    assert only["online_share"].value == Decimal("1.0000")
    assert only["purchases"].value == Decimal("100.00")
    assert only["online_share"].count == 1


def test_other_months_and_the_month_boundary_in_shanghai(world):
    """October holds L3 alone (submitted Oct 31 23:30 local, Oct 31 15:30 UTC)."""
    with time_machine.travel(NOW, tick=False):
        october = _tiles(selectors.dashboard(actor=world.bureau, month="2026-10"))
    assert october["purchases"].value == Decimal("300.00")
    assert october["online_share"].value == Decimal("1.0000")


def test_trend_ends_with_the_month_and_carries_twelve_months(world):
    trend = selectors.dashboard(actor=world.bureau).trend
    assert len(trend) == 12
    assert trend[-1] == {
        "month": "2026-11",
        "platform": Decimal("1100.00"),
        "savings": Decimal("200.00"),
        "online_share": Decimal("0.6875"),
    }
    assert trend[-2]["month"] == "2026-10"
    assert trend[-2]["platform"] == Decimal("300.00")
    assert trend[0]["month"] == "2025-12"
    assert trend[0]["online_share"] is None


def test_rankings_by_amount_and_by_rate(world):
    rankings = selectors.dashboard(actor=world.bureau).rankings
    assert [(r["name"], r["value"]) for r in rankings["hospitals_by_amount"]] == [
        ("鼓楼医院", Decimal("1000.00")),
        ("玄武医院", Decimal("100.00")),
    ]
    assert [r["value"] for r in rankings["hospitals_by_rate"]] == [Decimal("0.7692")]
    assert [r["value"] for r in rankings["suppliers_by_amount"]] == [Decimal("1100.00")]


def test_direct_settlement_tile_is_the_fund_views_ratio_r_direct(world):
    """No supplier payment in November: no ratio (not 0%), the region's 50% goal."""
    tile = _tiles(selectors.dashboard(actor=world.agency))["direct_settlement"]
    view = fund_view(actor=world.agency, period=Period(dt.date(2026, 11, 1), clock.local_today()))
    assert (tile.value, tile.target, tile.count) == (None, Decimal("0.5000"), 0)
    assert (view.ratio, view.goal, view.direct_count) == (tile.value, tile.target, tile.count)
    assert "start=2026-11-01" in tile.url


# --- drill-down -------------------------------------------------------------------------------


def test_drill_down_orders_list_shows_the_counted_orders(world, client):
    """The tile counts 2 orders; the list it links to shows those 2 (page and API)."""
    client.force_login(world.bureau)
    with time_machine.travel(NOW, tick=False):
        board = selectors.dashboard(actor=world.bureau)
        tile = _tiles(board)["online_share"]
        page = client.get(tile.url)
        api = client.get(tile.url.replace("/procurement/", "/api/v1/procurement/"))
        district = board.districts["320106"]
        district_page = client.get(district.orders_url)
    assert page.status_code == 200
    shown = {order.pk for order in page.context["page"]}
    assert len(shown) == tile.count == 2
    assert {row["id"] for row in api.json()["results"]} == shown
    assert [o.pk for o in district_page.context["page"]] == [world.l1.order_id]
    assert district.orders == 1


def test_drill_down_five_rates_and_contracts_links(world, client):
    client.force_login(world.bureau)
    tiles = _tiles(selectors.dashboard(actor=world.bureau))
    with time_machine.travel(NOW, tick=False):
        rates = client.get(tiles["rate_delivery"].url)
        contracts = client.get(tiles["vbp_progress"].url)
    assert rates.status_code == 200
    assert contracts.status_code == 200
    assert len(list(contracts.context["page"])) == tiles["vbp_progress"].count == 0


def test_bad_month_on_the_orders_list_is_refused_naming_it(world, client):
    client.force_login(world.bureau)
    response = client.get("/api/v1/procurement/orders/?month=2026-13")
    assert response.status_code == 400
    assert "month" in response.json()["extra"]["fields"]
    response = client.get("/api/v1/procurement/orders/?district=abc")
    assert response.status_code == 400
    assert "district" in response.json()["extra"]["fields"]


# --- tenancy and bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("month=2026-13", 400, "month"),
        ("month=2027-01", 400, "month"),
        ("month=nov", 400, "month"),
        ("district=3201", 400, "district"),
        ("rate=speed", 400, "rate"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(world, client, query, status, field):
    client.force_login(world.bureau)
    with time_machine.travel(NOW, tick=False):
        response = client.get(f"/api/v1/supervision/dashboard/?{query}")
    assert response.status_code == status
    assert field in response.json()["extra"]["fields"]


def test_a_district_outside_the_jurisdiction_is_refused(world, client):
    client.force_login(world.bureau)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/api/v1/supervision/dashboard/?district=310101")
    assert response.status_code == 403
    assert response.json()["code"] == "dashboard_district_refused"
    assert "310101" in response.json()["message"]


def test_a_regulator_sees_only_its_jurisdiction(world):
    """黄浦's L4 (Shanghai) is counted for the platform administrator, not for Nanjing."""
    with time_machine.travel(NOW, tick=False):
        nanjing = _tiles(selectors.dashboard(actor=world.bureau))["purchases"].value
        platform = _tiles(selectors.dashboard(actor=world.admin))["purchases"].value
    assert (nanjing, platform) == (Decimal("1100.00"), Decimal("1600.00"))


def test_hospitals_and_suppliers_get_their_own_rates_not_the_dashboard(world, client):
    client.force_login(world.purchaser)
    with time_machine.travel(NOW, tick=False):
        refused = client.get("/api/v1/supervision/dashboard/")
        own = client.get("/api/v1/supervision/dashboard/own/")
        region = client.get("/api/v1/supervision/dashboard/own/?kind=district&key=320106")
        other = client.get(
            f"/api/v1/supervision/dashboard/own/?kind=hospital&key={world.other_hospital.pk}"
        )
        page = client.get(reverse("supervision:dashboard_own"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert own.status_code == 200
    (mine,) = own.json()["rows"]
    assert mine["key"] == str(world.hospital.pk)
    delivery = next(r for r in mine["rates"] if r["rate"] == "delivery")
    assert delivery["amount_rate"] == "0.7692"
    assert mine["rank"]["delivery"] == 1
    assert region.status_code == 403
    assert region.json()["code"] == "five_rates_slice_refused"
    assert other.status_code == 404
    assert page.status_code == 200
    assert b"data-own-rate" in page.content


# --- page, API, home ---------------------------------------------------------------------------


def test_api_matches_the_page(world, client):
    client.force_login(world.bureau)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("supervision:dashboard"))
        api = client.get("/api/v1/supervision/dashboard/").json()
    assert page.status_code == 200
    shown = {tile.key: (tile.value, tile.count, tile.url) for tile in page.context["tiles"]}
    given = {
        tile["key"]: (
            None if tile["value"] is None else Decimal(tile["value"]),
            tile["count"],
            tile["url"],
        )
        for tile in api["tiles"]
    }
    assert shown == given
    assert [d["district"] for d in api["districts"]] == ["320102", "320106"]
    assert b'id="trend-chart"' in page.content
    assert b"dashboard-data" in page.content


def test_the_bureaus_home_loads_the_dashboard_panel(world, client):
    client.force_login(world.bureau)
    with time_machine.travel(NOW, tick=False):
        home = client.get(reverse("core:home"))
        panel = client.get(reverse("supervision:dashboard_panel"))
    assert b'data-panel="dashboard"' in home.content
    assert b'data-tile="online_share"' in panel.content
    assert b'data-card="' in home.content or b"data-panel" in home.content


def test_a_hospitals_home_loads_its_own_rates_panel(world, client):
    client.force_login(world.purchaser)
    home = client.get(reverse("core:home"))
    assert b'data-panel="own_rates"' in home.content
    assert b'data-panel="dashboard"' not in home.content


def test_the_figures_take_few_queries_whatever_the_rows(world, django_assert_max_num_queries):
    """Aggregates only: more orders, the same queries (no per-row loop)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(NOW, tick=False):
        with CaptureQueriesContext(connection) as before:
            board = selectors.dashboard(actor=world.bureau)
            _figures = (board.tiles, board.trend, board.rankings)
        for day in range(1, 8):
            order_line(world, quantity=1, price="10.00", submitted_at=at(day, 9))
        with django_assert_max_num_queries(len(before.captured_queries)):
            board = selectors.dashboard(actor=world.bureau)
            _figures = (board.tiles, board.trend, board.rankings)
    assert len(before.captured_queries) <= 50


def test_vbp_progress_tile_r_vbp_contract(client):
    """One contract in force, agreed 80 units, its cycle started 73 of 365 days ago; the
    hospital bought 10 and kept 3 of 5: done 13 / 80 = 0.1625 against 73 / 365 = 0.2000
    elapsed, so it lags."""
    from procurement.tests.award_world import bought, make_award_world, signed

    aw = make_award_world(cycle_start=clock.local_today() - dt.timedelta(days=73))
    contract = signed(aw)
    bought(aw, 10)
    bought(aw, 5, kept=3)
    assert (contract.cycle_end - contract.cycle_start).days == 365
    tile = _tiles(selectors.dashboard(actor=aw.officer))["vbp_progress"]
    assert (tile.value, tile.target, tile.count) == (Decimal("0.1625"), Decimal("0.2000"), 1)
    assert tile.extra == {"done": 13, "agreed": 80, "lagging": 1}
    assert tile.below_target
    client.force_login(aw.officer)
    assert [c.pk for c in client.get(tile.url).context["page"]] == [contract.pk]


def test_the_orders_list_says_how_many_orders_the_drill_down_shows(world, client):
    client.force_login(world.bureau)
    tile = _tiles(selectors.dashboard(actor=world.bureau))["purchases"]
    page = client.get(tile.url)
    assert f'data-drill-count="{tile.count}"'.encode() in page.content
    assert b'name="month" value="2026-11"' in page.content


def test_the_invoices_list_filters_by_month_and_district(world, client):
    """Invoices of 鼓楼 registered in November, of 玄武 in October: the filters pick each."""
    from procurement.models import Invoice
    from supervision.tests.rates_world import invoice

    mine = invoice(world.l1)
    other_line = order_line(
        world, quantity=1, price="10.00", submitted_at=at(3), hospital=world.other_hospital
    )
    theirs = invoice(other_line)
    Invoice.objects.filter(pk=mine.pk).update(registered_at=at(20))
    Invoice.objects.filter(pk=theirs.pk).update(registered_at=at(20, month=10))
    client.force_login(world.bureau)
    november = client.get("/procurement/invoices/?status=all&month=2026-11")
    gulou = client.get("/api/v1/procurement/invoices/?district=320106")
    bad = client.get("/api/v1/procurement/invoices/?month=11-2026")
    assert [i.pk for i in november.context["page"]] == [mine.pk]
    assert [row["id"] for row in gulou.json()["results"]] == [mine.pk]
    assert bad.status_code == 400
    assert "month" in bad.json()["extra"]["fields"]
