"""Order services: create, submit, cancel, the supplier's answers. [R-ORDER-ONLINE] [R-LABELS]
[R-LIST-ALT-CAP] [R-ORDER-DELIVERY]"""

import datetime as dt
import re
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.tests.factories import DistributorFactory, OrganizationFactory, UserFactory
from core import clock
from procurement.choices import Catalogue, LineStatus, ListingStatus, OrderStatus, PurchaseLabel
from procurement.models import Event, Order, OrderLine
from procurement.services import orders
from procurement.tests.factories import (
    AgreedPriceFactory,
    AnnualPurchasePlanFactory,
    ListingDistributorFactory,
)
from procurement.tests.order_world import (
    add_listing,
    confirmed,
    draft,
    make_world,
    promised,
    refused,
    submitted,
)

pytestmark = pytest.mark.django_db


# --- order_create ----------------------------------------------------------------------------


def test_create_prices_lines_on_the_server_and_snapshots_label_and_catalogue():
    w = make_world(price=Decimal("123.45"), label=PurchaseLabel.PREFERRED)
    order = draft(w, quantity=3)
    line = order.lines.get()
    assert order.status == OrderStatus.DRAFT
    assert (line.unit_price, line.amount, order.total) == (
        Decimal("123.45"),
        Decimal("370.35"),
        Decimal("370.35"),
    )
    assert (line.catalogue, line.label) == (Catalogue.CAPPED, PurchaseLabel.PREFERRED)
    assert line.consumable_id == w.listing.consumable_id
    assert (order.hospital, order.supplier) == (w.hospital, w.manufacturer)
    assert re.fullmatch(r"PO\d{8}-\d{6}", order.number)
    assert order.number.startswith(f"PO{clock.local_today():%Y%m%d}-")


def test_create_uses_a_lower_agreed_price_of_the_hospital():
    """[R-LIST-PRICE-CAP] the lowest applicable price: an agreed price below the listing's."""
    w = make_world(price=Decimal("100.00"))
    AgreedPriceFactory(listing=w.listing, hospital=w.hospital, price=Decimal("88.00"))
    AgreedPriceFactory(listing=w.listing, hospital=w.other_hospital, price=Decimal("50.00"))
    assert draft(w, quantity=2).lines.get().unit_price == Decimal("88.00")


def test_create_splits_a_cart_into_one_order_per_manufacturer():
    w = make_world()
    other = add_listing(w, manufacturer=OrganizationFactory())
    second = add_listing(w)
    created = orders.order_create(
        department="骨科",
        actor=w.purchaser,
        lines=[
            {"listing": w.listing.pk, "quantity": 1},
            {"listing": other.pk, "quantity": 2},
            {"listing": second.pk, "quantity": 3},
        ],
    )
    assert len(created) == 2
    by_supplier = {order.supplier_id: order for order in created}
    assert sorted(by_supplier) == sorted([w.manufacturer.pk, other.manufacturer_id])
    assert by_supplier[w.manufacturer.pk].lines.count() == 2
    assert by_supplier[other.manufacturer_id].lines.get().quantity == 2
    assert len({order.number for order in created}) == 2


@pytest.mark.parametrize(
    "quantity",
    [0, -1, 1.5, "1.5", "x", "", None, True, 10_000_001, [1]],
    ids=[
        "zero",
        "negative",
        "float",
        "float-string",
        "text",
        "empty",
        "null",
        "bool",
        "huge",
        "list",
    ],
)
def test_create_refuses_a_quantity_that_is_not_a_positive_whole_number(quantity):
    w = make_world()
    lines = [{"listing": w.listing.pk, "quantity": quantity}]
    error = refused(
        orders.order_create, "quantity_invalid", actor=w.purchaser, lines=lines, department="骨科"
    )
    assert error.extra["line"] == 1


def test_create_accepts_a_digit_string_quantity():
    w = make_world()
    order = orders.order_create(
        department="骨科", actor=w.purchaser, lines=[{"listing": w.listing.pk, "quantity": "4"}]
    )
    assert order[0].lines.get().quantity == 4


def test_create_refuses_a_forbidden_product():
    """[R-LABELS] 严禁: cannot be ordered at all, even with a reason."""
    w = make_world()
    forbidden = add_listing(w, label=PurchaseLabel.FORBIDDEN)
    lines = [
        {"listing": w.listing.pk, "quantity": 1},
        {"listing": forbidden.pk, "quantity": 1, "restricted_reason": "急需"},
    ]
    error = refused(
        orders.order_create, "listing_forbidden", actor=w.purchaser, lines=lines, department="骨科"
    )
    assert error.extra["line"] == 2


def test_create_needs_a_reason_for_a_restricted_product():
    """[R-LABELS] 限制: a written reason on each line."""
    w = make_world(label=PurchaseLabel.RESTRICTED)
    lines = [{"listing": w.listing.pk, "quantity": 1, "restricted_reason": "  "}]
    refused(
        orders.order_create,
        "restricted_reason_required",
        actor=w.purchaser,
        lines=lines,
        department="骨科",
    )
    lines[0]["restricted_reason"] = "患者过敏，需此型号"
    order = orders.order_create(department="骨科", actor=w.purchaser, lines=lines)[0]
    assert order.lines.get().restricted_reason == "患者过敏，需此型号"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (ListingStatus.SUSPENDED, "listing_not_orderable"),
        (ListingStatus.DELISTED, "listing_not_orderable"),
        (ListingStatus.DRAFT, "not_found"),
        (ListingStatus.SUBMITTED, "not_found"),
    ],
    ids=["suspended", "delisted", "draft-is-invisible", "under-review-is-invisible"],
)
def test_create_refuses_listings_that_are_not_listed(status, code):
    """[R-CREDIT] a suspended listing (the credit sanction 暂停挂网) cannot be ordered until
    reinstated; a delisted one never again; drafts and listings under review are not shown."""
    w = make_world()
    other = add_listing(w, status=status)
    lines = [{"listing": other.pk, "quantity": 1}]
    refused(orders.order_create, code, actor=w.purchaser, lines=lines, department="骨科")


@pytest.mark.parametrize("status", [ListingStatus.SUSPENDED, ListingStatus.DELISTED])
def test_a_listing_off_sale_reads_and_quotes_alike_for_a_hospital(status):
    """One scope for reading and ordering: the hospital reads a suspended or delisted listing
    with its status, and quoting it is refused with that status as the reason (not a 404
    from one road and "已暂停挂网" from the other)."""
    from procurement.selectors import cart, listings

    w = make_world()
    other = add_listing(w, status=status)
    assert listings.listing_get(actor=w.purchaser, listing_id=other.pk).status == status
    lines = [{"listing": other.pk, "quantity": 1}]
    (refusal,) = cart.order_quote(actor=w.purchaser, lines=lines).refusals
    assert refusal.listing == other
    assert refusal.error.code == "listing_not_orderable"
    assert refusal.error.extra["reason"] == ListingStatus(status).label
    refused(
        orders.order_create,
        "listing_not_orderable",
        actor=w.purchaser,
        lines=lines,
        department="骨科",
    )


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], "order_empty"),
        ("dup", "order_line_duplicate"),
        ([{"listing": 999999999, "quantity": 1}], "not_found"),
        ([{"listing": "abc", "quantity": 1}], "invalid"),
    ],
    ids=["no-lines", "duplicate-listing", "unknown-listing", "bad-listing-id"],
)
def test_create_refuses_malformed_carts(lines, code):
    w = make_world()
    if lines == "dup":
        lines = [{"listing": w.listing.pk, "quantity": 1}] * 2
    refused(orders.order_create, code, actor=w.purchaser, lines=lines, department="骨科")


@pytest.mark.parametrize(
    "role",
    [Role.HOSPITAL_FINANCE, Role.SUPPLIER_SALES, Role.BUREAU_OFFICER],
    ids=["hospital-finance", "supplier", "bureau"],
)
def test_only_a_hospital_purchaser_creates_orders(role):
    w = make_world()
    org = {Role.HOSPITAL_FINANCE: w.hospital, Role.SUPPLIER_SALES: w.manufacturer}.get(role)
    actor = UserFactory(organization=org, roles=[role]) if org else UserFactory(roles=[role])
    lines = [{"listing": w.listing.pk, "quantity": 1}]
    refused(orders.order_create, "permission_denied", actor=actor, lines=lines, department="骨科")


# --- order_submit ----------------------------------------------------------------------------


def test_submit_sends_the_order_and_records_an_event():
    w = make_world()
    order = draft(w)
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    assert order.submitted_at is not None
    event = Event.objects.get(type="order.submitted")
    assert (event.order_id, event.hospital_id, event.supplier_id) == (
        order.pk,
        w.hospital.pk,
        w.manufacturer.pk,
    )
    assert event.payload["number"] == order.number


def test_submit_reprices_lines_for_the_day_of_submission():
    w = make_world(price=Decimal("100.00"))
    order = draft(w, quantity=2)
    AgreedPriceFactory(listing=w.listing, hospital=w.hospital, price=Decimal("90.00"))
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    order.refresh_from_db()
    assert order.lines.get().amount == Decimal("180.00")
    assert order.total == Decimal("180.00")


def test_submit_refuses_a_product_forbidden_since_the_draft():
    """[R-LABELS] the label is checked again at submission."""
    w = make_world()
    order = draft(w)
    w.listing.label = PurchaseLabel.FORBIDDEN
    w.listing.save(update_fields=["label"])
    refused(orders.order_submit, "listing_forbidden", actor=w.purchaser, order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DRAFT


def test_submit_of_another_hospitals_order_is_not_found():
    w = make_world()
    order = draft(w)
    refused(orders.order_submit, "not_found", actor=w.other_purchaser, order_id=order.pk)


# --- [R-LIST-ALT-CAP] caps -------------------------------------------------------------------


def _alternate_world(total: Decimal, price: Decimal):
    return make_world(catalogue=Catalogue.ALTERNATE, price=price, plan_total=total)


def test_cap_allows_alternate_purchases_exactly_at_the_cap():
    """[R-LIST-ALT-CAP] 15% of 10,000.00 = 1,500.00: an order of exactly 1,500.00 passes."""
    w = _alternate_world(Decimal("10000.00"), Decimal("150.00"))
    order = draft(w, quantity=10)
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SUBMITTED


def test_cap_refuses_one_cent_over_with_the_figures():
    """[R-LIST-ALT-CAP] 1,500.01 against a cap of 1,500.00 is refused, naming the figures."""
    w = _alternate_world(Decimal("10000.00"), Decimal("1500.01"))
    order = draft(w, quantity=1)
    error = refused(
        orders.order_submit, "alternate_cap_exceeded", actor=w.purchaser, order_id=order.pk
    )
    assert error.extra["cap_amount"] == "1500.00"
    assert error.extra["used"] == "0.00"
    assert error.extra["adding"] == "1500.01"
    assert "¥1,500.00" in error.message


def test_cap_counts_earlier_submitted_alternate_orders():
    """[R-LIST-ALT-CAP] 1,000 submitted + 500.01 more passes the 1,500 cap by a cent."""
    w = _alternate_world(Decimal("10000.00"), Decimal("100.00"))
    submitted(w, quantity=10)
    second = add_listing(w, catalogue=Catalogue.ALTERNATE, price=Decimal("500.01"))
    order = draft(w, quantity=1, listing=second)
    error = refused(
        orders.order_submit, "alternate_cap_exceeded", actor=w.purchaser, order_id=order.pk
    )
    assert error.extra["used"] == "1000.00"


def test_cap_ignores_capped_catalogue_lines():
    w = make_world(catalogue=Catalogue.CAPPED, price=Decimal("9000.00"), plan_total=Decimal("100"))
    order = submitted(w, quantity=1)
    assert order.status == OrderStatus.SUBMITTED


def test_cap_without_a_purchase_plan_refuses_alternate_orders():
    w = make_world(catalogue=Catalogue.ALTERNATE, plan_total=None)
    order = draft(w)
    refused(orders.order_submit, "purchase_plan_missing", actor=w.purchaser, order_id=order.pk)


def test_cap_uses_the_plan_of_the_current_year():
    w = _alternate_world(Decimal("10000.00"), Decimal("1500.01"))
    AnnualPurchasePlanFactory(
        hospital=w.hospital, year=clock.local_today().year - 1, total=Decimal("99999999")
    )
    refused(orders.order_submit, "alternate_cap_exceeded", actor=w.purchaser, order_id=draft(w).pk)


# --- order_cancel ----------------------------------------------------------------------------


@pytest.mark.parametrize("walk", [draft, submitted], ids=["draft", "submitted"])
def test_cancel_before_the_supplier_answers(walk):
    w = make_world()
    order = walk(w)
    orders.order_cancel(actor=w.purchaser, order_id=order.pk, reason="科室取消手术")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "科室取消手术"
    assert set(order.lines.values_list("status", flat=True)) == {LineStatus.CANCELLED}
    assert Event.objects.filter(type="order.cancelled", order=order).count() == 1


def test_cancel_needs_a_reason():
    w = make_world()
    order = draft(w)
    refused(
        orders.order_cancel, "reason_required", actor=w.purchaser, order_id=order.pk, reason=" "
    )


def test_cancel_is_refused_once_the_supplier_answered_a_line():
    w = make_world()
    order = orders.order_create(
        department="骨科",
        actor=w.purchaser,
        lines=[
            {"listing": w.listing.pk, "quantity": 1},
            {"listing": add_listing(w).pk, "quantity": 1},
        ],
    )[0]
    orders.order_submit(actor=w.purchaser, order_id=order.pk)
    first = order.lines.order_by("pk").first()
    orders.order_line_confirm(
        actor=w.sales, order_id=order.pk, line_id=first.pk, promised_on=promised()
    )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SUBMITTED
    refused(orders.order_cancel, "invalid_state", actor=w.purchaser, order_id=order.pk, reason="x")


# --- the supplier's answers ------------------------------------------------------------------


def _two_line_order(w):
    order = orders.order_create(
        department="骨科",
        actor=w.purchaser,
        lines=[
            {"listing": w.listing.pk, "quantity": 5},
            {"listing": add_listing(w).pk, "quantity": 7},
        ],
    )[0]
    return orders.order_submit(actor=w.purchaser, order_id=order.pk)


def test_order_is_confirmed_when_every_line_is_answered_and_one_is_confirmed():
    w = make_world()
    order = _two_line_order(w)
    first, second = order.lines.order_by("pk")
    orders.order_line_reject(actor=w.sales, order_id=order.pk, line_id=second.pk, reason="缺货")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SUBMITTED
    orders.order_line_confirm(
        actor=w.sales, order_id=order.pk, line_id=first.pk, promised_on=promised()
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.responded_at is not None
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.promised_on) == (LineStatus.CONFIRMED, promised())
    assert (second.status, second.rejection_reason) == (LineStatus.REJECTED, "缺货")
    types = list(Event.objects.filter(order=order).order_by("id").values_list("type", flat=True))
    assert types == [
        "order.submitted",
        "order_line.rejected",
        "order_line.confirmed",
        "order.confirmed",
    ]


def test_order_is_rejected_when_every_line_is_rejected():
    w = make_world()
    order = _two_line_order(w)
    answers = [
        {"line": line.pk, "decision": "reject", "reason": "停产"} for line in order.lines.all()
    ]
    orders.order_respond(actor=w.sales, order_id=order.pk, answers=answers)
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED
    assert order.closed_at is not None


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ({"decision": "confirm", "promised_on": None}, "promised_date_invalid"),
        ({"decision": "confirm", "promised_on": "2030-01-01"}, "promised_date_invalid"),
        ({"decision": "confirm", "promised_on": dt.date(2020, 1, 1)}, "promised_date_invalid"),
        ({"decision": "reject", "reason": ""}, "reason_required"),
        ({"decision": "maybe"}, "invalid"),
        ({"decision": "confirm", "promised_on": "today", "line": 999999}, "order_line_unknown"),
    ],
    ids=[
        "no-date",
        "date-as-text",
        "past-date",
        "reject-without-reason",
        "bad-decision",
        "line-of-another-order",
    ],
)
def test_answers_are_validated_and_change_nothing(answer, code):
    w = make_world()
    order = submitted(w)
    if answer.get("promised_on") == "today":
        answer["promised_on"] = clock.local_today()
    answer = {"line": order.lines.get().pk, **answer}
    refused(orders.order_respond, code, actor=w.sales, order_id=order.pk, answers=[answer])


def test_answers_are_all_or_nothing():
    w = make_world()
    order = _two_line_order(w)
    first, second = order.lines.order_by("pk")
    answers = [
        {"line": first.pk, "decision": "confirm", "promised_on": promised()},
        {"line": second.pk, "decision": "reject", "reason": ""},
    ]
    refused(
        orders.order_respond, "reason_required", actor=w.sales, order_id=order.pk, answers=answers
    )


def test_an_answered_line_cannot_be_answered_again():
    w = make_world()
    order = _two_line_order(w)
    first = order.lines.order_by("pk").first()
    orders.order_line_reject(actor=w.sales, order_id=order.pk, line_id=first.pk, reason="缺货")
    refused(
        orders.order_line_confirm,
        "invalid_state",
        actor=w.sales,
        order_id=order.pk,
        line_id=first.pk,
        promised_on=promised(),
    )


def test_only_the_orders_manufacturer_answers():
    """A distributor delivering the order sees it but does not answer for the manufacturer;
    another supplier does not even see it."""
    w = make_world()
    order = confirmed(w, distributor=True)
    other = submitted(w)
    orders.order_distributor_set(actor=w.sales, order_id=other.pk, distributor_id=w.distributor.pk)
    line = other.lines.get()
    kwargs = {"order_id": other.pk, "line_id": line.pk, "promised_on": promised()}
    refused(orders.order_line_confirm, "permission_denied", actor=w.distributor_sales, **kwargs)
    stranger = UserFactory(organization=OrganizationFactory(), roles=[Role.SUPPLIER_SALES])
    refused(orders.order_line_confirm, "not_found", actor=stranger, **kwargs)
    refused(orders.order_line_confirm, "permission_denied", actor=w.purchaser, **kwargs)
    assert order.status == OrderStatus.CONFIRMED


def test_the_supplier_does_not_see_a_hospitals_draft():
    w = make_world()
    order = draft(w)
    refused(
        orders.order_line_confirm,
        "not_found",
        actor=w.sales,
        order_id=order.pk,
        line_id=order.lines.get().pk,
        promised_on=promised(),
    )


# --- [R-ORDER-DELIVERY] the delivering distributor -------------------------------------------


def test_supplier_names_an_authorised_distributor():
    """Authorised for 320100 (Nanjing) covers the hospital in 320106 (a Nanjing district)."""
    w = make_world()
    order = confirmed(w, distributor=True)
    assert Order.objects.get(pk=order.pk).distributor == w.distributor


@pytest.mark.parametrize(
    "region", ["310000", "320200", "320105"], ids=["other-province", "other-city", "other-district"]
)
def test_distributor_not_authorised_for_the_hospitals_region_is_refused(region):
    w = make_world()
    outsider = DistributorFactory()
    ListingDistributorFactory(listing=w.listing, distributor=outsider, region_code=region)
    order = confirmed(w)
    refused(
        orders.order_distributor_set,
        "distributor_not_authorised",
        actor=w.sales,
        order_id=order.pk,
        distributor_id=outsider.pk,
    )


def test_province_wide_authorisation_covers_the_hospital():
    w = make_world()
    provincial = DistributorFactory()
    ListingDistributorFactory(listing=w.listing, distributor=provincial, region_code="320000")
    order = confirmed(w)
    orders.order_distributor_set(actor=w.sales, order_id=order.pk, distributor_id=provincial.pk)
    assert Order.objects.get(pk=order.pk).distributor == provincial


def test_line_counters_start_at_zero():
    w = make_world()
    line = confirmed(w).lines.get()
    assert OrderLine.objects.filter(
        pk=line.pk,
        delivered_quantity=0,
        accepted_quantity=0,
        refused_quantity=0,
        returned_quantity=0,
        invoiced_quantity=0,
    ).exists()
