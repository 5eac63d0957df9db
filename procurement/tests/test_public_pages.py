"""The public section (阳光公开) and the public API, without logging in [R-DISCLOSE].

A small world holds what may be published (reference prices in publicity and confirmed, a
listed product, a round in publicity with its payment standard) next to what may not (a
proposal, a price whose publicity starts tomorrow, a draft and a suspended listing, an opened
round whose publicity has not begun, a hospital's agreed price, its volumes, plan and order,
the people behind them). Each private value is a distinctive figure or name: the tests look
for it in every page's HTML, both exports and every API answer.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.tests.factories import HospitalFactory, OrganizationFactory, UserFactory
from catalog.choices import ReferencePriceStatus
from catalog.tests.factories import ConsumableFactory, ReferencePriceFactory
from core import clock
from core.policy import RegionPolicy
from procurement.choices import ListingStatus, PurchaseLabel, RoundStatus
from procurement.models import PaymentStandard
from procurement.tests import round_world
from procurement.tests.factories import (
    AgreedPriceFactory,
    AnnualPurchasePlanFactory,
    ListingFactory,
    OrderFactory,
    OrderLineFactory,
)

pytestmark = pytest.mark.django_db

PAGES = ("public:reference_prices", "public:listings", "public:tender_results")
API = (
    "api:public:reference_prices",
    "api:public:listings",
    "api:public:tender_rounds",
    "api:public:tender_results",
)


@dataclass
class PublicWorld:
    public: dict[str, str] = field(default_factory=dict)  # what must show, where
    private: list[str] = field(default_factory=list)  # what must never show
    hospital: object = None
    listing: object = None
    final: object = None


def make_public_world() -> PublicWorld:
    w = PublicWorld()
    today = clock.local_today()
    maker = OrganizationFactory(name="公开制造商甲")
    officer = round_world.bureau_officer()
    # People: none of their names or addresses may appear.
    reviewer = UserFactory(
        organization=officer.organization,
        roles=[Role.BUREAU_OFFICER],
        username="reviewer_zhao_9137",
        first_name="赵审核",
        email="zhao.reviewer@bureau.example",
    )
    w.private += ["reviewer_zhao_9137", "赵审核", "zhao.reviewer@bureau.example"]

    # Reference prices: in publicity since today, confirmed; a proposal, a flagged increase, a
    # withdrawn price and one whose publicity starts tomorrow stay private.
    ReferencePriceFactory(
        price=Decimal("811.11"),
        status=ReferencePriceStatus.PUBLICITY,
        publicity_starts_on=today,
        publicity_ends_on=today + dt.timedelta(days=7),
        note="内部备注-不公开",
    )
    ReferencePriceFactory(price=Decimal("822.22"))
    w.public.update(reference="811.11", confirmed="822.22")
    w.private.append("内部备注-不公开")
    for status, price in (
        (ReferencePriceStatus.PROPOSED, "911.11"),
        (ReferencePriceStatus.FLAGGED, "922.22"),
        (ReferencePriceStatus.WITHDRAWN, "933.33"),
    ):
        ReferencePriceFactory(price=Decimal(price), status=status)
        w.private.append(price)
    ReferencePriceFactory(
        price=Decimal("944.44"),
        status=ReferencePriceStatus.PUBLICITY,
        publicity_starts_on=today + dt.timedelta(days=1),
        publicity_ends_on=today + dt.timedelta(days=8),
    )
    w.private.append("944.44")

    # Listings: the listed one shows; a draft, one under review and a suspended one do not.
    w.listing = ListingFactory(
        manufacturer=maker,
        price=Decimal("711.11"),
        label=PurchaseLabel.PREFERRED,
        reviewed_by=reviewer,
        review_reason="审核意见-不公开",
    )
    w.public["listing"] = "711.11"
    w.private.append("审核意见-不公开")
    for status, price in (
        (ListingStatus.DRAFT, "722.22"),
        (ListingStatus.SUBMITTED, "733.33"),
        (ListingStatus.SUSPENDED, "744.44"),
    ):
        ListingFactory(manufacturer=maker, price=Decimal(price), status=status)
        w.private.append(price)

    # The hospital's own: its agreed price and volume, its plan, its order.
    w.hospital = HospitalFactory(name="私密医院乙", region_code="320106")
    purchaser = UserFactory(
        organization=w.hospital,
        roles=[Role.HOSPITAL_PURCHASER],
        username="buyer_qian_5521",
        email="qian@hospital.example",
    )
    AgreedPriceFactory(
        listing=w.listing, hospital=w.hospital, price=Decimal("655.55"), annual_volume=98765
    )
    AnnualPurchasePlanFactory(hospital=w.hospital, total=Decimal("8765432.10"))
    order = OrderFactory(hospital=w.hospital, supplier=maker, created_by=purchaser)
    OrderLineFactory(order=order, listing=w.listing, quantity=4321, unit_price=Decimal("699.99"))
    w.private += [
        "655.55",
        "98765",
        "8765432.10",
        "8,765,432.10",
        "4321",
        "699.99",
        "私密医院乙",
        "buyer_qian_5521",
        "qian@hospital.example",
    ]

    # Tender results: a round in publicity with its payment standard shows; a round opened
    # whose publicity has not begun does not.
    product = ConsumableFactory(manufacturer=maker)
    w.final = round_world.final_round(
        officer, consumables=[product], status=RoundStatus.PUBLICITY, name="公示中的带量采购"
    )
    round_world.result(w.final, product, price="611.11", rank=1, won=True)
    group = round_world.first_group(w.final)
    PaymentStandard.objects.create(
        round=w.final,
        group=group,
        winner_price=Decimal("611.11"),
        non_winner_cap=Decimal("633.33"),
        valid_from=today,
        valid_to=today + dt.timedelta(days=365),
    )
    w.public.update(result="611.11", standard="633.33")
    opened = round_world.final_round(
        officer, consumables=[product], status=RoundStatus.OPENED, name="尚未公示的带量采购"
    )
    round_world.result(opened, product, price="622.22", rank=1, won=True)
    w.private += ["622.22", "尚未公示的带量采购"]
    return w


def _text(response) -> str:
    """What a response shows: HTML or JSON as text, a CSV stream, an XLSX's cell values."""
    assert response.status_code == 200, (response.status_code, response.content[:300])
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(io.BytesIO(response.content)).active
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for row in sheet.iter_rows(values_only=True)
        )
    return response.content.decode()


def _everything(client: Client, w: PublicWorld) -> dict[str, str]:
    seen = {"index": _text(client.get(reverse("public:index")))}
    for name in PAGES:
        seen[name] = _text(client.get(reverse(name)))
        for kind in ("csv", "xlsx"):
            seen[f"{name} {kind}"] = _text(client.get(reverse(name), {"export": kind}))
    seen["round"] = _text(client.get(reverse("public:tender_round", args=[w.final.pk])))
    for name in API:
        seen[name] = _text(client.get(reverse(name)))
    return seen


def test_r_disclose_public_pages_export_and_api_hide_private_and_unpublished_rows():
    """[R-DISCLOSE] Nothing before its publicity date, no hospital-private figure and no
    person, in any page, export or API answer; what is published does show (so the search
    for the private values looks where the public ones are)."""
    w = make_public_world()
    seen = _everything(Client(), w)
    leaks = [(where, value) for where, text in seen.items() for value in w.private if value in text]
    assert leaks == []
    assert w.public["reference"] in seen["public:reference_prices"]
    assert w.public["confirmed"] in seen["public:reference_prices csv"]
    assert w.public["listing"] in seen["public:listings"]
    assert w.public["listing"] in seen["api:public:listings"]
    assert w.public["result"] in seen["public:tender_results xlsx"]
    assert w.public["standard"] in seen["round"]
    assert w.public["standard"] in seen["api:public:tender_rounds"]
    assert w.public["result"] in seen["api:public:tender_results"]


def test_r_disclose_tender_results_appear_once_publicity_begins():
    w = make_public_world()
    client = Client()
    opened = w.final.__class__.objects.get(name="尚未公示的带量采购")
    assert client.get(reverse("public:tender_round", args=[opened.pk])).status_code == 404
    assert "622.22" not in _text(client.get(reverse("api:public:tender_results")))
    w.final.__class__.objects.filter(pk=opened.pk).update(status=RoundStatus.PUBLICITY)
    assert "622.22" in _text(client.get(reverse("public:tender_round", args=[opened.pk])))
    assert "622.22" in _text(client.get(reverse("api:public:tender_results")))


def test_r_disclose_policy_switch_publishes_agreed_prices_of_its_region_only():
    """[R-DISCLOSE] Off by default; a region policy that publishes agreed prices shows its
    hospitals' (price, hospital, validity), never their volume; another region's stay private."""
    w = make_public_world()
    elsewhere = HospitalFactory(name="外地医院丙", region_code="110105")
    AgreedPriceFactory(listing=w.listing, hospital=elsewhere, price=Decimal("644.44"))
    client = Client()
    assert "655.55" not in _text(client.get(reverse("public:listings")))
    RegionPolicy.objects.create(region_code="320100", disclose_hospital_agreed_prices=True)
    page = _text(client.get(reverse("public:listings")))
    export = _text(client.get(reverse("public:listings"), {"export": "csv"}))
    api = json.loads(_text(client.get(reverse("api:public:listings"))))
    for text in (page, export):
        assert "655.55" in text
        assert "私密医院乙" in text
        assert "644.44" not in text
        assert "98765" not in text
    [row] = [r for r in api["results"] if r["id"] == w.listing.pk]
    assert row["agreed_prices"] == [
        {
            "hospital_name": "私密医院乙",
            "price": "655.55",
            "valid_from": str(clock.local_today() - dt.timedelta(days=30)),
            "valid_until": str(clock.local_today() + dt.timedelta(days=335)),
        }
    ]
    # A district that says otherwise wins over its city (the nearest enclosing region).
    RegionPolicy.objects.create(region_code="320106", disclose_hospital_agreed_prices=False)
    assert "655.55" not in _text(client.get(reverse("public:listings")))


def test_r_disclose_anonymous_visitor_reaches_every_part_from_the_login_page():
    make_public_world()
    client = Client()
    login = client.get(reverse("accounts:login")).content.decode()
    assert reverse("public:index") in login
    index = client.get(reverse("public:index")).content.decode()
    for name in PAGES:
        assert reverse(name) in index
    api = client.get(reverse("api:public:reference_prices"))
    assert api.status_code == 200
    assert api.json()["count"] == 2
    # GET only.
    assert client.post(reverse("api:public:listings")).status_code == 405
    assert client.post(reverse("public:listings")).status_code == 405


def test_r_disclose_search_and_filters_narrow_the_rows():
    w = make_public_world()
    other = ListingFactory(price=Decimal("755.55"), label=PurchaseLabel.RESTRICTED)
    client = Client()
    code = w.listing.consumable.code
    page = client.get(reverse("public:listings"), {"code": code}).content.decode()
    assert "711.11" in page
    assert "755.55" not in page
    page = client.get(reverse("public:listings"), {"label": "restricted"}).content.decode()
    assert "755.55" in page
    assert "711.11" not in page
    api = client.get(reverse("api:public:listings"), {"label": "restricted"}).json()
    assert [r["id"] for r in api["results"]] == [other.pk]
    page = client.get(reverse("public:reference_prices"), {"status": "publicity"})
    assert "811.11" in page.content.decode()
    assert "822.22" not in page.content.decode()
    results = client.get(reverse("api:public:tender_results"), {"won": "true"}).json()
    assert [r["price"] for r in results["results"]] == ["611.11"]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("public:reference_prices", {"status": "proposed"}),
        ("public:reference_prices", {"q": "x" * 101}),
        ("public:reference_prices", {"export": "pdf"}),
        ("public:listings", {"label": "best"}),
        ("public:listings", {"catalogue": "x"}),
        ("public:listings", {"code": "C" * 40}),
        ("public:tender_results", {"round": "abc"}),
        ("public:tender_results", {"round": "99999999999999999999999"}),
        ("public:tender_results", {"won": "maybe"}),
        ("api:public:reference_prices", {"status": "withdrawn"}),
        ("api:public:reference_prices", {"page": "abc"}),
        ("api:public:listings", {"label": "best"}),
        ("api:public:listings", {"page_size": "x", "page": "0"}),
        ("api:public:tender_results", {"round": "abc"}),
        ("api:public:tender_results", {"round": "99999999999999999999999"}),
        ("api:public:tender_results", {"won": "maybe"}),
    ],
)
def test_r_disclose_malformed_query_parameters_are_4xx(name, params):
    response = Client().get(reverse(name), params)
    assert 400 <= response.status_code < 500
    if name.startswith("api:"):
        assert set(response.json()) == {"code", "message", "extra"}


def test_r_disclose_unknown_round_is_404():
    client = Client()
    assert client.get(reverse("public:tender_round", args=[10**30])).status_code == 404
    assert client.get(reverse("public:tender_round", args=[999999])).status_code == 404


@override_settings(PUBLIC_EXPORT_MAX_ROWS=1)
def test_r_disclose_export_is_capped():
    make_public_world()
    response = Client().get(reverse("public:reference_prices"), {"export": "csv"})
    assert response.status_code == 400
    assert 'data-error-code="export_too_large"' in response.content.decode()
    one = Client().get(reverse("public:reference_prices"), {"export": "csv", "status": "publicity"})
    assert "811.11" in _text(one)


@override_settings(PUBLIC_PAGE_RATE="3/m")
def test_r_disclose_page_rate_limit_gives_429_then_resets():
    client = Client()
    start = clock.now()
    with time_machine.travel(start, tick=False):
        for name in ("public:index", "public:listings", "public:reference_prices"):
            assert client.get(reverse(name)).status_code == 200
        limited = client.get(reverse("public:tender_results"))
        assert limited.status_code == 429
        assert 1 <= int(limited["Retry-After"]) <= 60
        assert limited.json()["code"] == "rate_limited"
        page = client.get(reverse("public:index"), HTTP_ACCEPT="text/html")
        assert page.status_code == 429
        assert 'data-error-code="rate_limited"' in page.content.decode()
        # Another address has its own allowance.
        assert client.get(reverse("public:index"), REMOTE_ADDR="10.0.0.9").status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert client.get(reverse("public:index")).status_code == 200


@override_settings(PUBLIC_API_RATE="2/m")
def test_r_disclose_api_rate_limit_gives_429_then_resets():
    client = Client()
    url = reverse("api:public:reference_prices")
    start = clock.now()
    with time_machine.travel(start, tick=False):
        assert client.get(url).status_code == 200
        assert client.get(reverse("api:public:listings")).status_code == 200
        limited = client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7")
        assert limited.status_code == 429
        assert limited.json()["code"] == "throttled"
        assert set(limited.json()) == {"code", "message", "extra"}
        assert 1 <= int(limited["Retry-After"]) <= 60
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert client.get(url).status_code == 200
