from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from core.exports import xlsx_bytes, xlsx_response


@pytest.mark.parametrize("dangerous", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", '=HYPERLINK("x")'])
def test_formula_like_text_is_escaped(dangerous):
    sheet = load_workbook(BytesIO(xlsx_bytes(["a"], [[dangerous]]))).active
    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert cell.value == "'" + dangerous


def test_numbers_and_amounts_stay_numbers():
    sheet = load_workbook(
        BytesIO(xlsx_bytes(["n", "amount", "text"], [[3, Decimal("1234.50"), "南京"]]))
    ).active
    assert sheet["A2"].value == 3
    assert sheet["B2"].value == 1234.5
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["C2"].value == "南京"


def test_response_is_a_download_with_a_chinese_file_name():
    response = xlsx_response("订单.xlsx", ["a"], [["b"]], sheet="订单")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E8%AE%A2%E5%8D%95.xlsx" in response["Content-Disposition"]


def test_the_sheet_is_named_and_its_header_row_frozen():
    book = load_workbook(BytesIO(xlsx_bytes(["订单号"], [["PO1"]], "订单/配送")))
    assert book.sheetnames == ["订单 配送"]  # "/" is not allowed in a sheet name
    assert book.active.freeze_panes == "A2"


def test_columns_are_as_wide_as_their_content_within_bounds():
    rows = [["a", "冠状动脉药物洗脱支架系统", "x" * 300, Decimal("1234567.50")]]
    sheet = load_workbook(BytesIO(xlsx_bytes(["n", "产品", "note", "金额"], rows, "s"))).active
    widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
    assert widths[0] == 6  # at least the minimum
    assert widths[1] >= 24  # twelve Chinese characters, two units each
    assert widths[2] == 50  # at most the maximum
    assert widths[3] >= len("1,234,567.50")


def test_money_is_a_number_with_two_decimals():
    sheet = load_workbook(BytesIO(xlsx_bytes(["金额"], [[Decimal("12.30")]], "s"))).active
    assert sheet["A2"].data_type == "n"
    assert sheet["A2"].value == 12.3
    assert sheet["A2"].number_format == "#,##0.00"


def test_an_export_over_its_row_limit_is_refused_saying_the_limit_and_why():
    """Built in the request: at most the stated rows; more is export_too_large (400), naming
    the limit and the reason, and the half-written sheet's temporary file is deleted."""
    from openpyxl.worksheet import _writer

    from core.exports import SYNC_LIMIT_REASON, ExportTooLargeError

    before = list(_writer.ALL_TEMP_FILES)
    with pytest.raises(ExportTooLargeError) as refused:
        xlsx_response("x.xlsx", ["a"], [["1"], ["2"], ["3"]], sheet="s", limit=2)
    assert refused.value.http_status == 400
    assert refused.value.code == "export_too_large"
    assert "2" in refused.value.message
    assert str(SYNC_LIMIT_REASON) in refused.value.message
    left = list(_writer.ALL_TEMP_FILES)
    assert left == before
    exact = xlsx_response("x.xlsx", ["a"], [["1"], ["2"]], sheet="s", limit=2)
    assert len(list(load_workbook(BytesIO(exact.content)).active.iter_rows())) == 3
