"""The alert pages and API [R-MISCONDUCT]: the list with its filters, the detail page with
its evidence linked to the pages behind it and the buttons ``alert_actions`` allows, the
rule form and API refusing a parameter out of range (400 naming it and its range), and
404 for anyone but the regulators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.tests.helpers import browser, client_for
from supervision.models import AlertRule
from supervision.tests.test_alerts_workflow import W

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return W()


def test_the_bureau_reads_filters_and_acknowledges_an_alert_on_its_pages(w):
    alert = w.raise_rise()
    client = browser(w.bureau)
    page = client.get(reverse("supervision:alert_list"), {"rule": "price_rise", "status": "open"})
    assert [a.pk for a in page.context["page"]] == [alert.pk]
    none = client.get(reverse("supervision:alert_list"), {"status": "dismissed"})
    assert list(none.context["page"]) == []
    detail = client.get(reverse("supervision:alert_detail", args=[alert.pk])).content.decode()
    assert reverse("procurement:listing_detail", args=[w.listing.pk]) in detail
    assert "data-acknowledge" in detail
    assert "data-dismiss" in detail
    done = client.post(reverse("supervision:alert_act", args=[alert.pk, "acknowledge"]))
    assert done.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.assignee) == ("acknowledged", w.bureau)
    detail = client.get(reverse("supervision:alert_detail", args=[alert.pk])).content.decode()
    assert "data-acknowledge" not in detail


def test_others_are_refused_the_lists_and_get_404_for_an_alert(w):
    alert = w.raise_rise()
    for url in (reverse("supervision:alert_list"), reverse("supervision:alert_rule_list")):
        assert browser(w.sales).get(url).status_code == 403
    assert (
        browser(w.sales).get(reverse("supervision:alert_detail", args=[alert.pk])).status_code
        == 404
    )
    assert (
        browser(w.elsewhere).get(reverse("supervision:alert_detail", args=[alert.pk])).status_code
        == 404
    )
    assert client_for(w.sales).get("/api/v1/supervision/alerts/").status_code == 403
    assert client_for(w.sales).get(f"/api/v1/supervision/alerts/{alert.pk}/").status_code == 404


def test_the_api_lists_details_and_dismisses_with_evidence(w):
    alert = w.raise_rise()
    api = client_for(w.bureau)
    listed = api.get("/api/v1/supervision/alerts/", {"severity": "high"}).json()
    assert [a["id"] for a in listed["results"]] == [alert.pk]
    body = api.get(f"/api/v1/supervision/alerts/{alert.pk}/").json()
    assert body["evidence"][0]["link"] == reverse("procurement:listing_detail", args=[w.listing.pk])
    refused = api.post(
        f"/api/v1/supervision/alerts/{alert.pk}/dismiss/", {"reason": ""}, format="json"
    )
    assert refused.status_code == 400
    done = api.post(
        f"/api/v1/supervision/alerts/{alert.pk}/dismiss/", {"reason": "合理涨价"}, format="json"
    )
    assert done.json()["status"] == "dismissed"
    again = api.post(
        f"/api/v1/supervision/alerts/{alert.pk}/dismiss/", {"reason": "合理涨价"}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")


def test_a_parameter_out_of_range_is_refused_by_the_form_and_the_api(w):
    api = client_for(w.bureau)
    refused = api.patch(
        "/api/v1/supervision/alerts/rules/price_rise/",
        {"params": {"rise_pct": "150"}},
        format="json",
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "alert_rule_param_out_of_range"
    assert body["extra"]["param"] == "rise_pct"
    assert not AlertRule.objects.exists()
    page = browser(w.bureau).post(
        reverse("supervision:alert_rule_edit", args=["price_rise"]),
        {"rise_pct": "0", "max_rises": "2", "enabled": "1"},
    )
    assert page.status_code == 400
    assert "rise_pct" in page.content.decode()
    saved = api.patch(
        "/api/v1/supervision/alerts/rules/price_rise/",
        {"params": {"rise_pct": "15"}, "enabled": True},
        format="json",
    )
    assert saved.status_code == 200
    values = {p["name"]: p["value"] for p in saved.json()["params"]}
    assert values["rise_pct"] == "15.0000"
