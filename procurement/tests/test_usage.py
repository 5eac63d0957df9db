"""Usage records from the HIS: product from the UDI-DI, brand from the product, no raw case
numbers. [R-TRACE] [R-ALERT-USE]"""

import datetime as dt
import hashlib
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.services import api_client_create
from accounts.tests.factories import UserFactory, user_with_role
from catalog.models import DeviceIdentifier
from catalog.tests.factories import ConsumableFactory, DeviceIdentifierFactory
from core import clock
from core.errors import DomainError
from procurement.models import UsageRecord
from procurement.selectors.usage import usage_list
from procurement.services.usage import usage_record
from procurement.tests.factories import UsageRecordFactory
from procurement.tests.order_world import gs1, make_world, patient_hash

pytestmark = pytest.mark.django_db

URL = "/api/v1/procurement/usage-records/"


def _record(w, **overrides):
    record = {
        "barcode": gs1(w.di, lot="L1", serial="SN0001"),
        "operation_id": "OP20261122-01",
        "doctor_code": "D0042",
        "department": "心血管内科",
        "patient_hash": patient_hash(),
        "used_at": clock.now() - dt.timedelta(hours=1),
    }
    record.update(overrides)
    return record


def test_usage_is_resolved_from_the_udi_to_product_and_brand():
    w = make_world()
    [row] = usage_record(actor=w.purchaser, records=[_record(w)])
    assert row.consumable == w.listing.consumable
    assert row.manufacturer == w.manufacturer
    assert (row.udi_di, row.lot, row.serial, row.quantity) == (w.di, "L1", "SN0001", 1)
    assert row.hospital == w.hospital


def test_usage_by_udi_di_and_lot_without_a_barcode():
    w = make_world()
    record = _record(w, barcode="", udi_di=w.di, lot="L7", quantity=2)
    [row] = usage_record(actor=w.purchaser, records=[record])
    assert (row.lot, row.serial, row.quantity) == ("L7", "", 2)


def test_usage_through_a_di_known_only_by_its_national_code():
    """A DI whose crosswalk has no product yet but whose NMPA record names the national code."""
    w = make_world()
    device = DeviceIdentifier.objects.get(di=w.di)
    device.consumable = None
    device.save(update_fields=["consumable"])
    [row] = usage_record(actor=w.purchaser, records=[_record(w)])
    assert row.consumable == w.listing.consumable


@pytest.mark.parametrize(
    "value",
    [
        "ZY2026-000123",
        "12345678901234567890123456789012",
        "abc123",
        "g" * 64,
        hashlib.sha256(b"x").hexdigest() + "0",
        "",
    ],
    ids=["raw-case-number", "all-digits", "too-short", "not-hex", "odd-length", "empty"],
)
def test_anything_but_a_hex_digest_of_the_case_number_is_refused(value):
    w = make_world()
    with pytest.raises(DomainError) as error:
        usage_record(actor=w.purchaser, records=[_record(w, patient_hash=value)])
    assert error.value.code == "patient_hash_invalid"
    assert UsageRecord.objects.count() == 0


def test_digest_is_stored_in_lower_case():
    w = make_world()
    digest = hashlib.md5(b"case", usedforsecurity=False).hexdigest().upper()
    [row] = usage_record(actor=w.purchaser, records=[_record(w, patient_hash=digest)])
    assert row.patient_hash == digest.lower()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"barcode": gs1("06901234567892")}, "udi_unknown"),
        ({"barcode": "", "lot": "x"}, "udi_missing"),
        ({"used_at": clock.now() + dt.timedelta(hours=2)}, "used_at_invalid"),
        ({"used_at": dt.datetime(2026, 1, 1, 8, 0)}, "invalid"),  # noqa: DTZ001 - the case under test
        ({"doctor_code": ""}, "invalid"),
        ({"quantity": 0}, "quantity_invalid"),
        ({"charged_price": "1.234"}, "amount_invalid"),
    ],
    ids=[
        "unknown-di",
        "no-di",
        "future",
        "naive-time",
        "no-doctor",
        "zero-quantity",
        "price-3-decimals",
    ],
)
def test_bad_usage_records_are_refused_all_or_nothing(overrides, code):
    w = make_world()
    records = [_record(w, barcode=gs1(w.di, serial="OK1")), _record(w, **overrides)]
    with pytest.raises(DomainError) as error:
        usage_record(actor=w.purchaser, records=records)
    assert error.value.code == code
    assert UsageRecord.objects.count() == 0


def test_a_serial_is_used_once():
    w = make_world()
    usage_record(actor=w.purchaser, records=[_record(w)])
    with pytest.raises(DomainError) as error:
        usage_record(actor=w.purchaser, records=[_record(w)])
    assert error.value.code == "usage_serial_used"
    with pytest.raises(DomainError) as error:
        usage_record(actor=w.purchaser, records=[_record(w, barcode=gs1(w.di, serial="S2"))] * 2)
    assert error.value.code == "usage_serial_used"
    assert UsageRecord.objects.count() == 1


@pytest.mark.parametrize(
    "role", [Role.SUPPLIER_SALES, Role.HOSPITAL_FINANCE, Role.BUREAU_OFFICER], ids=str
)
def test_only_a_hospital_purchaser_or_its_his_records_usage(role):
    w = make_world()
    with pytest.raises(DomainError) as error:
        usage_record(actor=user_with_role(role), records=[_record(w)])
    assert error.value.code == "permission_denied"


def test_usage_list_is_the_hospitals_own():
    w = make_world()
    usage_record(actor=w.purchaser, records=[_record(w)])
    UsageRecordFactory(hospital=w.other_hospital, consumable=ConsumableFactory())
    assert [r.hospital_id for r in usage_list(actor=w.purchaser)] == [w.hospital.pk]
    assert usage_list(actor=w.purchaser, doctor_code="nobody").count() == 0


# --- through the HIS API ---------------------------------------------------------------------


def _his(w):
    issued = api_client_create(actor=None, organization=w.hospital, name="HIS")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    return client


def _payload(w, **overrides):
    record = _record(w, **overrides)
    record["used_at"] = record["used_at"].isoformat()
    return {"records": [record]}


def test_his_posts_usage_records_idempotently():
    w = make_world()
    client = _his(w)
    body = _payload(w)
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="u-1")
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="u-1")
    assert first.status_code == again.status_code == 201, first.json()
    assert again.json() == first.json()
    record = first.json()["records"][0]
    assert record["consumable"]["code"] == w.listing.consumable.code
    assert record["manufacturer"]["id"] == w.manufacturer.pk
    assert UsageRecord.objects.count() == 1


def test_his_must_send_an_idempotency_key():
    w = make_world()
    response = _his(w).post(URL, _payload(w), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"


def test_his_gets_the_error_code_of_a_raw_case_number():
    w = make_world()
    response = _his(w).post(
        URL,
        _payload(w, patient_hash="ZY2026-000123"),
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "patient_hash_invalid"
    assert UsageRecord.objects.count() == 0


def test_his_lists_only_its_hospitals_usage():
    w = make_world()
    UsageRecordFactory(hospital=w.other_hospital, consumable=DeviceIdentifierFactory().consumable)
    usage_record(actor=w.purchaser, records=[_record(w)])
    response = _his(w).get(URL)
    assert response.status_code == 200
    assert [r["hospital"] for r in response.json()["results"]] == [w.hospital.pk]


def test_usage_list_query_count_is_constant(django_assert_num_queries):
    w = make_world()
    for n in range(30):
        UsageRecordFactory(hospital=w.hospital, consumable=w.listing.consumable, serial=f"S{n}")
    finance = UserFactory(organization=w.hospital, roles=[Role.HOSPITAL_FINANCE])
    with django_assert_num_queries(1):
        rows = list(usage_list(actor=finance)[:50])
    assert len(rows) == 30
    assert all(row.consumable.code and row.manufacturer_id for row in rows)
