"""The national code database and UDI database imports (catalog/services/imports.py)."""

import csv
import datetime as dt
import io
import random

import pytest

from accounts.choices import OrganizationKind, Role
from accounts.tests.factories import OrganizationFactory, user_with_role
from catalog.choices import ConsumableStatus
from catalog.errors import ImportFileInvalidError
from catalog.models import Category, Consumable, CrosswalkConflict, DeviceIdentifier
from catalog.search import consumable_search_terms
from catalog.services.imports import (
    REPORT_HEADER,
    consumable_import,
    device_identifier_import,
    parse_device_identifier,
)
from catalog.tests.factories import (
    CATALOG_HEADERS,
    UDI_HEADERS,
    ConsumableFactory,
    DeviceIdentifierFactory,
    catalog_row,
    gtin14,
    nhsa_code,
    udi_row,
    write_import_csv,
    write_import_xlsx,
)
from core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db

MA_DI = "MA.156.M0.100350.01004YA10017"


def run(path, **kwargs):
    return consumable_import(actor=None, path=path, **kwargs)


def run_udi(path, **kwargs):
    return device_identifier_import(actor=None, path=path, **kwargs)


def counts(result):
    return result.inserted, result.updated, result.unchanged, result.rejected


def report_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def reasons(result):
    return [(r.row, r.column, r.code, r.reason) for r in result.rejections]


@pytest.fixture
def csv_file(tmp_path):
    def make(rows, name="catalog.csv", **kwargs):
        return write_import_csv(tmp_path / name, rows, **kwargs)

    return make


@pytest.fixture
def udi_file(tmp_path):
    def make(rows, name="udi.csv", **kwargs):
        return write_import_csv(tmp_path / name, rows, headers=UDI_HEADERS, **kwargs)

    return make


# --- Importing the national code database ----------------------------------------------------


def test_import_inserts_consumables_with_their_code_segments(csv_file):
    path = csv_file([catalog_row(1), catalog_row(2, high_value="否", unit="个")])

    result = run(path)

    assert counts(result) == (2, 0, 0, 0)
    assert (result.rows, result.refused, result.report_path) == (2, False, None)
    product = Consumable.objects.get(code=nhsa_code(1))
    assert (
        product.base_code,
        product.category_l1,
        product.category_l2,
        product.category_l3,
        product.generic_group,
        product.material_code,
        product.feature_code,
        product.company_code,
        product.spec_serial,
    ) == ("C0201012120000010766", "02", "0201", "020101", "212", "00", "000", "10766", "0000001")
    assert product.product_name == "冠状动脉药物洗脱支架系统"
    assert product.specification == "直径3.0mm×长度1mm"
    assert product.registration_number == "国械注准20153460789"
    assert product.is_high_value is True
    assert product.status == ConsumableStatus.ACTIVE
    assert Consumable.objects.get(code=nhsa_code(2)).is_high_value is False


def test_search_terms_are_those_of_consumable_search_terms(csv_file):
    """The importer's fast bigrams must equal the definition search queries are built with."""
    path = csv_file(
        [
            catalog_row(1, specification=" 直径 3.0mm × 长度18mm\u3000", model="PR-Abc 30"),
            catalog_row(2, generic_name="", company_name="ÅBC 医疗\tSTRASSE", material=""),
        ]
    )

    assert counts(run(path)) == (2, 0, 0, 0)

    products = list(Consumable.objects.order_by("code"))
    assert [p.code for p in products] == [nhsa_code(1), nhsa_code(2)]
    for product in products:
        assert product.search_terms
        assert product.search_terms == consumable_search_terms(product)


def test_categories_are_created_with_levels_parents_and_names(csv_file):
    path = csv_file(
        [
            catalog_row(1),
            catalog_row(
                2,
                code=nhsa_code(2, category="031116"),
                category="03-骨科材料/0311-关节类材料/031116-髋关节假体",
            ),
            # No category column value: the codes are still added, names stay blank.
            catalog_row(3, code=nhsa_code(3, category="150101"), category=""),
        ]
    )

    run(path)

    tree = {
        c.code: (c.level, c.parent.code if c.parent else None, c.name)
        for c in Category.objects.all()
    }
    assert tree == {
        "02": (1, None, "血管介入治疗类材料"),
        "0201": (2, "02", "血管支架"),
        "020101": (3, "0201", "冠状动脉支架"),
        "03": (1, None, "骨科材料"),
        "0311": (2, "03", "关节类材料"),
        "031116": (3, "0311", "髋关节假体"),
        # No name in the file: 15 is not in the confirmed list (catalog/codes.py) either.
        "15": (1, None, ""),
        "1501": (2, "15", ""),
        "150101": (3, "1501", ""),
    }


# A product of the national release (public row of C0311160800200706410): its category path
# numbers each level locally, as real files do.
PLATE_CODE = "C0311160800200706410"
PLATE_PATH = "03-骨科材料/11-接骨板/16-小儿接骨板"


def test_locally_numbered_category_paths_name_every_level(csv_file):
    path = csv_file(
        [
            catalog_row(1, code=PLATE_CODE + "0000001", category=PLATE_PATH),
            # Both forms in one path; level 1 named by the file (05 is not confirmed).
            catalog_row(
                2,
                code="C05020108000000210870000003",
                category="05-心脏外科类材料/0502-心脏瓣膜/01-生物瓣膜",
            ),
        ]
    )

    result = run(path)

    assert (result.inserted, result.rejected) == (2, 0)
    names = dict(Category.objects.values_list("code", "name"))
    assert names == {
        "03": "骨科材料",
        "0311": "接骨板",
        "031116": "小儿接骨板",
        "05": "心脏外科类材料",
        "0502": "心脏瓣膜",
        "050201": "生物瓣膜",
    }


def test_cumulative_category_paths_still_name_every_level(csv_file):
    path = csv_file(
        [
            catalog_row(
                1, code=PLATE_CODE + "0000001", category="03-骨科材料/0311-接骨板/031116-小儿接骨板"
            )
        ]
    )

    run(path)

    assert dict(Category.objects.values_list("code", "name")) == {
        "03": "骨科材料",
        "0311": "接骨板",
        "031116": "小儿接骨板",
    }


@pytest.mark.parametrize(
    ("category", "value"),
    [
        pytest.param("03-骨科材料/12-接骨板/16-小儿接骨板", "12-接骨板", id="local-level-2"),
        pytest.param("03-骨科材料/11-接骨板/15-小儿接骨板", "15-小儿接骨板", id="local-level-3"),
        pytest.param("02-血管介入治疗类材料/11-接骨板", "02-血管介入治疗类材料", id="level-1"),
        pytest.param("03-骨科材料/0312-接骨板", "0312-接骨板", id="cumulative-level-2"),
        pytest.param("11-接骨板/16-小儿接骨板", "11-接骨板", id="level-1-missing"),
    ],
)
def test_a_category_number_that_disagrees_with_the_code_rejects_the_row(csv_file, category, value):
    path = csv_file(
        [
            catalog_row(1, code=PLATE_CODE + "0000001", category=PLATE_PATH),
            catalog_row(2, code=PLATE_CODE + "0000002", category=category),
        ]
    )

    result = run(path, partial=True)

    assert reasons(result) == [(3, "耗材分类", "import_row_invalid", "code_segment_mismatch")]
    assert result.rejections[0].value == value
    assert PLATE_CODE + "0000002" in result.rejections[0].message
    assert list(Consumable.objects.values_list("code", flat=True)) == [PLATE_CODE + "0000001"]
    # The rejected row named nothing.
    assert Category.objects.get(code="0311").name == "接骨板"


def test_one_category_path_is_checked_against_each_rows_code(csv_file):
    """A path that agreed with one product's code is checked again for the next code."""
    path = csv_file(
        [
            catalog_row(1, code=PLATE_CODE + "0000001", category=PLATE_PATH),
            catalog_row(2, code="C03111708002007064100000001", category=PLATE_PATH),
        ]
    )

    result = run(path, partial=True)

    assert reasons(result) == [(3, "耗材分类", "import_row_invalid", "code_segment_mismatch")]


def test_a_category_name_is_filled_in_but_never_overwritten(csv_file, tmp_path):
    Category.objects.create(code="02", level=1, name="血管介入治疗类材料")
    Category.objects.create(code="0201", level=2, name="", parent=Category.objects.get(code="02"))
    run(csv_file([catalog_row(1, category="02-改名/0201-血管支架/020101-冠脉支架")]))
    run(
        write_import_csv(
            tmp_path / "second.csv", [catalog_row(1, category="02-x/0201-别名/020101-别名")]
        )
    )

    names = dict(Category.objects.values_list("code", "name"))
    assert names == {"02": "血管介入治疗类材料", "0201": "血管支架", "020101": "冠脉支架"}


def test_either_registration_header_is_accepted(tmp_path):
    headers = {**CATALOG_HEADERS, "registration_number": "注册备案证号"}
    path = write_import_csv(tmp_path / "c.csv", [catalog_row(1)], headers=headers)

    assert counts(run(path)) == (1, 0, 0, 0)


def test_headers_are_matched_leniently_and_extra_columns_ignored(tmp_path):
    headers = {**CATALOG_HEADERS, "registrant": " 注册／备案人 ", "udi_di": "udi-di"}
    headers["price"] = "挂网价"
    path = write_import_csv(tmp_path / "c.csv", [catalog_row(1, price="12.00")], headers=headers)

    assert counts(run(path)) == (1, 0, 0, 0)
    assert Consumable.objects.get().registrant == "乐普(北京)医疗器械股份有限公司"


def test_optional_columns_may_be_missing(csv_file):
    optional = (
        "category",
        "spec_serial",
        "udi_di",
        "generic_name",
        "material",
        "unit",
        "high_value",
    )
    path = csv_file([catalog_row(1)], drop=optional)

    assert counts(run(path)) == (1, 0, 0, 0)
    product = Consumable.objects.get()
    assert (product.generic_name, product.unit, product.is_high_value) == ("", "", False)


# --- A file that cannot be imported at all changes nothing ----------------------------------


@pytest.mark.parametrize(
    ("drop", "missing"),
    [
        pytest.param(("code",), "医用耗材代码", id="code"),
        pytest.param(("registration_number",), "注册证编号", id="registration"),
        pytest.param(("specification", "model"), "规格, 型号", id="two-columns"),
    ],
)
def test_a_header_without_required_columns_names_them_and_changes_nothing(csv_file, drop, missing):
    ConsumableFactory(code=nhsa_code(1), product_name="旧名称")
    path = csv_file([catalog_row(1), catalog_row(2)], drop=drop)

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run(path)

    error = excinfo.value
    assert (error.code, error.reason, error.extra["columns"]) == (
        "import_file_invalid",
        "missing_columns",
        missing,
    )
    assert list(Consumable.objects.values_list("product_name", flat=True)) == ["旧名称"]
    assert not (path.parent / "catalog.rejected.csv").exists()


def test_a_column_given_twice_is_refused(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("医用耗材代码,注册证编号,注册备案证号\n", encoding="utf-8")

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run(path)

    assert excinfo.value.reason == "duplicate_columns"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"", "empty", id="zero-bytes"),
        pytest.param(b"\xef\xbb\xbf\r\n\r\n", "empty", id="bom-and-blank-lines"),
        pytest.param(",".join(CATALOG_HEADERS.values()).encode() + b"\n", "no_rows", id="header"),
        pytest.param(
            ",".join(CATALOG_HEADERS.values()).encode() + b"\n,,,\n\n", "no_rows", id="blank-rows"
        ),
        pytest.param(b"\xff\xff\xfe\x00\x01", "unknown_format", id="binary"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "unknown_format", id="old-xls"),
        pytest.param(b"\xff\xfe\xff\xfe,", "bad_encoding", id="utf-16"),
        pytest.param(b"abc,\xff\xff\n", "bad_encoding", id="undecodable"),
        pytest.param(
            # Random bytes with their NULs removed: neither UTF-8 nor GB18030.
            random.Random(9).randbytes(200_000).replace(b"\x00", b""),
            "bad_encoding",
            id="binary-garbage-without-nul",
        ),
        pytest.param(
            ",".join(CATALOG_HEADERS.values()).encode() + b"\n" + b"C" * (3 << 20) + b"\n",
            "line_too_long",
            id="huge-line",
        ),
        pytest.param(
            ",".join(CATALOG_HEADERS.values()).encode(), "no_rows", id="header-without-newline"
        ),
        pytest.param(
            ",".join(CATALOG_HEADERS.values()).encode() + b'\n"C02"x,1\n',
            "unreadable",
            id="text-after-a-closing-quote",
        ),
    ],
)
def test_an_empty_or_unreadable_file_is_refused(tmp_path, content, reason):
    path = tmp_path / "c.csv"
    path.write_bytes(content)

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run(path)

    assert excinfo.value.reason == reason
    assert not Consumable.objects.exists()


def test_an_undecodable_row_after_the_detection_sample_is_named(csv_file, monkeypatch):
    monkeypatch.setattr("catalog.services.imports.ENCODING_SAMPLE", 64)
    path = csv_file([catalog_row(n) for n in range(1, 4)])
    # The sample (64 bytes) is valid UTF-8; row 4 is GBK.
    with path.open("ab") as handle:
        handle.write(",".join(catalog_row(4).values()).encode("gbk") + b"\n")

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run(path)

    assert (excinfo.value.reason, excinfo.value.extra["line"]) == ("bad_encoding", 5)
    assert not Consumable.objects.exists()


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ImportFileInvalidError) as excinfo:
        run(tmp_path / "nope.csv")
    assert excinfo.value.reason == "not_found"


def test_a_workbook_cut_off_in_the_middle_is_refused(tmp_path):
    path = write_import_xlsx(tmp_path / "c.xlsx", [catalog_row(n) for n in range(1, 400)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run(path)

    assert excinfo.value.reason == "unreadable"
    assert not Consumable.objects.exists()


def test_a_latin_1_file_is_refused_with_its_line(tmp_path):
    path = tmp_path / "c.csv"
    header = ",".join(CATALOG_HEADERS.values()).encode("utf-8")
    path.write_bytes(header + b"\nC01,Caf\xe9,x\n")

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run(path)

    assert (excinfo.value.reason, excinfo.value.extra["line"]) == ("bad_encoding", 2)


def test_a_broken_workbook_is_refused(tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run(path)
    assert excinfo.value.reason == "unreadable"


# --- Row validation ----------------------------------------------------------------------------

ROW_ERRORS = [
    pytest.param({"code": ""}, "医用耗材代码", "nhsa_code_invalid", "empty", id="code-empty"),
    pytest.param(
        {"code": "C0201012120000010766000001"},
        "医用耗材代码",
        "nhsa_code_invalid",
        "bad_length",
        id="code-26-chars",
    ),
    pytest.param(
        {"code": "D02010121200000107660000001"},
        "医用耗材代码",
        "nhsa_code_invalid",
        "bad_prefix",
        id="code-prefix",
    ),
    pytest.param(
        {"code": "C0201012120000010766000000O"},
        "医用耗材代码",
        "nhsa_code_invalid",
        "bad_character",
        id="code-letter-o",
    ),
    pytest.param(
        {"code": "C18010121200000107660000001"},
        "医用耗材代码",
        "nhsa_code_invalid",
        "bad_level1",
        id="code-category-18",
    ),
    pytest.param(
        {"code": "C0201012120000010766", "spec_serial": ""},
        "医用耗材代码",
        "import_row_invalid",
        "base_code_only",
        id="base-code-without-serial",
    ),
    pytest.param(
        {"spec_serial": "0000999"},
        "规格型号编号",
        "import_row_invalid",
        "spec_serial_mismatch",
        id="serial-mismatch",
    ),
    pytest.param(
        {"code": "C0201012120000010766", "spec_serial": "12345678"},
        "规格型号编号",
        "import_row_invalid",
        "bad_spec_serial",
        id="serial-8-digits",
    ),
    pytest.param(
        {"registration_number": ""},
        "注册证编号",
        "registration_number_invalid",
        "empty",
        id="registration-empty",
    ),
    pytest.param(
        {"registration_number": "美械注准20153460789"},
        "注册证编号",
        "registration_number_invalid",
        "bad_prefix",
        id="registration-issuer",
    ),
    pytest.param(
        {"registration_number": "国械注准19993460789"},
        "注册证编号",
        "registration_number_invalid",
        "bad_year",
        id="registration-year",
    ),
    pytest.param(
        {"registration_number": "国械注准20152460789"},
        "注册证编号",
        "registration_number_invalid",
        "bad_class",
        id="registration-class",
    ),
    pytest.param(
        {"registration_number": "国械注准2015346078"},
        "注册证编号",
        "registration_number_invalid",
        "bad_length",
        id="registration-length",
    ),
    pytest.param(
        {"product_name": "  "},
        "单件产品名称",
        "import_row_invalid",
        "required",
        id="product-name-empty",
    ),
    pytest.param(
        {"specification": "长" * 501},
        "规格",
        "import_row_invalid",
        "too_long",
        id="specification-too-long",
    ),
    pytest.param(
        {"unit": "一二三四五六七八九十一二三四五六七八九十一"},
        "单位",
        "import_row_invalid",
        "too_long",
        id="unit-too-long",
    ),
    pytest.param(
        {"high_value": "也许"}, "高值", "import_row_invalid", "bad_boolean", id="high-value"
    ),
]


@pytest.mark.parametrize(("values", "column", "code", "reason"), ROW_ERRORS)
def test_each_row_error_is_reported_with_row_column_and_reason(
    csv_file, values, column, code, reason
):
    path = csv_file([catalog_row(1), catalog_row(2, **values), catalog_row(3)])

    result = run(path)

    assert reasons(result) == [(3, column, code, reason)]
    rows = report_rows(result.report_path)
    assert rows[0] == list(REPORT_HEADER)
    assert rows[1][:5] == ["3", column, rows[1][2], code, reason]
    assert rows[1][5]  # the message names the value and the reason


def test_a_rejection_message_names_the_value(csv_file):
    result = run(csv_file([catalog_row(1, code="C0201012120000010766000001")]))

    rejection = result.rejections[0]
    assert rejection.value == "C0201012120000010766000001"
    assert "C0201012120000010766000001" in rejection.message


def test_a_row_with_more_cells_than_the_header_is_rejected(tmp_path):
    path = tmp_path / "c.csv"
    header = ",".join(CATALOG_HEADERS.values())
    good = ",".join(catalog_row(1).values())
    path.write_text(f"{header}\n{good}\n{good},surplus\n{good},,\n", encoding="utf-8")

    result = run(path, partial=True)

    # Trailing empty cells (a spreadsheet's habit) are fine; a filled surplus cell is not. The
    # third row duplicates the first and is rejected as such.
    assert [(r.row, r.reason) for r in result.rejections] == [
        (3, "extra_cells"),
        (4, "duplicate_code"),
    ]


# --- Truncated files and short rows (#9) -------------------------------------------------------


def csv_bytes(rows, headers=CATALOG_HEADERS):
    """The bytes write_import_csv writes: a header, then one CRLF-terminated line per row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers.values())
    for row in rows:
        writer.writerow([row.get(key, "") for key in headers])
    return buffer.getvalue().encode("utf-8")


def catalogue_rows():
    """Every stored product, every column: what an import must leave alone when it refuses."""
    return list(Consumable.objects.order_by("code").values())


@pytest.fixture
def catalogue(csv_file):
    """Three products already imported, and the rows the database holds for them."""
    run(csv_file([catalog_row(n) for n in (1, 2, 3)], name="release-1.csv"))
    return catalogue_rows()


def test_a_file_cut_mid_row_is_refused_whole_and_changes_nothing(tmp_path, catalogue):
    """The finding: a release cut after row 4's 规格 imported as "updated 1" and blanked the
    product's 型号, 通用名, 材质 and 单位. Now the whole file is refused, with the row."""
    data = csv_bytes(
        [catalog_row(1), catalog_row(2, registered_name="改名"), catalog_row(3, model="PR-NEW")]
    )
    path = tmp_path / "cut.csv"
    path.write_bytes(data[: data.rindex(b",PR-NEW")])

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run(path, partial=True)

    error = excinfo.value
    assert (error.reason, error.extra["row"], error.extra["line"]) == ("cut_mid_row", 4, 4)
    assert (error.extra["count"], error.extra["width"]) == (8, len(CATALOG_HEADERS))
    # Row 3's valid change is not written either: the file is refused as a whole.
    assert catalogue_rows() == catalogue


def cut_inside_the_last_value():
    """The last row's 规格 is quoted (it holds a comma); the file ends inside it."""
    data = csv_bytes([catalog_row(1), catalog_row(2), catalog_row(3, specification="3.0mm, 18mm")])
    return data[: data.rindex(b'mm"')]


def quote_never_closed():
    """A quote opened in row 2 (the first data row) is never closed: it swallows the rest."""
    lines = csv_bytes([catalog_row(1), catalog_row(2), catalog_row(3)]).split(b"\r\n")
    lines[1] = lines[1].replace(b",", b',"', 2).replace(b',"', b",", 1)
    return b"\r\n".join(lines)


@pytest.mark.parametrize(
    ("content", "row", "line"),
    [
        pytest.param(cut_inside_the_last_value, 4, 4, id="cut-inside-the-last-value"),
        pytest.param(quote_never_closed, 2, 2, id="quote-never-closed"),
    ],
)
def test_a_file_ending_inside_a_quoted_value_is_refused_whole(
    tmp_path, catalogue, content, row, line
):
    path = tmp_path / "cut.csv"
    path.write_bytes(content())

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run(path, partial=True)

    error = excinfo.value
    assert (error.reason, error.extra["row"], error.extra["line"]) == ("cut_in_quote", row, line)
    assert catalogue_rows() == catalogue


def test_a_row_with_fewer_cells_than_the_header_is_a_row_error(tmp_path, catalogue):
    data = csv_bytes([catalog_row(1, model="PR-NEW"), catalog_row(2, model="PR-NEW")])
    # Row 2 loses everything after its 规格 (a line broken in an editor, say); row 3 is fine.
    lines = data.split(b"\r\n")
    lines[1] = lines[1][: lines[1].index(b",PR-NEW")]
    path = tmp_path / "short.csv"
    path.write_bytes(b"\r\n".join(lines))

    result = run(path)

    assert result.refused
    assert reasons(result) == [(2, "", "import_row_invalid", "missing_cells")]
    assert result.rejections[0].value.startswith(nhsa_code(1))
    assert catalogue_rows() == catalogue


def test_partial_imports_around_a_short_row_and_leaves_its_product_alone(tmp_path, catalogue):
    data = csv_bytes([catalog_row(1, model="PR-NEW"), catalog_row(2, model="PR-NEW")])
    lines = data.split(b"\r\n")
    lines[1] = lines[1][: lines[1].index(b",PR-NEW")]
    path = tmp_path / "short.csv"
    path.write_bytes(b"\r\n".join(lines))

    result = run(path, partial=True)

    assert counts(result) == (0, 1, 0, 1)
    first, second, third = catalogue_rows()
    assert first == catalogue[0]
    assert second["model"] == "PR-NEW"
    assert third == catalogue[2]


def test_a_last_row_without_line_break_but_with_every_cell_is_read(csv_file, tmp_path):
    data = csv_bytes([catalog_row(1), catalog_row(2)])
    path = tmp_path / "no-final-newline.csv"
    path.write_bytes(data.removesuffix(b"\r\n"))

    result = run(path)

    assert counts(result) == (2, 0, 0, 0)


def test_a_workbook_row_without_its_trailing_empty_cells_is_read(tmp_path):
    """A spreadsheet does not store empty cells at the end of a row; that is not a cut."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(CATALOG_HEADERS.values()))
    row = catalog_row(1)
    sheet.append([row[key] for key in list(CATALOG_HEADERS)[:9]])  # up to 型号
    path = tmp_path / "c.xlsx"
    workbook.save(path)

    result = run(path)

    assert counts(result) == (1, 0, 0, 0)
    assert (Consumable.objects.get().model, Consumable.objects.get().unit) == (row["model"], "")


def test_a_short_udi_row_is_a_row_error(tmp_path):
    data = csv_bytes([udi_row(1), udi_row(2)], headers=UDI_HEADERS)
    lines = data.split(b"\r\n")
    lines[2] = lines[2][: lines[2].rindex(b",", 0, lines[2].rindex(b","))]
    path = tmp_path / "udi.csv"
    path.write_bytes(b"\r\n".join(lines))

    result = run_udi(path)

    assert result.refused
    assert reasons(result) == [(3, "", "import_row_invalid", "missing_cells")]
    assert not DeviceIdentifier.objects.exists()


def test_a_udi_file_cut_mid_row_is_refused(tmp_path):
    data = csv_bytes([udi_row(1), udi_row(2)], headers=UDI_HEADERS)
    path = tmp_path / "udi.csv"
    path.write_bytes(data[: data.rindex(b",", 0, len(data) - 10)])

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run_udi(path, partial=True)

    assert (excinfo.value.reason, excinfo.value.extra["row"]) == ("cut_mid_row", 3)
    assert not DeviceIdentifier.objects.exists()


def test_a_base_code_with_its_serial_column_makes_the_full_code(csv_file):
    path = csv_file([catalog_row(1, code="C0201012120000010766", spec_serial="16")])

    run(path)

    assert Consumable.objects.get().code == "C02010121200000107660000016"


def test_a_lowercase_code_and_a_spaced_registration_number_are_normalised(csv_file):
    path = csv_file(
        [catalog_row(1, code="c" + nhsa_code(1)[1:], registration_number=" 国械注准 20153460789号")]
    )

    run(path)

    product = Consumable.objects.get()
    assert (product.code, product.registration_number) == (nhsa_code(1), "国械注准20153460789")


def test_a_code_repeated_in_the_file_rejects_the_later_rows(csv_file):
    path = csv_file([catalog_row(1), catalog_row(2), catalog_row(1, model="X"), catalog_row(1)])

    result = run(path, partial=True)

    assert [(r.row, r.column, r.reason, r.value) for r in result.rejections] == [
        (4, "医用耗材代码", "duplicate_code", nhsa_code(1)),
        (5, "医用耗材代码", "duplicate_code", nhsa_code(1)),
    ]
    assert "2" in result.rejections[0].message  # names the first row
    assert counts(result) == (2, 0, 0, 2)
    assert Consumable.objects.get(code=nhsa_code(1)).model == "PR30001"  # the first row wins


# --- All or nothing --------------------------------------------------------------------------


def test_one_rejected_row_refuses_the_whole_file(csv_file):
    existing = ConsumableFactory(code=nhsa_code(1), product_name="旧名称")
    path = csv_file([catalog_row(1), catalog_row(2), catalog_row(3, code="bad")])

    result = run(path)

    assert result.refused
    assert counts(result) == (0, 0, 0, 1)
    assert list(Consumable.objects.all()) == [existing]
    existing.refresh_from_db()
    assert existing.product_name == "旧名称"
    assert not Category.objects.exists()
    assert result.report_path == path.parent / "catalog.rejected.csv"
    assert len(report_rows(result.report_path)) == 2


def test_partial_keeps_the_valid_rows(csv_file):
    path = csv_file([catalog_row(1), catalog_row(2, code="bad"), catalog_row(3)])

    result = run(path, partial=True)

    assert not result.refused
    assert counts(result) == (2, 0, 0, 1)
    assert set(Consumable.objects.values_list("code", flat=True)) == {nhsa_code(1), nhsa_code(3)}


def test_the_report_goes_where_asked(csv_file, tmp_path):
    target = tmp_path / "reports" / "rejected.csv"

    result = run(csv_file([catalog_row(1, code="bad")]), report_path=target)

    assert result.report_path == target
    assert report_rows(target)[1][0] == "2"


def test_rejections_kept_in_memory_are_capped_but_the_report_has_all(csv_file, monkeypatch):
    monkeypatch.setattr("catalog.services.imports.KEEP_REJECTIONS", 3)
    path = csv_file([catalog_row(n, code=f"bad{n}") for n in range(1, 8)])

    result = run(path)

    assert (result.rejected, len(result.rejections)) == (7, 3)
    assert len(report_rows(result.report_path)) == 8


# --- Re-importing ------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(csv_file):
    path = csv_file([catalog_row(n) for n in range(1, 6)])
    run(path)
    before = dict(Consumable.objects.values_list("code", "updated_at"))
    categories = Category.objects.count()

    result = run(path)

    assert counts(result) == (0, 0, 5, 0)
    assert dict(Consumable.objects.values_list("code", "updated_at")) == before
    assert Category.objects.count() == categories


def test_reimporting_with_changed_rows_updates_only_those(csv_file, tmp_path):
    rows = [catalog_row(n) for n in range(1, 21)]
    run(csv_file(rows))
    before = dict(Consumable.objects.values_list("code", "updated_at"))
    changed = [
        catalog_row(n, specification=f"直径3.5mm×长度{n}mm") if n % 10 == 0 else catalog_row(n)
        for n in range(1, 21)
    ] + [catalog_row(21)]

    result = run(write_import_csv(tmp_path / "second.csv", changed))

    assert counts(result) == (1, 2, 18, 0)
    after = dict(Consumable.objects.values_list("code", "updated_at"))
    touched = {code for code in before if after[code] != before[code]}
    assert touched == {nhsa_code(10), nhsa_code(20)}
    product = Consumable.objects.get(code=nhsa_code(10))
    assert product.specification == "直径3.5mm×长度10mm"
    assert product.search_terms == consumable_search_terms(product)


def test_a_retired_product_in_the_release_is_active_again(csv_file):
    ConsumableFactory(**_factory_fields(catalog_row(1)), status=ConsumableStatus.RETIRED)

    result = run(csv_file([catalog_row(1)]))

    assert counts(result) == (0, 1, 0, 0)
    assert Consumable.objects.get().status == ConsumableStatus.ACTIVE


def _factory_fields(row):
    fields = {k: v for k, v in row.items() if k not in ("category", "spec_serial", "udi_di")}
    fields["is_high_value"] = row["high_value"] == "是"
    del fields["high_value"]
    return fields


# --- Manufacturers -----------------------------------------------------------------------------


def test_a_registrant_named_like_a_manufacturer_is_linked(csv_file):
    maker = OrganizationFactory(name="乐普(北京)医疗器械股份有限公司")
    other = OrganizationFactory(name="上海某医疗器械有限公司")
    path = csv_file(
        [
            catalog_row(1),
            catalog_row(2, registrant="代理人有限公司", company_name="上海某医疗器械有限公司"),
            catalog_row(3, registrant="无此企业", company_name="无此企业"),
        ]
    )

    run(path)

    linked = dict(Consumable.objects.values_list("code", "manufacturer_id"))
    assert linked == {nhsa_code(1): maker.pk, nhsa_code(2): other.pk, nhsa_code(3): None}


def test_only_manufacturers_and_unambiguous_names_are_linked(csv_file):
    OrganizationFactory(name="同名企业")
    OrganizationFactory(name="同名企业")
    OrganizationFactory(name="某配送企业", kind=OrganizationKind.DISTRIBUTOR)
    path = csv_file(
        [
            catalog_row(1, registrant="同名企业", company_name="同名企业"),
            catalog_row(2, registrant="某配送企业", company_name="某配送企业"),
        ]
    )

    run(path)

    assert set(Consumable.objects.values_list("manufacturer_id", flat=True)) == {None}


def test_a_link_set_by_hand_survives_a_reimport(csv_file):
    maker = OrganizationFactory(name="手工关联企业")
    path = csv_file([catalog_row(1)])
    run(path)
    Consumable.objects.update(manufacturer=maker)

    assert counts(run(path)) == (0, 0, 1, 0)
    assert Consumable.objects.get().manufacturer == maker


# --- Encodings and formats --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "label"),
    [
        pytest.param("utf-8", "utf-8", id="utf-8"),
        pytest.param("utf-8-sig", "utf-8-bom", id="utf-8-bom"),
        pytest.param("gbk", "gbk", id="gbk"),
    ],
)
def test_csv_encodings_are_detected(csv_file, encoding, label):
    path = csv_file([catalog_row(1), catalog_row(2)], encoding=encoding)

    result = run(path)

    assert (result.encoding, result.file_format) == (label, "csv")
    assert Consumable.objects.get(code=nhsa_code(1)).registrant == "乐普(北京)医疗器械股份有限公司"


def test_a_gb18030_file_with_characters_outside_gbk_is_read(csv_file):
    # 𠀾 (U+2003E) is a CJK Extension B character: GB18030 encodes it in four bytes, GBK cannot.
    path = csv_file([catalog_row(1, registrant="𠀾医疗器械有限公司")], encoding="gb18030")

    result = run(path)

    assert result.encoding == "gb18030"
    assert Consumable.objects.get().registrant == "𠀾医疗器械有限公司"


def test_an_xlsx_workbook_is_imported_with_cell_types_turned_into_text(tmp_path):
    rows = [
        # A spreadsheet keeps numbers: the serial 0000016 becomes 16, 高值 may be a boolean.
        catalog_row(1, code="C0201012120000010766", spec_serial=16, high_value=True),
        catalog_row(2, specification=3.5, model=30012),
        catalog_row(3, unit=None, material=None),
    ]
    path = write_import_xlsx(tmp_path / "catalog.xlsx", rows)

    result = run(path)

    assert (result.file_format, counts(result)) == ("xlsx", (3, 0, 0, 0))
    assert Consumable.objects.get(code="C02010121200000107660000016").is_high_value is True
    second = Consumable.objects.get(code=nhsa_code(2))
    assert (second.specification, second.model) == ("3.5", "30012")
    assert Consumable.objects.get(code=nhsa_code(3)).unit == ""


def test_xlsx_rejections_use_spreadsheet_row_numbers(tmp_path):
    path = write_import_xlsx(tmp_path / "c.xlsx", [catalog_row(1), catalog_row(2, code="C1")])

    result = run(path)

    assert reasons(result) == [(3, "医用耗材代码", "nhsa_code_invalid", "bad_length")]


# --- Progress and permissions ------------------------------------------------------------------


def test_progress_reports_rows_done_between_copy_batches(csv_file, monkeypatch):
    monkeypatch.setattr("catalog.services.imports.COPY_BATCH", 4)
    seen = []

    run(csv_file([catalog_row(n) for n in range(1, 11)]), progress=seen.append)

    assert seen == [4, 8, 10, 10]


def test_importing_needs_the_catalog_import_permission(csv_file):
    path = csv_file([catalog_row(1)])

    with pytest.raises(PermissionDeniedError):
        consumable_import(actor=user_with_role(Role.BUREAU_OFFICER), path=path)
    result = consumable_import(actor=user_with_role(Role.PLATFORM_ADMIN), path=path)

    assert result.inserted == 1


# --- The UDI database and the crosswalk --------------------------------------------------------


def test_a_udi_is_linked_to_the_consumable_of_its_ybbm(udi_file):
    product = ConsumableFactory(code=nhsa_code(1))

    result = run_udi(udi_file([udi_row(1, agency="中国物品编码中心", packaging_quantity="10")]))

    assert (result.inserted, result.updated, result.unchanged, result.unlinked) == (1, 0, 0, 0)
    di = DeviceIdentifier.objects.get()
    assert (di.di, di.agency, di.consumable, di.nhsa_code, di.packaging_quantity) == (
        gtin14(1),
        "gs1",
        product,
        nhsa_code(1),
        10,
    )
    assert di.registration_number == "国械注准20153460789"


def test_a_ybbm_unknown_to_the_catalogue_is_kept_unlinked_and_linked_later(udi_file, csv_file):
    path = udi_file([udi_row(1)])

    first = run_udi(path)

    assert (first.inserted, first.unlinked) == (1, 1)
    di = DeviceIdentifier.objects.get()
    assert (di.consumable, di.nhsa_code) == (None, nhsa_code(1))

    run(csv_file([catalog_row(1)]))
    again = run_udi(path)

    assert (again.updated, again.unlinked) == (1, 0)
    assert DeviceIdentifier.objects.get().consumable.code == nhsa_code(1)


def test_a_di_claimed_by_another_code_is_a_conflict_and_keeps_its_link(udi_file):
    current = ConsumableFactory(code=nhsa_code(1))
    ConsumableFactory(code=nhsa_code(2))
    DeviceIdentifierFactory(di=gtin14(1), consumable=current)
    path = udi_file([udi_row(1, nhsa_code=nhsa_code(2)), udi_row(3, nhsa_code=nhsa_code(2))])

    result = run_udi(path)

    assert (result.conflicts, result.inserted, result.updated, result.unchanged) == (1, 1, 0, 0)
    di = DeviceIdentifier.objects.get(di=gtin14(1))
    assert (di.consumable, di.nhsa_code) == (current, nhsa_code(1))
    conflict = CrosswalkConflict.objects.get()
    assert (conflict.di, conflict.current_code, conflict.claimed_code) == (
        gtin14(1),
        nhsa_code(1),
        nhsa_code(2),
    )
    assert (conflict.source, conflict.row_number, conflict.resolved_at) == ("udi.csv", 2, None)

    # Reported again on a re-run, but recorded once while it is open.
    assert run_udi(path).conflicts == 1
    assert CrosswalkConflict.objects.count() == 1


def test_an_empty_ybbm_does_not_clear_a_known_code(udi_file):
    product = ConsumableFactory(code=nhsa_code(1))
    DeviceIdentifierFactory(di=gtin14(1), consumable=product)

    result = run_udi(udi_file([udi_row(1, nhsa_code="", product_name="新名称")]))

    assert (result.updated, result.conflicts) == (1, 0)
    di = DeviceIdentifier.objects.get()
    assert (di.consumable, di.nhsa_code, di.product_name) == (product, nhsa_code(1), "新名称")


def test_reimporting_the_same_udi_file_changes_nothing(udi_file):
    ConsumableFactory(code=nhsa_code(1))
    path = udi_file([udi_row(1), udi_row(2), udi_row(3, di=MA_DI, agency="MA码")])
    run_udi(path)
    before = dict(DeviceIdentifier.objects.values_list("di", "updated_at"))

    result = run_udi(path)

    assert (result.inserted, result.updated, result.unchanged, result.unlinked) == (0, 0, 3, 2)
    assert dict(DeviceIdentifier.objects.values_list("di", "updated_at")) == before


@pytest.mark.parametrize(
    ("value", "agency", "di"),
    [
        pytest.param(gtin14(7), "gs1", gtin14(7), id="gtin-14"),
        pytest.param(gtin14(7)[1:], "gs1", gtin14(7), id="gtin-13-padded"),
        pytest.param(MA_DI, "ma", MA_DI, id="ma"),
        pytest.param("MF1234567890123", "ahm", "MF1234567890123", id="ahm"),
    ],
)
def test_device_identifiers_of_each_agency_parse(value, agency, di):
    assert parse_device_identifier(value) == (agency, di)


UDI_ERRORS = [
    pytest.param(
        {"di": gtin14(1)[:-1] + str((int(gtin14(1)[-1]) + 1) % 10)},
        "最小销售单元产品标识",
        "barcode_invalid",
        "bad_check_digit",
        id="gtin-check-digit",
    ),
    pytest.param(
        {"di": "12345"}, "最小销售单元产品标识", "barcode_invalid", "unknown_structure", id="short"
    ),
    pytest.param(
        {"di": "(01)06901234567892"},
        "最小销售单元产品标识",
        "barcode_invalid",
        "unknown_structure",
        id="element-string",
    ),
    pytest.param(
        {"di": "MA.156.M0.1003.01004YA10017"},
        "最小销售单元产品标识",
        "barcode_invalid",
        "bad_di",
        id="ma-shape",
    ),
    pytest.param(
        {"di": MA_DI + ".LAY2106", "agency": "MA"},
        "最小销售单元产品标识",
        "import_row_invalid",
        "not_a_di",
        id="ma-with-lot",
    ),
    pytest.param(
        {"di": "MF12345678901234"},
        "最小销售单元产品标识",
        "barcode_invalid",
        "bad_di",
        id="ahm-too-long",
    ),
    pytest.param(
        {"di": "", "agency": ""}, "最小销售单元产品标识", "barcode_invalid", "empty", id="empty"
    ),
    pytest.param(
        {"agency": "某机构"}, "发码机构", "import_row_invalid", "agency_unknown", id="agency"
    ),
    pytest.param(
        {"agency": "AHM"}, "发码机构", "import_row_invalid", "agency_mismatch", id="mismatch"
    ),
    pytest.param(
        {"nhsa_code": f"{nhsa_code(1)},{nhsa_code(2)}"},
        "医保编码",
        "import_row_invalid",
        "multiple_codes",
        id="two-codes",
    ),
    pytest.param(
        {"nhsa_code": "C99"}, "医保编码", "nhsa_code_invalid", "bad_length", id="ybbm-invalid"
    ),
    pytest.param(
        {"registration_number": "国械注准2015"},
        "注册证编号",
        "registration_number_invalid",
        "bad_length",
        id="registration",
    ),
    pytest.param(
        {"packaging_quantity": "0"},
        "包装内含数量",
        "import_row_invalid",
        "bad_integer",
        id="quantity-zero",
    ),
    pytest.param(
        {"packaging_level": "箱" * 51},
        "包装层级",
        "import_row_invalid",
        "too_long",
        id="level-too-long",
    ),
]


@pytest.mark.parametrize(("values", "column", "code", "reason"), UDI_ERRORS)
def test_each_udi_row_error_is_reported(udi_file, values, column, code, reason):
    path = udi_file([udi_row(1), udi_row(2, **values)])

    result = run_udi(path)

    assert result.refused
    assert reasons(result) == [(3, column, code, reason)]
    assert not DeviceIdentifier.objects.exists()


def test_a_di_repeated_in_the_udi_file_is_rejected(udi_file):
    path = udi_file([udi_row(1), udi_row(1, nhsa_code=nhsa_code(9)), udi_row(2)])

    result = run_udi(path, partial=True)

    assert [(r.row, r.reason) for r in result.rejections] == [(3, "duplicate_di")]
    assert DeviceIdentifier.objects.get(di=gtin14(1)).nhsa_code == nhsa_code(1)


def test_udi_field_names_of_the_nmpa_download_are_accepted(tmp_path):
    headers = {
        "di": "ZXXSDYCPBS",
        "agency": "cpbsbmtxmc",
        "nhsa_code": "ybbm",
        "registration_number": "zczbhhzbapzbh",
        "product_name": "cpmctymc",
        "specification": "ggxh",
        "company_name": "ylqxzcrbarmc",
    }
    path = write_import_csv(tmp_path / "u.csv", [udi_row(1)], headers=headers)

    assert run_udi(path).inserted == 1


def test_a_missing_udi_column_is_named(tmp_path):
    path = write_import_csv(
        tmp_path / "u.csv", [udi_row(1)], headers=UDI_HEADERS, drop=("nhsa_code",)
    )

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run_udi(path)

    assert (excinfo.value.reason, excinfo.value.extra["columns"]) == ("missing_columns", "医保编码")


def test_packaging_defaults_when_the_columns_are_absent(tmp_path):
    path = write_import_csv(
        tmp_path / "u.csv",
        [udi_row(1)],
        headers=UDI_HEADERS,
        drop=("agency", "packaging_level", "packaging_quantity"),
    )

    run_udi(path)

    di = DeviceIdentifier.objects.get()
    assert (di.agency, di.packaging_level, di.packaging_quantity) == ("gs1", "", 1)


@pytest.mark.parametrize(
    ("level", "stored"),
    [
        pytest.param("盒", "盒", id="box"),
        pytest.param("箱", "箱", id="case"),
        pytest.param(" 中包装 ", "中包装", id="trimmed"),
        pytest.param("2", "2", id="number-as-written"),
        pytest.param("", "", id="not-given"),
    ],
)
def test_packaging_levels_are_read_as_text(udi_file, level, stored):
    """cpbzjb (包装级别) holds words such as 盒 or 箱 in the NMPA data: kept as written, a
    number too, instead of refusing the row as bad_integer."""
    path = udi_file([udi_row(1, packaging_level=level, packaging_quantity="10")])

    result = run_udi(path)

    assert (result.inserted, result.rejected) == (1, 0)
    di = DeviceIdentifier.objects.get()
    assert (di.packaging_level, di.packaging_quantity) == (stored, 10)


def test_packaging_levels_of_a_workbook_are_read_as_text(tmp_path):
    """Excel stores a level typed as 2 as a number: it reads back as 2, not 2.0."""
    path = write_import_xlsx(
        tmp_path / "u.xlsx",
        [{**udi_row(1), "packaging_level": 2}, udi_row(2, packaging_level="箱")],
        headers=UDI_HEADERS,
    )

    run_udi(path)

    assert dict(DeviceIdentifier.objects.values_list("di", "packaging_level")) == {
        gtin14(1): "2",
        gtin14(2): "箱",
    }


def test_registration_numbers_are_checked_against_the_import_day(csv_file, time_machine):
    """A certificate dated next year is accepted in late December only (catalog.registration)."""
    time_machine.move_to(dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    path = csv_file([catalog_row(1, registration_number="国械注准20273460789")])

    assert run(path).rejections[0].reason == "bad_year"
