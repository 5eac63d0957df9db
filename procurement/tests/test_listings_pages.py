"""Listing pages: the supplier's listings and application form, the bureau's review queue and
labels, agreed prices, the purchase plan; tenancy through the pages; XLSX exports."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import (
    HospitalFactory,
)
from catalog.tests.factories import ConsumableFactory, ReferencePriceFactory
from core import clock
from core.tests.helpers import browser
from procurement.choices import AgreedPriceStatus, ListingStatus, PurchaseLabel
from procurement.models import AnnualPurchasePlan, Listing
from procurement.services.listings import listing_update
from procurement.tests.factories import (
    AgreedPriceFactory,
    AnnualPurchasePlanFactory,
    ListingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("sales", "listing_list"),
        ("sales", "listing_create"),
        ("sales", "agreed_price_list"),
        ("purchaser", "listing_list"),
        ("purchaser", "agreed_price_list"),
        ("purchaser", "purchase_plan"),
        ("finance", "purchase_plan"),
        ("officer", "listing_list"),
        ("officer", "listing_review_queue"),
        ("officer", "listing_label_list"),
        ("officer", "agreed_price_list"),
        ("officer", "purchase_plan"),
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_render_for_their_roles(request, who, page, language, maker, hospital):
    ListingFactory(manufacturer=maker)
    ListingFactory(manufacturer=maker, status=ListingStatus.SUBMITTED)
    AnnualPurchasePlanFactory(hospital=hospital)
    client = browser(request.getfixturevalue(who))
    if language == "en":
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(reverse(f"procurement:{page}"))
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("sales", "listing_review_queue"),
        ("purchaser", "listing_label_list"),
        ("sales", "purchase_plan"),
        ("purchaser", "listing_create"),
        ("officer", "listing_create"),
    ],
)
def test_pages_refuse_the_wrong_role(request, who, page):
    response = browser(request.getfixturevalue(who)).get(reverse(f"procurement:{page}"))
    assert response.status_code == 403


def test_menu_shows_listing_entries_by_role(sales, officer):
    supplier_menu = browser(sales).get("/").content.decode()
    assert reverse("procurement:listing_list") in supplier_menu
    assert reverse("procurement:listing_review_queue") not in supplier_menu
    bureau_menu = browser(officer).get("/").content.decode()
    assert reverse("procurement:listing_review_queue") in bureau_menu
    assert reverse("procurement:listing_label_list") in bureau_menu


def test_only_the_owner_opens_the_edit_form(sales, officer, maker):
    draft = ListingFactory(manufacturer=maker, status=ListingStatus.DRAFT)
    path = reverse("procurement:listing_edit", args=[draft.pk])
    assert browser(sales).get(path).status_code == 200
    assert browser(officer).get(path).status_code == 403


def test_supplier_applies_through_the_form(sales, maker):
    product = ConsumableFactory(manufacturer=maker)
    response = browser(sales).post(
        reverse("procurement:listing_create"),
        {
            "consumable_code": product.code,
            "price": "¥1,280.00",
            "registration_number": product.registration_number,
            "green_channel": "",
            "province_11": "北京市医药阳光采购平台 GW-0001",
            "province_65": "新疆平台 https://example.cn/gw/2",
            "province_44": "  ",
            "companion_service": "on",
        },
    )
    listing = Listing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("procurement:listing_detail", args=[listing.pk])
    assert (listing.price, listing.companion_service, listing.status) == (
        Decimal("1280.00"),
        True,
        ListingStatus.DRAFT,
    )
    # [R-LIST-OTHER] the provinces with evidence, counted; an empty box names none.
    assert listing.provinces_listed == 2
    assert list(listing.provinces.values_list("province_code", "evidence")) == [
        ("11", "北京市医药阳光采购平台 GW-0001"),
        ("65", "新疆平台 https://example.cn/gw/2"),
    ]
    edit = browser(sales).get(reverse("procurement:listing_edit", args=[listing.pk]))
    assert 'value="新疆平台 https://example.cn/gw/2"' in edit.content.decode()


def test_form_refusal_is_shown_next_to_the_field_and_keeps_the_input(sales, maker):
    product = ConsumableFactory(manufacturer=maker)
    ReferencePriceFactory(consumable=product, price=Decimal("1000.00"))
    response = browser(sales).post(
        reverse("procurement:listing_create"),
        {
            "consumable_code": product.code,
            "price": "1280.00",
            "registration_number": product.registration_number,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "price" in form.errors  # [R-LIST-PRICE-CAP] next to the price
    assert 'value="1280.00"' in response.content.decode()
    assert not Listing.objects.exists()


def test_unknown_code_is_a_field_error(sales):
    response = browser(sales).post(
        reverse("procurement:listing_create"),
        {
            "consumable_code": "C" + "9" * 26,
            "price": "1.00",
            "registration_number": "国械注准20153460789",
        },
    )
    assert "consumable_code" in response.context["form"].errors


def test_another_manufacturers_draft_is_not_found(sales):
    draft = ListingFactory(status=ListingStatus.DRAFT)
    client = browser(sales)
    assert client.get(reverse("procurement:listing_detail", args=[draft.pk])).status_code == 404
    response = client.post(reverse("procurement:listing_action", args=[draft.pk, "submit"]))
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == ListingStatus.DRAFT


def test_R_LIST_OTHER_submit_and_review_through_the_pages(sales, officer, maker):
    listing = ListingFactory(manufacturer=maker, status=ListingStatus.DRAFT)
    listing_update(
        actor=sales,
        listing_id=listing.pk,
        provinces=[
            {"code": c, "evidence": f"{c}省平台 GW-{c}"} for c in ("11", "31", "33", "44", "51")
        ],
    )
    detail = reverse("procurement:listing_detail", args=[listing.pk])
    page = browser(sales).get(detail).content.decode()
    assert "data-confirm" in page  # submitting asks once
    browser(sales).post(reverse("procurement:listing_action", args=[listing.pk, "submit"]))
    queue = browser(officer).get(reverse("procurement:listing_review_queue"))
    assert [x.pk for x in queue.context["queue"]] == [listing.pk]
    assert queue.context["queue"][0].criteria.provinces_met
    review = browser(officer).get(detail).content.decode()
    assert "44省平台 GW-44" in review
    assert 'name="provinces_checked"' in review
    approve = reverse("procurement:listing_action", args=[listing.pk, "approve"])
    # Not ticked: refused, still under review.
    browser(officer).post(approve, {"reason": "", "next": detail})
    listing.refresh_from_db()
    assert listing.status == ListingStatus.SUBMITTED
    response = browser(officer).post(
        approve,
        {
            "reason": "",
            "provinces_checked": "on",
            "next": reverse("procurement:listing_review_queue"),
        },
    )
    assert response["Location"] == reverse("procurement:listing_review_queue")
    listing.refresh_from_db()
    assert (listing.status, listing.provinces_checked_by) == (ListingStatus.LISTED, officer)
    assert "data-provinces-checked" in browser(officer).get(detail).content.decode()


def test_messages_name_the_product_not_the_internal_id(sales, officer, maker):
    listing = ListingFactory(manufacturer=maker, status=ListingStatus.DRAFT, provinces_listed=5)
    consumable = listing.consumable
    shown = browser(sales).post(
        reverse("procurement:listing_action", args=[listing.pk, "submit"]), follow=True
    )
    said = [str(m) for m in shown.context["messages"]]
    assert any(consumable.product_name in m and consumable.code in m for m in said), said
    assert not any(f"挂网产品 {listing.pk}" in m for m in said), said
    # A refusal (approving twice) names the product too.
    page = browser(officer)
    action = reverse("procurement:listing_action", args=[listing.pk, "approve"])
    # Listed in 5 provinces is its only ground: the officer confirms the evidence [R-LIST-OTHER].
    approved = page.post(action, {"reason": "", "provinces_checked": "on"}, follow=True)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.LISTED, [str(m) for m in approved.context["messages"]]
    refused = page.post(action, {"reason": "", "provinces_checked": "on"}, follow=True)
    said = [str(m) for m in refused.context["messages"]]
    assert any(consumable.code in m for m in said), said
    assert not any(f"挂网产品 {listing.pk}" in m for m in said), said


def test_reject_without_reason_is_refused_on_the_page(officer):
    listing = ListingFactory(status=ListingStatus.SUBMITTED)
    detail = reverse("procurement:listing_detail", args=[listing.pk])
    response = browser(officer).post(
        reverse("procurement:listing_action", args=[listing.pk, "reject"]),
        {"reason": ""},
        HTTP_REFERER=detail,
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == ListingStatus.SUBMITTED


def test_label_is_set_in_place_with_htmx(officer):
    listing = ListingFactory()
    response = browser(officer).post(
        reverse("procurement:listing_label", args=[listing.pk]),
        {"label": PurchaseLabel.RESTRICTED, "reason": "抽检不合格"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="label-row-{listing.pk}"' in html
    listing.refresh_from_db()
    assert listing.label == PurchaseLabel.RESTRICTED


def test_htmx_label_refusal_stays_in_the_row(officer):
    listing = ListingFactory()
    response = browser(officer).post(
        reverse("procurement:listing_label", args=[listing.pk]),
        {"label": PurchaseLabel.RESTRICTED, "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    listing.refresh_from_db()
    assert listing.label == PurchaseLabel.NORMAL


def test_R_LIST_ALT_CAP_purchase_plan_page_proposes_and_the_bureau_approves(
    finance, officer, hospital
):
    client = browser(finance)
    year = clock.local_today().year
    response = client.post(
        reverse("procurement:purchase_plan"),
        {"year": str(year), "total": "1000000", "reason": "新院区开业"},
    )
    assert response.status_code == 302
    plan = AnnualPurchasePlan.objects.get(hospital=hospital)
    assert (plan.status, plan.proposed_total, plan.total) == (
        "proposed",
        Decimal("1000000.00"),
        None,
    )
    page = client.get(response["Location"])
    assert page.context["cap"].base == "previous_year"
    assert page.context["form"] is None  # a proposal awaits the bureau
    assert 'data-plan-status="proposed"' in page.content.decode()

    bureau = browser(officer)
    queue = bureau.get(reverse("procurement:purchase_plan") + "?status=proposed")
    assert f'data-plan-row="{plan.pk}"' in queue.content.decode()
    review = bureau.get(reverse("procurement:purchase_plan") + f"?hospital={hospital.pk}")
    approve = reverse("procurement:purchase_plan_decide", args=[plan.pk, "approve"])
    assert approve in review.content.decode()
    response = bureau.post(approve, {"reason": "与预算一致"})
    assert response.status_code == 302
    page = client.get(reverse("procurement:purchase_plan"))
    cap = page.context["cap"]
    assert (cap.base, cap.cap, cap.remaining) == (
        "approved",
        Decimal("150000.00"),
        Decimal("150000.00"),
    )
    body = page.content.decode()
    assert "¥150,000.00" in body
    assert body.count("<tr", body.index("data-plan-history")) >= 3  # header + 2 states


def test_R_LIST_ALT_CAP_rejecting_on_the_page_needs_a_reason(finance, officer, hospital):
    plan = AnnualPurchasePlanFactory(hospital=hospital, total=None, status="proposed")
    bureau = browser(officer)
    reject = reverse("procurement:purchase_plan_decide", args=[plan.pk, "reject"])
    bureau.post(reject, {"reason": ""})
    plan.refresh_from_db()
    assert plan.status == "proposed"
    bureau.post(reject, {"reason": "无依据"})
    plan.refresh_from_db()
    assert (plan.status, plan.decision_reason) == ("rejected", "无依据")


def test_agreed_price_page_answers_a_proposal(purchaser, hospital, maker):
    listing = ListingFactory(manufacturer=maker)
    agreed = AgreedPriceFactory(
        listing=listing, hospital=hospital, status=AgreedPriceStatus.PROPOSED, proposed_by=maker
    )
    client = browser(purchaser)
    page = client.get(reverse("procurement:agreed_price_list"))
    assert page.context["page"][0].actions.allowed() == ["accept", "decline"]
    client.post(reverse("procurement:agreed_price_action", args=[agreed.pk, "accept"]))
    agreed.refresh_from_db()
    assert agreed.status == AgreedPriceStatus.AGREED


def test_hospital_proposes_from_a_listing(purchaser, hospital):
    listing = ListingFactory(price=Decimal("100.00"))
    client = browser(purchaser)
    path = reverse("procurement:agreed_price_list") + f"?listing={listing.pk}"
    assert client.get(path).context["form"] is not None
    today = clock.local_today()
    response = client.post(
        path,
        {
            "listing": listing.pk,
            "price": "120.00",
            "annual_volume": "10",
            "valid_from": today.isoformat(),
            "valid_until": today.replace(year=today.year + 1).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "price" in response.context["form"].errors  # above the listed price


def export(client, path) -> list[list]:
    response = client.get(path + ("&" if "?" in path else "?") + "export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("formula", ["=1+1", "+1+1", "-1+1", "@SUM(A1)"])
def test_export_escapes_formula_cells(sales, maker, formula):
    ListingFactory(manufacturer=maker, consumable=ConsumableFactory(product_name=formula))
    rows = export(browser(sales), reverse("procurement:listing_list"))
    assert rows[1][1] == "'" + formula
    assert rows[1][5] == 100  # amounts stay numbers


@pytest.mark.parametrize(
    "page",
    ["listing_list", "listing_review_queue", "listing_label_list", "agreed_price_list"],
)
def test_every_list_exports(officer, page):
    listing = ListingFactory(status=ListingStatus.SUBMITTED)
    ListingFactory()
    AgreedPriceFactory(listing=ListingFactory())
    rows = export(browser(officer), reverse(f"procurement:{page}"))
    assert len(rows) >= 2
    del listing


def test_exports_respect_tenancy(sales, maker):
    ListingFactory(manufacturer=maker, consumable=ConsumableFactory(product_name="自家产品"))
    ListingFactory(consumable=ConsumableFactory(product_name="别家产品"))
    rows = export(browser(sales), reverse("procurement:listing_list"))
    assert [r[1] for r in rows[1:]] == ["自家产品"]


def test_purchase_plan_export_is_scoped(finance, hospital):
    AnnualPurchasePlanFactory(hospital=hospital)
    AnnualPurchasePlanFactory(hospital=HospitalFactory())
    rows = export(browser(finance), reverse("procurement:purchase_plan"))
    assert [r[0] for r in rows[1:]] == [hospital.name]
