"""The escrow account's bank statement [R-ESCROW]: imported as Chinese banks export it (CSV,
UTF-8 with or without BOM, GB18030), matched line by line to the recorded transfers, with the
unmatched lines and the transfers missing from it; a bad file refused whole with row and
column, the same file refused twice, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core import clock
from settlement.choices import StatementMatchKind
from settlement.errors import BankStatementDuplicateError, BankStatementFileError
from settlement.models import BankStatement, BankStatementLine, StatementMatch
from settlement.selectors import reconciliation as selectors
from settlement.services import payments
from settlement.services.reconciliation import bank_statement_import, bank_statement_match
from settlement.tests.pay_world import make_pay_world, paid

pytestmark = pytest.mark.django_db
API = "/api/v1/settlement/bank-statements/"
HEADER = "交易日期,交易流水号,对方转账参考号,对方户名,对方账号,收入金额,支出金额,摘要"


def _csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def _today() -> str:
    return clock.local_today().isoformat()


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def flow():
    """Two hospital payments into escrow (one paid out by a batch), and one more paid in."""
    pw = make_pay_world()
    first = paid(pw, reference="BOC-IN-0001")
    batch = payments.settlement_batch_run(actor=pw.agency)
    second = paid(pw, reference="BOC-IN-0002")
    missing = paid(pw, reference="BOC-IN-0003")
    return pw, first, second, missing, batch


def test_a_gb18030_statement_is_matched_to_payments_in_and_payouts_out_r_escrow(flow):
    pw, first, second, missing, batch = flow
    payout = batch.payouts.get()
    supplier = payout.supplier.name
    text = _csv(
        f"{_today()},B0001,BOC-IN-0001,{first.hospital.name},6217000011,{first.amount},,货款",
        # The reference in the memo only, and the amount with a thousands separator.
        f'{_today()},B0002,,{second.hospital.name},6217000011,"{second.amount:,}",,转账 BOC-IN-0002',
        f"{_today()},B0003,,{supplier},6222000099,,{payout.amount},医用耗材货款 {batch.number}",
        f"{_today()},B0004,,不明单位,6200000000,88.00,,不明来款",
        # The right reference at the wrong amount is no match.
        f"{_today()},B0005,BOC-IN-0003,{missing.hospital.name},6217000011,1.00,,货款",
        "合计,,,,,,,",
    )
    statement = bank_statement_import(
        actor=pw.agency, file_name="2026-12.csv", data=text.encode("gb18030")
    )
    assert statement.encoding == "gb18030"
    assert statement.line_count == 5
    assert (statement.period_start, statement.period_end) == (clock.local_today(),) * 2
    kinds = dict(
        StatementMatch.objects.filter(line__statement=statement).values_list(
            "line__bank_reference", "kind"
        )
    )
    assert kinds == {
        "B0001": StatementMatchKind.HOSPITAL_PAYMENT,
        "B0002": StatementMatchKind.HOSPITAL_PAYMENT,
        "B0003": StatementMatchKind.PAYOUT,
    }
    assert StatementMatch.objects.get(line__bank_reference="B0003").payout == payout
    unmatched = selectors.unmatched_line_list(actor=pw.agency)
    assert {line.bank_reference for line in unmatched} == {"B0004", "B0005"}
    assert [r.number for r in selectors.missing_payments(statement=statement)] == [missing.number]
    assert selectors.missing_payouts(statement=statement) == []

    # The page shows the three lists; the bureau reads it too, but may not import.
    for user in (pw.agency, pw.bureau):
        client = Client()
        client.force_login(user)
        html = client.get(reverse("settlement:bank_statement_detail", args=[statement.pk]))
        body = html.content.decode()
        assert html.status_code == 200
        assert 'data-count-unmatched="2"' in body
        assert 'data-count-matched="3"' in body
        assert f'data-missing-payment="{missing.number}"' in body
        assert 'data-matched="payout"' in body
    bureau = Client()
    bureau.force_login(pw.bureau)
    upload = SimpleUploadedFile("x.csv", text.encode("gb18030"), content_type="text/csv")
    refused = bureau.post(reverse("settlement:bank_statement_import"), {"file": upload})
    assert refused.status_code == 403
    # The hospital sees no statement at all.
    hospital = Client()
    hospital.force_login(pw.finance)
    assert hospital.get(reverse("settlement:bank_statement_list")).status_code == 403


def test_a_transfer_recorded_after_the_import_matches_when_matched_again_r_escrow():
    pw = make_pay_world()
    from settlement.tests.pay_world import approved

    request = approved(pw)
    text = _csv(f"{_today()},B0100,BOC-LATE-1,医院,621,{request.amount},,货款")
    data = ("\ufeff" + text).encode("utf-8")  # UTF-8 with BOM
    statement = bank_statement_import(actor=pw.agency, file_name="late.csv", data=data)
    assert statement.encoding == "utf-8-sig"
    assert selectors.unmatched_line_list(actor=pw.agency).count() == 1
    payments.payment_request_pay(
        actor=pw.finance, request_id=request.pk, transfer_reference="BOC-LATE-1"
    )
    response = _api(pw.agency).post(f"{API}{statement.pk}/match/")
    assert response.status_code == 200, response.json()
    assert response.json()["matched_now"] == 1
    assert selectors.unmatched_line_list(actor=pw.agency).count() == 0
    # Matching again finds nothing new and changes nothing.
    assert bank_statement_match(actor=pw.agency, statement_id=statement.pk) == 0
    detail = _api(pw.bureau).get(f"{API}{statement.pk}/").json()
    assert detail["lines"][0]["match"]["payment_request"] == request.number
    assert detail["missing_payments"] == []


def test_the_same_file_twice_is_refused_and_an_overlapping_one_too(flow):
    pw, first, *_rest = flow
    text = _csv(f"{_today()},B0001,BOC-IN-0001,医院,621,{first.amount},,货款").encode()
    api = _api(pw.agency)
    created = api.post(API, {"file": SimpleUploadedFile("a.csv", text)}, format="multipart")
    assert created.status_code == 201, created.json()
    again = api.post(API, {"file": SimpleUploadedFile("b.csv", text)}, format="multipart")
    assert again.status_code == 409
    assert again.json()["code"] == "bank_statement_duplicate"
    with pytest.raises(BankStatementDuplicateError):
        bank_statement_import(actor=pw.agency, file_name="c.csv", data=text)
    # Another file holding a line already imported (the bank's serial): refused with its row.
    overlap = _csv(
        f"{_today()},B0009,,某单位,621,5.00,,来款",
        f"{_today()},B0001,BOC-IN-0001,医院,621,{first.amount},,货款",
    ).encode()
    with pytest.raises(BankStatementFileError) as refused:
        bank_statement_import(actor=pw.agency, file_name="d.csv", data=overlap)
    assert refused.value.extra["problems"] == [
        {"row": 3, "column": "交易流水号", "error": refused.value.extra["problems"][0]["error"]}
    ]
    assert BankStatement.objects.count() == 1
    assert BankStatementLine.objects.count() == 1
    page = Client()
    page.force_login(pw.agency)
    html = page.get(reverse("settlement:bank_statement_list")).content.decode()
    assert html.count("data-statement=") == 1


D = _today()
MALFORMED = {
    "a bad date": (_csv("2026-13-45,B1,,x,1,5.00,,m"), 2, "交易日期"),
    "three decimals": (_csv(f"{D},B1,,x,1,5.001,,m"), 2, "收入金额"),
    "letters for an amount": (_csv(f"{D},B1,,x,1,,abc,m"), 2, "支出金额"),
    "a negative amount": (_csv(f"{D},B1,,x,1,-5.00,,m"), 2, "收入金额"),
    "both amounts": (_csv(f"{D},B1,,x,1,5.00,5.00,m"), 2, "收入金额"),
    "neither amount": (_csv(f"{D},B1,,x,1,,,m"), 2, "收入金额"),
    "no serial": (_csv(f"{D},,,x,1,5.00,,m"), 2, "交易流水号"),
    "a serial twice": (_csv(f"{D},B1,,x,1,5.00,,m", f"{D},B1,,x,1,6.00,,m"), 3, "交易流水号"),
    "a missing column": (
        _csv(f"{D},B1,5.00", header="交易日期,交易流水号,收入金额"),
        1,
        "支出金额",
    ),
    "no header": ("a,b,c\n1,2,3\n", 1, "交易日期"),
    "no lines": (_csv(), 2, ""),
    "a bad row after good ones": (
        _csv(f"{D},B1,,x,1,5.00,,m", f"{D},B2,,x,1,6.00,,m", f"{D},B3,,x,1,x,,m"),
        4,
        "收入金额",
    ),
}


def test_a_malformed_statement_is_refused_whole_with_row_and_column_never_a_500():
    pw = make_pay_world()
    api = _api(pw.agency)
    for name, (text, row, column) in MALFORMED.items():
        upload = SimpleUploadedFile("bad.csv", text.encode("utf-8"))
        response = api.post(API, {"file": upload}, format="multipart")
        assert response.status_code == 400, (name, response.content)
        body = response.json()
        assert body["code"] == "bank_statement_file_invalid", name
        first = body["extra"]["problems"][0]
        assert (first["row"], first["column"]) == (row, column), (name, first)
    # Bytes that are no text in either encoding, and NUL bytes.
    for name, data in {"binary": b"\x80\x81\xff\xfe\x00\x00", "nul": b"a,\x00b\n"}.items():
        upload = SimpleUploadedFile("bad.csv", data)
        response = api.post(API, {"file": upload}, format="multipart")
        assert response.status_code == 400, (name, response.content)
        assert response.json()["code"] == "bank_statement_file_invalid"
    # No file at all: the serializer's own 400.
    assert api.post(API, {}, format="multipart").status_code == 400
    # The page shows every problem with its row and column, and writes nothing.
    page = Client()
    page.force_login(pw.agency)
    text, _row, _column = MALFORMED["a serial twice"]
    upload = SimpleUploadedFile("bad.csv", text.encode("gb18030"))
    response = page.post(reverse("settlement:bank_statement_import"), {"file": upload})
    assert response.status_code == 400
    assert 'data-problem-row="3"' in response.content.decode()
    assert BankStatement.objects.count() == BankStatementLine.objects.count() == 0


def test_a_bank_preamble_and_excel_guards_are_read_as_the_bank_wrote_them():
    pw = make_pay_world()
    text = (
        "账号:320100000001,户名:南京市医保资金监管账户\n"
        f"查询期间:{D} 至 {D}\n"
        "交易日期,交易流水号,对方户名,贷方发生额,借方发生额,用途,余额\n"
        f'{(clock.local_today() - dt.timedelta(days=1)):%Y%m%d},="0012345",某单位,"1,000.00",,来款,1000.00\n'
        f"{D} 10:22:33,\t0012346,某单位,,10.00,退款,990.00\n"
    )
    statement = bank_statement_import(actor=pw.agency, file_name="bank.csv", data=text.encode())
    lines = list(statement.lines.order_by("row"))
    assert [(line.row, line.bank_reference, str(line.amount)) for line in lines] == [
        (4, "0012345", "1000.00"),
        (5, "0012346", "10.00"),
    ]
    assert statement.period_start == clock.local_today() - dt.timedelta(days=1)
    assert str(statement.total_in) == "1000.00"
    assert str(statement.total_out) == "10.00"
