"""Factories for the catalogue: minimal valid rows, as the importer would have written them."""

from decimal import Decimal

import factory

from accounts.choices import Role
from accounts.tests.factories import OrganizationFactory, UserFactory
from catalog.choices import IssuingAgency, ObjectionStatus, ReferencePriceStatus
from catalog.models import Consumable, DeviceIdentifier, PriceObjection, ReferencePrice
from catalog.search import consumable_search_terms
from core import clock


def nhsa_code(n: int, *, category: str = "020101", company: str = "10766") -> str:
    """A valid 27-character national code; ``n`` makes it unique (the spec serial)."""
    return f"C{category}21200000{company}{n:07d}"


class ConsumableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consumable

    code = factory.Sequence(nhsa_code)
    base_code = factory.LazyAttribute(lambda o: o.code[:20])
    category_l1 = factory.LazyAttribute(lambda o: o.code[1:3])
    category_l2 = factory.LazyAttribute(lambda o: o.code[1:5])
    category_l3 = factory.LazyAttribute(lambda o: o.code[1:7])
    generic_group = factory.LazyAttribute(lambda o: o.code[7:10])
    material_code = factory.LazyAttribute(lambda o: o.code[10:12])
    feature_code = factory.LazyAttribute(lambda o: o.code[12:15])
    company_code = factory.LazyAttribute(lambda o: o.code[15:20])
    spec_serial = factory.LazyAttribute(lambda o: o.code[20:27])
    generic_name = "冠状动脉药物洗脱支架"
    product_name = "冠状动脉药物洗脱支架系统"
    registered_name = "冠状动脉药物洗脱支架系统"
    material = "钴铬合金"
    specification = factory.Sequence(lambda n: f"直径{2 + n % 3}.{n % 10}mm×长度18mm")
    model = factory.Sequence(lambda n: f"PR{n:05d}")
    unit = "套"
    registration_number = "国械注准20153460789"
    registrant = "乐普(北京)医疗器械股份有限公司"
    company_name = "乐普(北京)医疗器械股份有限公司"
    is_high_value = True
    search_terms = factory.LazyAttribute(lambda o: consumable_search_terms(o))


def gtin14(n: int) -> str:
    """A GTIN-14 with a correct check digit (GS1 China prefix 690)."""
    from stdnum import ean

    payload = f"0690{n:09d}"
    return payload + ean.calc_check_digit(payload)


class DeviceIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceIdentifier

    di = factory.Sequence(gtin14)
    agency = IssuingAgency.GS1
    consumable = factory.SubFactory(ConsumableFactory)
    nhsa_code = factory.LazyAttribute(lambda o: o.consumable.code if o.consumable else "")
    registration_number = factory.LazyAttribute(
        lambda o: o.consumable.registration_number if o.consumable else ""
    )
    product_name = factory.LazyAttribute(
        lambda o: o.consumable.product_name if o.consumable else ""
    )
    specification = factory.LazyAttribute(
        lambda o: f"{o.consumable.specification} {o.consumable.model}" if o.consumable else ""
    )
    company_name = factory.LazyAttribute(lambda o: o.consumable.registrant if o.consumable else "")
    packaging_level = ""
    packaging_quantity = 1


class ReferencePriceFactory(factory.django.DjangoModelFactory):
    """A confirmed reference price unless told otherwise."""

    class Meta:
        model = ReferencePrice

    consumable = factory.SubFactory(ConsumableFactory)
    price = Decimal("1000.00")
    status = ReferencePriceStatus.CONFIRMED
    confirmed_at = factory.LazyAttribute(
        lambda o: clock.now() if o.status == ReferencePriceStatus.CONFIRMED else None
    )


class PriceObjectionFactory(factory.django.DjangoModelFactory):
    """An open objection by a supplier's sales user."""

    class Meta:
        model = PriceObjection

    reference_price = factory.SubFactory(ReferencePriceFactory)
    supplier = factory.SubFactory(OrganizationFactory)
    raised_by = factory.LazyAttribute(
        lambda o: UserFactory(organization=o.supplier, roles=[Role.SUPPLIER_SALES])
    )
    reason = "参考价有误"
    status = ObjectionStatus.OPEN


# --- Import files (catalog/services/imports.py; layouts in docs/catalog-import.md) ---------

CATALOG_HEADERS = {
    "code": "医用耗材代码",
    "registration_number": "注册证编号",
    "registered_name": "注册备案产品名称",
    "registrant": "注册/备案人",
    "category": "耗材分类",
    "product_name": "单件产品名称",
    "company_name": "耗材企业",
    "specification": "规格",
    "model": "型号",
    "spec_serial": "规格型号编号",
    "udi_di": "UDI-DI",
    "generic_name": "通用名",
    "material": "材质",
    "unit": "单位",
    "high_value": "高值",
}

UDI_HEADERS = {
    "di": "最小销售单元产品标识",
    "agency": "发码机构",
    "nhsa_code": "医保编码",
    "registration_number": "注册证编号",
    "product_name": "产品名称",
    "specification": "规格型号",
    "company_name": "注册人名称",
    "packaging_level": "包装层级",
    "packaging_quantity": "包装内含数量",
}


# The national release as the NHSA publishes it, columns in its order (docs/catalog-import.md).
RELEASE_HEADERS = {
    "goods_id": "GOODS_ID",
    "udi": "UDI",
    "previous_code": "原27位码",
    "previous_status": "原码状态",
    "code": "27位码",
    "change_type": "类型",
    "base_code": "20位码",
    "level1": "一级分类",
    "level2": "二级分类",
    "level3": "三级分类",
    "generic_group": "医保通用名分类",
    "material": "材质",
    "feature": "特征",
    "registration_number": "注册备案号",
    "product_name": "单件产品名称",
    "company_name": "耗材企业",
    "spec_count": "规格型号数",
    "specification": "规格",
    "model": "型号",
    "generic_name_code": "医保通用名编号",
    "generic_name": "医保通用名",
}
# Releases that add the registration's product name and registrant put them here.
RELEASE_HEADERS_WITH_REGISTRANT = {
    **{k: v for k, v in RELEASE_HEADERS.items() if k != "spec_count"},
    "registered_name": "注册备案产品名称",
    "registrant": "注册备案人",
    "spec_count": "规格型号数",
}

# Base codes of two products of real release rows: a titanium paediatric bone plate
# (C0311160800200706410: 03 骨科材料 / 11 接骨板 / 16 小儿接骨板, 080 固定板, 02 纯钛,
# 007 肱骨/普通, company 06410) and an extracorporeal circulation tubing set (09 体外循环材料 /
# 10 其他体外循环材料 / 01 其他体外循环材料, 010 管路类, 00 不区分, 000 常规).
PLATE_BASE = "C0311160800200706410"
TUBING_BASE = "C0910010100000011790"

_RELEASE_PRODUCTS = {
    PLATE_BASE: {
        "level1": "03-骨科材料",
        "level2": "11-接骨板",
        "level3": "16-小儿接骨板",
        "generic_group": "080-固定板",
        "material": "02-纯钛",
        "feature": "007-肱骨/普通",
        "registration_number": "国械注准20153460353",
        "product_name": "金属接骨板 (三叶草型接骨板)",
        "company_name": "常州华森医疗器械有限公司",
        "spec_count": "7",
        "generic_name_code": "",
        "generic_name": "",
    },
    TUBING_BASE: {
        "level1": "09-体外循环材料",
        "level2": "10-其他体外循环材料",
        "level3": "01-其他体外循环材料",
        "generic_group": "010-管路类",
        "material": "00-不区分",
        "feature": "000-常规",
        "registration_number": "国械注准20173100456",
        "product_name": "一次性使用体外循环管路",
        "company_name": "天津市塑料研究所有限公司",
        "spec_count": "3",
        "generic_name_code": "C091001010",
        "generic_name": "体外循环管路",
    },
}


def release_row(n: int = 1, *, base: str = PLATE_BASE, **values: str) -> dict[str, str]:
    """One row of the national release (keys: RELEASE_HEADERS' keys), a specification of the
    product ``base``; as most release rows, its code is kept unchanged (原码状态/类型 保留)."""
    code = values.pop("code", f"{base}{n:07d}")
    row = {
        "goods_id": f"{n:08x}-c4b2-11e9-953f-fa163e0a8baf",
        "udi": "",
        "previous_code": code,
        "previous_status": "保留",
        "code": code,
        "change_type": "保留",
        "base_code": code[:20],
        **_RELEASE_PRODUCTS[base],
        "specification": f"{n + 2}孔" if base == PLATE_BASE else f"成人型 {n}号",
        "model": f"HS-SB{n:03d}" if base == PLATE_BASE else f"TG-{n:02d}A",
        "registered_name": "",
        "registrant": "",
    }
    row.update(values)
    return row


def catalog_row(n: int = 1, **values: str) -> dict[str, str]:
    """One row of a national code database export (keys: CATALOG_HEADERS' keys)."""
    code = values.pop("code", nhsa_code(n))
    row = {
        "code": code,
        "registration_number": "国械注准20153460789",
        "registered_name": "冠状动脉药物洗脱支架系统",
        "registrant": "乐普(北京)医疗器械股份有限公司",
        "category": "02-血管介入治疗类材料/0201-血管支架/020101-冠状动脉支架",
        "product_name": "冠状动脉药物洗脱支架系统",
        "company_name": "乐普(北京)医疗器械股份有限公司",
        "specification": f"直径3.0mm×长度{n}mm",
        "model": f"PR30{n:03d}",
        "spec_serial": code[20:],
        "udi_di": "",
        "generic_name": "冠状动脉药物洗脱支架",
        "material": "钴铬合金",
        "unit": "套",
        "high_value": "是",
    }
    row.update(values)
    return row


def udi_row(n: int = 1, **values: str) -> dict[str, str]:
    """One row of an NMPA UDI database export (keys: UDI_HEADERS' keys)."""
    row = {
        "di": gtin14(n),
        "agency": "GS1",
        "nhsa_code": nhsa_code(n),
        "registration_number": "国械注准20153460789",
        "product_name": "冠状动脉药物洗脱支架系统",
        "specification": f"直径3.0mm×长度{n}mm PR30{n:03d}",
        "company_name": "乐普(北京)医疗器械股份有限公司",
        "packaging_level": "盒",
        "packaging_quantity": "1",
    }
    row.update(values)
    return row


def write_import_csv(
    path,
    rows,
    *,
    headers=CATALOG_HEADERS,
    encoding: str = "utf-8",
    drop: tuple[str, ...] = (),
):
    """Write ``rows`` (dicts keyed like ``headers``) as a CSV export; ``drop`` leaves columns out."""
    import csv

    keys = [key for key in headers if key not in drop]
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([headers[key] for key in keys])
        for row in rows:
            writer.writerow([row.get(key, "") for key in keys])
    return path


def write_import_xlsx(path, rows, *, headers=CATALOG_HEADERS):
    """Write ``rows`` as the first sheet of a workbook; values keep their Python types."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    keys = list(headers)
    sheet.append([headers[key] for key in keys])
    for row in rows:
        sheet.append([row.get(key) for key in keys])
    workbook.save(path)
    return path
