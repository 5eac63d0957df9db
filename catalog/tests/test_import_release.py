"""The national release layout (全量规格型号信息) of catalog/services/imports.py."""

import pytest

from accounts.choices import OrganizationKind
from accounts.tests.factories import OrganizationFactory
from catalog.choices import ConsumableStatus
from catalog.errors import ImportFileInvalidError
from catalog.models import Category, Consumable, ConsumableCodeAlias
from catalog.search import consumable_search_terms
from catalog.services.imports import consumable_import
from catalog.tests.factories import (
    PLATE_BASE,
    RELEASE_HEADERS,
    RELEASE_HEADERS_WITH_REGISTRANT,
    TUBING_BASE,
    ConsumableFactory,
    catalog_row,
    release_row,
    write_import_csv,
    write_import_xlsx,
)

pytestmark = pytest.mark.django_db


def run(path, **kwargs):
    return consumable_import(actor=None, path=path, **kwargs)


def reasons(result):
    return [(r.row, r.column, r.code, r.reason) for r in result.rejections]


@pytest.fixture
def release_file(tmp_path):
    def make(rows, name="C03_骨科材料_全量规格型号信息.csv", headers=RELEASE_HEADERS, **kwargs):
        return write_import_csv(tmp_path / name, rows, headers=headers, **kwargs)

    return make


def _release_rows():
    return [
        release_row(1),
        release_row(2),
        release_row(1, base=TUBING_BASE),
    ]


def _catalogue():
    return {
        c.code: (
            c.product_name,
            c.specification,
            c.model,
            c.company_name,
            c.registration_number,
            c.registrant,
            c.registered_name,
            c.generic_name,
            c.generic_name_code,
            c.material,
            c.feature,
        )
        for c in Consumable.objects.all()
    }


EXPECTED = {
    f"{PLATE_BASE}0000001": (
        "金属接骨板 (三叶草型接骨板)",
        "3孔",
        "HS-SB001",
        "常州华森医疗器械有限公司",
        "国械注准20153460353",
        "",
        "",
        # 医保通用名 is empty in these rows: the name of the code's generic-name segment.
        "固定板",
        "",
        "纯钛",
        "肱骨/普通",
    ),
    f"{PLATE_BASE}0000002": (
        "金属接骨板 (三叶草型接骨板)",
        "4孔",
        "HS-SB002",
        "常州华森医疗器械有限公司",
        "国械注准20153460353",
        "",
        "",
        "固定板",
        "",
        "纯钛",
        "肱骨/普通",
    ),
    f"{TUBING_BASE}0000001": (
        "一次性使用体外循环管路",
        "成人型 1号",
        "TG-01A",
        "天津市塑料研究所有限公司",
        "国械注准20173100456",
        "",
        "",
        "体外循环管路",
        "C091001010",
        "不区分",
        "常规",
    ),
}


@pytest.mark.parametrize(
    ("suffix", "encoding", "found"),
    [
        pytest.param(".csv", "utf-8", "utf-8", id="csv-utf8"),
        pytest.param(".csv", "utf-8-sig", "utf-8-bom", id="csv-utf8-bom"),
        pytest.param(".csv", "gb18030", "gbk", id="csv-gb18030"),
        pytest.param(".xlsx", None, "utf-8", id="xlsx"),
    ],
)
def test_the_release_layout_imports_as_published_without_a_registrant(
    tmp_path, suffix, encoding, found
):
    """The header of the published file (no registrant, no registered name) is recognised
    and its rows fill the catalogue: the release's file is not refused as a whole."""
    path = tmp_path / f"C03_骨科材料_全量规格型号信息{suffix}"
    if encoding:
        write_import_csv(path, _release_rows(), headers=RELEASE_HEADERS, encoding=encoding)
    else:
        write_import_xlsx(path, _release_rows(), headers=RELEASE_HEADERS)

    result = run(path)

    assert (result.layout, result.encoding, result.rows) == ("release", found, 3)
    assert (result.inserted, result.updated, result.rejected, result.refused) == (3, 0, 0, False)
    assert _catalogue() == EXPECTED
    for product in Consumable.objects.all():
        assert product.search_terms == consumable_search_terms(product)
        assert product.status == ConsumableStatus.ACTIVE


def test_a_workbook_whose_numbers_excel_converted_still_imports(tmp_path):
    """Excel turns 规格型号数 7 into the number 7: read as text, like a CSV export."""
    rows = [{**release_row(1), "spec_count": 7}, release_row(2)]
    path = write_import_xlsx(tmp_path / "release.xlsx", rows, headers=RELEASE_HEADERS)

    result = run(path)

    assert (result.inserted, result.rejected) == (2, 0)


def test_a_release_with_registrant_columns_reads_them_and_rows_without_one(release_file):
    maker = OrganizationFactory(kind=OrganizationKind.MANUFACTURER, name="常州华森医疗器械有限公司")
    path = release_file(
        [
            release_row(1, registered_name="金属接骨板", registrant="常州华森医疗器械有限公司"),
            # No registrant: the enterprise name still links the manufacturer.
            release_row(2),
        ],
        headers=RELEASE_HEADERS_WITH_REGISTRANT,
    )

    result = run(path)

    assert (result.layout, result.inserted, result.rejected) == ("release", 2, 0)
    first, second = Consumable.objects.order_by("code")
    assert (first.registered_name, first.registrant) == ("金属接骨板", "常州华森医疗器械有限公司")
    assert (second.registered_name, second.registrant) == ("", "")
    assert first.manufacturer == second.manufacturer == maker
    assert first.search_terms == consumable_search_terms(first)


def test_locally_numbered_release_categories_fill_the_tree_with_names(release_file):
    run(release_file(_release_rows()))

    tree = {
        c.code: (c.level, c.parent.code if c.parent else None, c.name)
        for c in Category.objects.all()
    }
    assert tree == {
        "03": (1, None, "骨科材料"),
        "0311": (2, "03", "接骨板"),
        "031116": (3, "0311", "小儿接骨板"),
        "09": (1, None, "体外循环材料"),
        "0910": (2, "09", "其他体外循环材料"),
        "091001": (3, "0910", "其他体外循环材料"),
    }


def test_cumulative_and_unnumbered_release_categories_are_read(release_file):
    path = release_file(
        [
            release_row(1, level2="0311-接骨板", level3="031116-小儿接骨板"),
            release_row(1, base=TUBING_BASE, level1="体外循环材料", level2="", level3=""),
        ]
    )

    result = run(path)

    assert (result.inserted, result.rejected) == (2, 0)
    names = dict(Category.objects.values_list("code", "name"))
    assert names == {
        "03": "骨科材料",
        "0311": "接骨板",
        "031116": "小儿接骨板",
        "09": "体外循环材料",
        "0910": "",
        "091001": "",
    }


@pytest.mark.parametrize(
    ("values", "column", "reason"),
    [
        pytest.param(
            {"level1": "02-血管介入治疗类材料"}, "一级分类", "code_segment_mismatch", id="l1"
        ),
        pytest.param({"level2": "12-接骨板"}, "二级分类", "code_segment_mismatch", id="l2-local"),
        pytest.param({"level2": "0312-接骨板"}, "二级分类", "code_segment_mismatch", id="l2-cum"),
        pytest.param({"level3": "15-小儿接骨板"}, "三级分类", "code_segment_mismatch", id="l3"),
        pytest.param(
            {"generic_group": "081-固定板"}, "医保通用名分类", "code_segment_mismatch", id="generic"
        ),
        pytest.param({"material": "01-不锈钢"}, "材质", "code_segment_mismatch", id="material"),
        pytest.param({"feature": "008-股骨"}, "特征", "code_segment_mismatch", id="feature"),
        pytest.param(
            {"base_code": "C0311160800200706411"}, "20位码", "base_code_mismatch", id="base-code"
        ),
        pytest.param(
            {"code": PLATE_BASE, "previous_code": ""}, "27位码", "not_full_code", id="20-chars"
        ),
    ],
)
def test_a_release_row_that_disagrees_with_its_code_is_rejected_with_its_row(
    release_file, values, column, reason
):
    path = release_file([release_row(1), release_row(2, **values)])

    result = run(path)

    assert result.refused
    assert reasons(result) == [(3, column, "import_row_invalid", reason)]
    assert not Consumable.objects.exists()
    assert not Category.objects.exists()


def test_a_release_without_a_required_column_names_it(release_file):
    path = release_file([release_row(1)], drop=("registration_number", "model"))

    with pytest.raises(ImportFileInvalidError) as excinfo:
        run(path)

    assert excinfo.value.reason == "missing_columns"
    assert excinfo.value.extra["columns"] == "注册备案号, 型号"


def test_the_export_layout_is_still_read_beside_the_release(tmp_path):
    path = write_import_csv(tmp_path / "export.csv", [catalog_row(1)])

    result = run(path)

    assert (result.layout, result.inserted) == ("export", 1)


# --- Previous codes (原27位码 / 原码状态 / 类型) ------------------------------------------------

OLD_CODE = f"{PLATE_BASE}0000009"


def test_a_replaced_code_becomes_an_alias_and_its_retired_product_retires(release_file):
    old = ConsumableFactory(code=OLD_CODE)
    kept = ConsumableFactory(code=f"{TUBING_BASE}0000008")
    path = release_file(
        [
            # 变更: the specification's code changed, the old one is retired (停用).
            release_row(1, previous_code=OLD_CODE, previous_status="停用", change_type="变更"),
            # 映射 with the old code kept (保留): an alias, nothing retired.
            release_row(
                1,
                base=TUBING_BASE,
                previous_code=kept.code,
                previous_status="保留",
                change_type="映射",
            ),
            # Code unchanged: nothing to record.
            release_row(2),
        ]
    )

    result = run(path)

    assert (result.inserted, result.aliases, result.retired) == (3, 2, 1)
    aliases = {
        a.code: (a.consumable.code, a.previous_status, a.change_type, a.source)
        for a in ConsumableCodeAlias.objects.select_related("consumable")
    }
    assert aliases == {
        OLD_CODE: (f"{PLATE_BASE}0000001", "停用", "变更", path.name),
        kept.code: (f"{TUBING_BASE}0000001", "保留", "映射", path.name),
    }
    old.refresh_from_db()
    kept.refresh_from_db()
    assert (old.status, kept.status) == (ConsumableStatus.RETIRED, ConsumableStatus.ACTIVE)


def test_a_retired_previous_code_the_file_lists_as_current_stays_active(release_file):
    """Two rows disagree (one retires a code another row lists): the listed code wins."""
    path = release_file(
        [
            release_row(1, previous_code=OLD_CODE, previous_status="停用", change_type="变更"),
            release_row(9),
        ]
    )

    result = run(path)

    assert (result.inserted, result.retired) == (2, 0)
    assert Consumable.objects.get(code=OLD_CODE).status == ConsumableStatus.ACTIVE


def test_an_invalid_previous_code_rejects_the_row(release_file):
    path = release_file([release_row(1, previous_code="C0311160800", previous_status="停用")])

    result = run(path)

    assert reasons(result) == [(2, "原27位码", "nhsa_code_invalid", "bad_length")]


def test_reimporting_the_release_changes_nothing(release_file, tmp_path):
    rows = [*_release_rows(), release_row(3, previous_code=OLD_CODE, previous_status="停用")]
    run(release_file(rows))
    stamps = dict(Consumable.objects.values_list("code", "updated_at"))
    alias_stamps = list(ConsumableCodeAlias.objects.values_list("updated_at", flat=True))

    again = run(release_file(rows, name="again.csv"))

    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert (again.aliases, again.retired) == (0, 0)
    assert dict(Consumable.objects.values_list("code", "updated_at")) == stamps
    assert list(ConsumableCodeAlias.objects.values_list("updated_at", flat=True)) == alias_stamps


def test_the_release_keeps_the_platforms_own_unit_and_high_value_flag(release_file, tmp_path):
    """单位 and 高值 are not in any national file: a release import keeps what was set."""
    code = f"{PLATE_BASE}0000001"
    ConsumableFactory(code=code, unit="块", is_high_value=True)

    result = run(release_file([release_row(1), release_row(2)]))

    assert (result.inserted, result.updated) == (1, 1)
    product = Consumable.objects.get(code=code)
    assert (product.unit, product.is_high_value, product.material) == ("块", True, "纯钛")
    new = Consumable.objects.get(code=f"{PLATE_BASE}0000002")
    assert (new.unit, new.is_high_value) == ("", False)


def test_an_export_import_keeps_what_only_the_release_carries(release_file, tmp_path):
    """特征 and 医保通用名编号 are in no column of the export layout: importing an export after
    the release keeps them."""
    code = f"{TUBING_BASE}0000001"
    run(release_file([release_row(1, base=TUBING_BASE)]))

    export = [catalog_row(1, code=code, category="09-体外循环材料")]
    result = run(write_import_csv(tmp_path / "export.csv", export))

    assert (result.layout, result.updated) == ("export", 1)
    product = Consumable.objects.get(code=code)
    assert (product.feature, product.generic_name_code) == ("常规", "C091001010")
    assert product.material == "钴铬合金"  # the export's own 材质
