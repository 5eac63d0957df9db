"""The demo's bureau dashboard shows real figures: last month (the demo's busiest) has every
tile filled, the current month has purchases; each drill-down list shows the rows counted."""

import datetime as dt

import pytest
from django.core.management import call_command

from accounts import demo as accounts_demo
from accounts.models import User
from catalog import demo as catalog_demo
from core import clock
from procurement import demo as procurement_demo
from settlement import demo as settlement_demo
from supervision import demo, demo_alerts, demo_five_rates, demo_usage_alerts
from supervision.selectors import dashboard as selectors

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            accounts_demo.seed()
            catalog_demo.seed()
            procurement_demo.seed()
            settlement_demo.seed()
            demo.seed()
            demo_five_rates.seed()
            demo_usage_alerts.seed()
            demo_alerts.seed()
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _last_month() -> str:
    return f"{clock.local_today().replace(day=1) - dt.timedelta(days=1):%Y-%m}"


def test_last_months_dashboard_has_every_tile_filled(seeded, client):
    bureau = User.objects.get(username="bureau")
    board = selectors.dashboard(actor=bureau, month=_last_month())
    empty = [tile.key for tile in board.tiles if tile.value is None]
    assert empty == []
    purchases = next(tile for tile in board.tiles if tile.key == "purchases")
    assert purchases.value > 0
    client.force_login(bureau)
    page = client.get(purchases.url + "&page_size=100")
    assert len(list(page.context["page"])) == purchases.count
    assert page.context["drill_count"] == purchases.count
    assert len(board.districts) > 1
    assert any(row["platform"] > 0 for row in board.trend[:-1])


def test_the_current_month_has_purchases(seeded):
    bureau = User.objects.get(username="bureau")
    tiles = {tile.key: tile for tile in selectors.dashboard(actor=bureau).tiles}
    assert tiles["purchases"].value > 0
    assert tiles["online_share"].value is not None


def test_the_alert_price_cut_and_retained_savings_tiles_match_their_lists(seeded, client):
    """[R-CUTS-1000] [R-RETAINED] the tiles added to the dashboard count what their lists show:
    the open alerts (the alert list filtered on open), the products cut in price this year
    against the target of 1,000, and the VBP budgets' retained savings."""
    bureau = User.objects.get(username="bureau")
    tiles = {tile.key: tile for tile in selectors.dashboard(actor=bureau).tiles}
    client.force_login(bureau)
    alerts = tiles["alerts_open"]
    assert alerts.value == alerts.count >= 3
    listed = client.get(alerts.url)
    assert listed.context["page"].paginator.count == alerts.count
    cuts = tiles["price_cuts"]
    assert (cuts.value > 0, cuts.target) == (True, 1000)
    assert cuts.below_target
    assert client.get(cuts.url).status_code == 200
    assert tiles["retained_savings"].value > 0
    assert client.get(tiles["retained_savings"].url).status_code == 200
