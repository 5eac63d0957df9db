"""A hospital's drafts are its own business: a supplier (the manufacturer the order is
addressed to, or a distributor on it) never gets a draft through any read path.

The rule lives in one place, ``Order.tenant_q`` (procurement.models.orders.order_scope_q);
these tests go through every road a supplier reads orders by (the model scope of orders,
lines and change-feed events, the selectors, the order API, the pages and their XLSX export)
and check each against the hospital, which sees the same drafts, so that a denial cannot pass
because the draft was never there.
"""

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.errors import NotFoundError
from procurement.models import Event, Order, OrderLine
from procurement.selectors import orders as order_selectors
from procurement.services import orders
from procurement.tests.order_world import draft, make_world, promised, submitted

pytestmark = pytest.mark.django_db

API = "/api/v1/procurement"
SUPPLIERS = ["manufacturer", "distributor"]


@pytest.fixture
def world():
    """Two drafts, one cancelled before it was ever sent (its cancellation is a change-feed
    event addressed to the manufacturer), and one submitted order. Both drafts name the
    distributor, as a draft never does today, so that the distributor's case proves the rule
    rather than the absence of a link."""
    w = make_world()
    w.kept_draft = draft(w)
    w.cancelled_draft = draft(w)
    orders.order_cancel(actor=w.purchaser, order_id=w.cancelled_draft.pk, reason="买错了")
    w.sent = submitted(w)
    Order.objects.filter(pk__in=[w.kept_draft.pk, w.cancelled_draft.pk, w.sent.pk]).update(
        distributor=w.distributor
    )
    w.drafts = {w.kept_draft.pk, w.cancelled_draft.pk}
    return w


def supplier(w, who: str):
    return w.sales if who == "manufacturer" else w.distributor_sales


def test_the_hospital_sees_its_drafts_on_every_path_checked_here(world):
    """The other side of every test below: the same paths show the hospital its drafts."""
    w = world
    everything = w.drafts | {w.sent.pk}
    assert set(Order.objects.visible_to(w.purchaser).values_list("pk", flat=True)) == everything
    assert set(order_selectors.order_list(actor=w.purchaser).values_list("pk", flat=True)) == (
        everything
    )
    assert order_selectors.order_get(actor=w.purchaser, order_id=w.kept_draft.pk)
    assert Event.objects.visible_to(w.purchaser).filter(order_id=w.cancelled_draft.pk).exists()
    response = APIClient()
    response.force_authenticate(w.purchaser)
    assert response.get(f"{API}/orders/{w.kept_draft.pk}/").status_code == 200
    page = Client()
    page.force_login(w.purchaser)
    assert page.get(reverse("procurement:order_detail", args=[w.kept_draft.pk])).status_code == 200
    assert order_selectors.order_status_counts(actor=w.purchaser)["draft"] == 1


@pytest.mark.parametrize("who", SUPPLIERS)
def test_the_model_scope_never_holds_a_draft(world, who):
    w = world
    actor = supplier(w, who)
    assert set(Order.objects.visible_to(actor).values_list("pk", flat=True)) == {w.sent.pk}
    assert set(OrderLine.objects.visible_to(actor).values_list("order_id", flat=True)) == {
        w.sent.pk
    }
    feed = Event.objects.visible_to(actor).values_list("order_id", flat=True)
    assert w.cancelled_draft.pk not in set(feed)


@pytest.mark.parametrize("who", SUPPLIERS)
def test_the_selectors_never_return_a_draft(world, who):
    w = world
    actor = supplier(w, who)
    assert [o.pk for o in order_selectors.order_list(actor=actor)] == [w.sent.pk]
    for order_id in w.drafts:
        with pytest.raises(NotFoundError):
            order_selectors.order_get(actor=actor, order_id=order_id)
        assert not order_selectors.order_keys(actor=actor, order_id=order_id).exists()
    counts = order_selectors.order_status_counts(actor=actor)
    assert (counts["draft"], counts["cancelled"], counts["submitted"]) == (0, 0, 1)


@pytest.mark.parametrize("who", SUPPLIERS)
def test_the_order_api_answers_a_draft_as_missing(world, who):
    w = world
    client = APIClient()
    client.force_authenticate(supplier(w, who))
    listed = client.get(f"{API}/orders/").json()["results"]
    assert [o["id"] for o in listed] == [w.sent.pk]
    assert client.get(f"{API}/orders/", {"status": "draft"}).json()["results"] == []
    line = w.kept_draft.lines.get()
    for order_id in w.drafts:
        assert client.get(f"{API}/orders/{order_id}/").status_code == 404
    confirm = client.post(
        f"{API}/orders/{w.kept_draft.pk}/lines/{line.pk}/confirm/",
        {"promised_on": promised().isoformat()},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"draft-{who}",
    )
    assert confirm.status_code == 404


@pytest.mark.parametrize("who", SUPPLIERS)
def test_the_order_pages_and_their_export_leave_drafts_out(world, who):
    w = world
    page = Client()
    page.force_login(supplier(w, who))
    listing = page.get(reverse("procurement:order_list"))
    assert [o.pk for o in listing.context["page"]] == [w.sent.pk]
    assert listing.context["total_count"] == 1
    by_tab = page.get(reverse("procurement:order_list"), {"status": "cancelled"})
    assert list(by_tab.context["page"]) == []
    for order_id in w.drafts:
        assert page.get(reverse("procurement:order_detail", args=[order_id])).status_code == 404
    export = page.get(reverse("procurement:order_list"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [w.sent.number]
