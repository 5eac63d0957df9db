"""Linked price cuts (联动降价, NJ 2.3) [R-NEGOTIATION]: the bureau imports other regions'
winning prices from a workbook; the manufacturers of matching listed products priced above
them are invited to match them. A malformed workbook is a 400 naming row and column, and
nothing is written."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from core import clock
from core.tests.helpers import browser, client_for
from procurement.choices import NegotiationKind, NegotiationOutcome, NegotiationStatus
from procurement.models import Negotiation
from procurement.tests.emergency_world import on
from procurement.tests.factories import ListingFactory
from tests.matrix_support import assert_conforms

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
PATH = "api/v1/procurement/negotiations/linked-import/"


def workbook(*rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["国家医保耗材代码", "地区", "中选价格"])
    for row in rows:
        sheet.append(list(row))
    raw = io.BytesIO()
    book.save(raw)
    raw.seek(0)
    raw.name = "linked.xlsx"
    return raw


def upload(client, raw):
    return client.post(
        reverse("api:procurement:negotiation_linked_import"),
        {
            "file": raw,
            "deadline": "2026-03-20",
            "effective_on": "2026-04-01",
            "valid_until": "2027-03-31",
        },
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=f"linked-{id(raw)}-{clock.now()}",
    )


def test_r_negotiation_linked_import_invites_the_suppliers_of_products_priced_above(officer):
    above = ListingFactory(price=Decimal("100.00"))
    below = ListingFactory(price=Decimal("60.00"))
    with on(DAY):
        answer = upload(
            client_for(officer),
            workbook(
                (above.consumable.code, "广东省", 82.5),
                (above.consumable.code, "浙江省", "85.00"),  # the lower of the two counts
                (below.consumable.code, "广东省", "70.00"),  # already cheaper: not invited
                ("C9999999999999999999999999", "广东省", "10.00"),  # no such listing
            ),
        )
    assert answer.status_code == 201, answer.json()
    assert_conforms(PATH, "POST", reverse("api:procurement:negotiation_linked_import"), answer)
    negotiation = Negotiation.objects.get()
    assert (negotiation.kind, negotiation.status, negotiation.outcome) == (
        NegotiationKind.LINKED,
        NegotiationStatus.OPEN,
        NegotiationOutcome.LISTED_PRICE,
    )
    assert dict(negotiation.items.values_list("listing_id", "target_price")) == {
        above.pk: Decimal("82.50")
    }
    assert "广东省" in negotiation.source_note


@pytest.mark.parametrize(
    ("rows", "row", "column"),
    [
        ([("C0101", "广东省", "82.505")], 2, "C"),
        ([("C0101", "广东省", "82.50"), ("", "浙江省", "80.00")], 3, "A"),
        ([("C0101", None, "82.50")], 2, "B"),
        ([("C0101", "广东省", "-1.00")], 2, "C"),
        ([("C0101", "广东省", "八十")], 2, "C"),
        ([], 2, "A"),
    ],
    ids=["third_decimal", "no_code", "no_region", "negative", "not_a_number", "no_rows"],
)
def test_r_negotiation_linked_import_malformed_names_row_and_column_writes_nothing(
    officer, rows, row, column
):
    ListingFactory(price=Decimal("100.00"))
    with on(DAY):
        answer = upload(client_for(officer), workbook(*rows))
    assert answer.status_code == 400, answer.json()
    body = answer.json()
    assert body["code"] == "negotiation_import_invalid"
    assert (body["extra"]["row"], body["extra"]["column"]) == (row, column)
    assert not Negotiation.objects.exists()


def test_r_negotiation_linked_import_not_a_workbook_or_nothing_to_match(officer):
    listing = ListingFactory(price=Decimal("50.00"))
    with on(DAY):
        garbage = io.BytesIO(b"not a workbook")
        garbage.name = "prices.xlsx"
        refused = upload(client_for(officer), garbage)
        assert (refused.status_code, refused.json()["code"]) == (400, "negotiation_import_invalid")
        nothing = upload(
            client_for(officer), workbook((listing.consumable.code, "广东省", "60.00"))
        )
    assert (nothing.status_code, nothing.json()["code"]) == (409, "negotiation_nothing_to_match")
    assert not Negotiation.objects.exists()


def test_r_negotiation_linked_import_through_the_page(officer):
    listing = ListingFactory(price=Decimal("100.00"))
    page = browser(officer)
    with on(DAY):
        bad = page.post(
            reverse("procurement:negotiation_linked_import"),
            {
                "file": workbook((listing.consumable.code, "广东省", "abc")),
                "deadline": "2026-03-20",
                "effective_on": "2026-04-01",
                "valid_until": "2027-03-31",
            },
        )
        assert bad.status_code == 200
        assert 'data-field-error="file"' in bad.content.decode()
        done = page.post(
            reverse("procurement:negotiation_linked_import"),
            {
                "file": workbook((listing.consumable.code, "广东省", "90.00")),
                "deadline": "2026-03-20",
                "effective_on": "2026-04-01",
                "valid_until": "2027-03-31",
            },
        )
    assert done.status_code == 302
    assert Negotiation.objects.get().items.get().target_price == Decimal("90.00")
