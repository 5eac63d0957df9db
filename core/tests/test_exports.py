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
    response = xlsx_response("订单.xlsx", ["a"], [["b"]])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E8%AE%A2%E5%8D%95.xlsx" in response["Content-Disposition"]
