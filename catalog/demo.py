"""Demo catalogue: about 2,000 consumables across all 17 first-level categories, with valid
national codes, registration numbers and GS1 UDI-DIs, and confirmed reference prices for part
of them. Deterministic (a seeded generator) and idempotent: rows are keyed by their code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from biip.checksums import gs1_standard_check_digit
from django.db import transaction

from accounts.demo import MANUFACTURERS
from catalog.choices import IssuingAgency, ReferencePriceStatus
from catalog.codes import LEVEL1_CATEGORIES, LEVEL1_CODES
from catalog.models import Category, Consumable, DeviceIdentifier, ReferencePrice
from catalog.search import consumable_search_terms
from core import clock
from core.money import quantize

TARGET = 2000


@dataclass(frozen=True)
class Family:
    """A product family: what a category holds in the demo."""

    level1: str
    generic_name: str
    products: tuple[str, ...]
    specs: tuple[str, ...]
    models: tuple[str, ...]
    unit: str
    price: tuple[int, int]  # a plausible range in yuan
    high_value: bool
    material: str
    reg_category: str  # the 2-digit NMPA classification in the registration number


FAMILIES: tuple[Family, ...] = (
    Family(
        "01",
        "胆道支架",
        ("胆道金属支架系统", "胆道塑料支架"),
        ("直径8mm 长度60mm", "直径10mm 长度80mm", "直径10mm 长度100mm"),
        ("BS-0860", "BS-1080", "BS-10100"),
        "套",
        (2000, 9000),
        True,
        "镍钛合金",
        "13",
    ),
    Family(
        "01",
        "食道支架",
        ("食道覆膜支架", "食管金属支架"),
        ("直径18mm 长度100mm", "直径20mm 长度120mm"),
        ("ES-18100", "ES-20120"),
        "套",
        (3000, 12000),
        True,
        "镍钛合金",
        "13",
    ),
    Family(
        "01",
        "引流导管",
        ("经皮引流导管", "猪尾引流导管"),
        ("8Fr", "10Fr", "12Fr", "14Fr"),
        ("DC-08", "DC-10", "DC-12", "DC-14"),
        "根",
        (150, 900),
        False,
        "聚氨酯",
        "14",
    ),
    Family(
        "02",
        "冠状动脉支架",
        (
            "药物洗脱冠状动脉支架系统",
            "钴基合金雷帕霉素洗脱支架系统",
            "生物可吸收冠状动脉雷帕霉素洗脱支架系统",
        ),
        (
            "直径2.5mm 长度18mm",
            "直径2.75mm 长度24mm",
            "直径3.0mm 长度29mm",
            "直径3.5mm 长度33mm",
            "直径4.0mm 长度38mm",
        ),
        ("Firebird2", "Partner", "Excel", "Tivoli", "NeoVas"),
        "套",
        (469, 800),
        True,
        "钴铬合金",
        "13",
    ),
    Family(
        "02",
        "球囊扩张导管",
        ("冠状动脉球囊扩张导管", "药物涂层球囊导管", "非顺应性球囊扩张导管"),
        ("直径2.0mm 长度15mm", "直径2.5mm 长度20mm", "直径3.0mm 长度15mm", "直径3.5mm 长度20mm"),
        ("TREK", "NC-Emerge", "Bingo", "SeQuent"),
        "根",
        (200, 3600),
        True,
        "聚酰胺",
        "03",
    ),
    Family(
        "02",
        "导引导丝",
        ("冠状动脉导引导丝", "外周血管导引导丝"),
        ("0.014in 长度180cm", "0.014in 长度300cm", "0.035in 长度260cm"),
        ("Runthrough", "Sion", "Fielder"),
        "根",
        (180, 900),
        False,
        "不锈钢",
        "03",
    ),
    Family(
        "02",
        "血管鞘",
        ("血管鞘组", "桡动脉鞘管套件"),
        ("5F", "6F", "7F"),
        ("RS-5", "RS-6", "RS-7"),
        "套",
        (60, 400),
        False,
        "聚乙烯",
        "03",
    ),
    Family(
        "03",
        "人工髋关节",
        ("全髋关节置换系统", "陶瓷对陶瓷髋关节假体", "生物型髋关节股骨柄"),
        ("股骨柄 2号", "股骨柄 4号", "髋臼杯 50mm", "髋臼杯 54mm", "股骨头 32mm"),
        ("THS-02", "THS-04", "AC-50", "AC-54", "FH-32"),
        "套",
        (5000, 8000),
        True,
        "钛合金",
        "13",
    ),
    Family(
        "03",
        "人工膝关节",
        ("全膝关节置换系统", "单髁膝关节假体"),
        ("股骨髁 3号", "股骨髁 5号", "胫骨平台 4号", "衬垫 10mm"),
        ("TKS-F3", "TKS-F5", "TKS-T4", "TKS-P10"),
        "套",
        (4500, 8000),
        True,
        "钴铬钼合金",
        "13",
    ),
    Family(
        "03",
        "脊柱内固定系统",
        ("胸腰椎后路内固定系统", "颈椎前路钢板系统", "椎间融合器"),
        ("椎弓根螺钉 6.5×45mm", "连接棒 5.5×400mm", "融合器 10mm", "钢板 4孔"),
        ("SP-65", "SP-55", "CG-10", "CP-04"),
        "件",
        (300, 6000),
        True,
        "钛合金",
        "13",
    ),
    Family(
        "03",
        "接骨板",
        ("锁定加压接骨板", "桡骨远端锁定板"),
        ("6孔", "8孔", "10孔"),
        ("LCP-6", "LCP-8", "LCP-10"),
        "块",
        (500, 3000),
        True,
        "纯钛",
        "13",
    ),
    Family(
        "04",
        "颅骨修补材料",
        ("钛网颅骨修补片", "聚醚醚酮颅骨修补假体"),
        ("100×120mm", "120×150mm"),
        ("TM-100", "TM-120"),
        "片",
        (3000, 20000),
        True,
        "纯钛",
        "13",
    ),
    Family(
        "04",
        "硬脑(脊)膜补片",
        ("人工硬脑膜补片", "可吸收硬脑膜补片"),
        ("5×5cm", "6×8cm", "10×12cm"),
        ("DM-55", "DM-68", "DM-1012"),
        "片",
        (1200, 6000),
        True,
        "胶原蛋白",
        "13",
    ),
    Family(
        "05",
        "封堵器",
        ("房间隔缺损封堵器", "动脉导管未闭封堵器", "左心耳封堵器"),
        ("腰部直径16mm", "腰部直径20mm", "腰部直径24mm"),
        ("ASD-16", "ASD-20", "LAA-24"),
        "个",
        (8000, 30000),
        True,
        "镍钛合金",
        "13",
    ),
    Family(
        "06",
        "心脏起搏器",
        ("植入式心脏起搏器", "双腔起搏器"),
        ("单腔", "双腔"),
        ("SR-100", "DR-200"),
        "台",
        (20000, 45000),
        True,
        "钛外壳",
        "12",
    ),
    Family(
        "07",
        "电生理导管",
        ("心脏射频消融导管", "标测电极导管"),
        ("4极 7F", "10极 6F", "20极 7F"),
        ("RF-4", "EP-10", "EP-20"),
        "根",
        (3000, 18000),
        True,
        "聚氨酯",
        "07",
    ),
    Family(
        "08",
        "人工晶状体",
        ("非球面人工晶状体", "折叠式人工晶状体", "散光矫正型人工晶状体"),
        ("+18.0D", "+20.0D", "+22.0D", "+24.0D"),
        ("AO-180", "AO-200", "AT-220", "AT-240"),
        "片",
        (800, 5800),
        True,
        "疏水性丙烯酸酯",
        "16",
    ),
    Family(
        "09",
        "膜式氧合器",
        ("膜式氧合器", "成人体外循环管路"),
        ("成人型", "儿童型"),
        ("OX-A", "OX-P"),
        "套",
        (2500, 7000),
        True,
        "聚丙烯",
        "10",
    ),
    Family(
        "10",
        "血液透析器",
        ("中空纤维透析器", "血液透析滤过器"),
        ("1.4m²", "1.6m²", "1.8m²"),
        ("HD-14", "HD-16", "HD-18"),
        "支",
        (80, 260),
        False,
        "聚砜",
        "10",
    ),
    Family(
        "11",
        "种植体",
        ("牙种植体系统", "骨水平种植体"),
        ("直径3.5mm 长度10mm", "直径4.0mm 长度12mm", "直径4.5mm 长度10mm"),
        ("DI-3510", "DI-4012", "DI-4510"),
        "颗",
        (900, 4500),
        True,
        "纯钛",
        "17",
    ),
    Family(
        "12",
        "疝修补片",
        ("聚丙烯疝修补片", "复合疝修补补片"),
        ("6×11cm", "10×15cm", "15×15cm"),
        ("HM-611", "HM-1015", "HM-1515"),
        "片",
        (400, 5000),
        True,
        "聚丙烯",
        "13",
    ),
    Family(
        "13",
        "可吸收缝合线",
        ("可吸收外科缝线", "倒刺可吸收缝合线"),
        ("2-0 75cm", "3-0 70cm", "4-0 45cm"),
        ("VCP-20", "VCP-30", "VCP-40"),
        "根",
        (30, 260),
        False,
        "聚乙醇酸",
        "02",
    ),
    Family(
        "14",
        "吻合器",
        ("一次性使用管型吻合器", "腔镜直线切割吻合器及钉仓"),
        ("25mm", "29mm", "60mm 蓝钉"),
        ("CS-25", "CS-29", "EC-60B"),
        "把",
        (1200, 4800),
        True,
        "不锈钢",
        "02",
    ),
    Family(
        "15",
        "止血材料",
        ("可吸收止血纱布", "微纤维胶原止血材料"),
        ("5×7.5cm", "10×20cm"),
        ("HS-57", "HS-1020"),
        "片",
        (150, 1200),
        False,
        "氧化再生纤维素",
        "14",
    ),
    Family(
        "16",
        "输液器",
        ("一次性使用精密过滤输液器", "一次性使用避光输液器"),
        ("0.7mm 针", "0.55mm 针"),
        ("IV-07", "IV-055"),
        "套",
        (3, 30),
        False,
        "聚氯乙烯",
        "14",
    ),
    Family(
        "17",
        "乳房植入体",
        ("硅凝胶乳房植入体", "毛面乳房假体"),
        ("250cc", "300cc", "350cc"),
        ("BI-250", "BI-300", "BI-350"),
        "个",
        (5000, 15000),
        True,
        "硅凝胶",
        "13",
    ),
)


def _gtin(company: int, item: int) -> str:
    body = f"0690{company:05d}{item:04d}"  # 13 digits: indicator 0 + GS1 China prefix 690…
    return body + str(gs1_standard_check_digit(body))


def _registration(rng: random.Random, family: Family, imported: bool) -> str:
    year = rng.randint(2015, 2024)
    serial = rng.randint(1, 9999)
    form = "进" if imported else "准"
    return f"国械注{form}{year}3{family.reg_category}{serial:04d}"


def build_rows(target: int = TARGET) -> list[dict]:
    """The demo catalogue as plain rows (also what the demo import file would hold)."""
    rng = random.Random(20261122)  # noqa: S311  (demo data, not security)
    rows: list[dict] = []
    families_by_l1: dict[str, list[Family]] = {}
    for family in FAMILIES:
        families_by_l1.setdefault(family.level1, []).append(family)
    if set(families_by_l1) != set(LEVEL1_CODES):
        raise ValueError("the demo families must cover every first-level category")
    per_family = max(1, target // len(FAMILIES))
    serial = 0
    for f_index, family in enumerate(FAMILIES):
        level2 = f"{(f_index % 5) + 1:02d}"
        level3 = f"{(f_index % 9) + 10:02d}"
        generic = f"{100 + f_index * 7:03d}"
        count = per_family + (1 if f_index < target - per_family * len(FAMILIES) else 0)
        for i in range(count):
            company_index = (f_index * 3 + i) % len(MANUFACTURERS)
            _key, company_name, _region = MANUFACTURERS[company_index]
            company_code = f"{10000 + company_index * 37:05d}"
            product = family.products[i % len(family.products)]
            spec_index = (i // len(family.products)) % len(family.specs)
            material = f"{(i % 3):02d}"
            feature = f"{(i % 4):03d}"
            serial += 1
            code = (
                f"C{family.level1}{level2}{level3}{generic}{material}{feature}{company_code}"
                f"{serial:07d}"
            )
            imported = i % 5 == 4
            low, high = family.price
            price = quantize(Decimal(rng.randint(low * 100, high * 100)) / 100)
            row = {
                "code": code,
                "generic_name": family.generic_name,
                "product_name": product,
                "registered_name": product,
                "material": family.material,
                "specification": family.specs[spec_index],
                "model": f"{family.models[spec_index % len(family.models)]}-{i:03d}",
                "unit": family.unit,
                "registration_number": _registration(rng, family, imported),
                "registrant": company_name,
                "company_name": company_name,
                "is_high_value": family.high_value,
                "gtin": _gtin(1000 + company_index, serial % 10000),
                "price": price,
                "has_reference_price": i % 3 != 0,
            }
            rows.append(row)
    return rows


def seed() -> int:
    """Create the demo catalogue, then run the lowest-price sync once on the demo feed
    (catalog/data/demo_lowest_prices.csv) so that the bureau sees proposals in publicity.
    Return how many consumables the demo catalogue has."""
    count = _seed_catalogue()
    from catalog.models import SyncRun
    from catalog.services.sync import lowest_price_sync

    if not SyncRun.objects.exists():
        lowest_price_sync()  # the configured feed: the demo file unless LOWEST_PRICE_FEED_URL
    return count


@transaction.atomic
def _seed_catalogue() -> int:
    from accounts.models import Organization

    rows = build_rows()
    manufacturers = {o.name: o for o in Organization.objects.filter(kind="manufacturer")}
    existing = set(
        Consumable.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", flat=True)
    )
    _seed_categories(rows)
    new = []
    for row in rows:
        if row["code"] in existing:
            continue
        code = row["code"]
        fields = {
            k: row[k]
            for k in (
                "generic_name",
                "product_name",
                "registered_name",
                "material",
                "specification",
                "model",
                "unit",
                "registration_number",
                "registrant",
                "company_name",
                "is_high_value",
            )
        }
        new.append(
            Consumable(
                code=code,
                base_code=code[:20],
                category_l1=code[1:3],
                category_l2=code[1:5],
                category_l3=code[1:7],
                generic_group=code[7:10],
                material_code=code[10:12],
                feature_code=code[12:15],
                company_code=code[15:20],
                spec_serial=code[20:27],
                manufacturer=manufacturers.get(row["company_name"]),
                search_terms=consumable_search_terms(fields),
                **fields,
            )
        )
    Consumable.objects.bulk_create(new, batch_size=1000)
    by_code = {c.code: c for c in Consumable.objects.filter(code__in=[r["code"] for r in rows])}
    DeviceIdentifier.objects.bulk_create(
        [
            DeviceIdentifier(
                di=row["gtin"],
                agency=IssuingAgency.GS1,
                consumable=by_code[row["code"]],
                nhsa_code=row["code"],
                registration_number=row["registration_number"],
                product_name=row["product_name"],
                specification=f"{row['specification']} {row['model']}",
                company_name=row["company_name"],
            )
            for row in rows
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    confirmed = set(
        ReferencePrice.objects.filter(status=ReferencePriceStatus.CONFIRMED).values_list(
            "consumable__code", flat=True
        )
    )
    now = clock.now()
    ReferencePrice.objects.bulk_create(
        [
            ReferencePrice(
                consumable=by_code[row["code"]],
                price=row["price"],
                status=ReferencePriceStatus.CONFIRMED,
                source_province="440000",
                source_platform="广东省药品交易中心",
                observed_on=clock.local_today(),
                confirmed_at=now,
                note="demo",
            )
            for row in rows
            if row["has_reference_price"] and row["code"] not in confirmed
        ],
        batch_size=1000,
    )
    return len(by_code)


def _seed_categories(rows: list[dict]) -> None:
    wanted: dict[str, tuple[int, str | None]] = {}
    for row in rows:
        code = row["code"]
        wanted.setdefault(code[1:3], (1, None))
        wanted.setdefault(code[1:5], (2, code[1:3]))
        wanted.setdefault(code[1:7], (3, code[1:5]))
    existing = {c.code: c for c in Category.objects.filter(code__in=wanted)}
    for code in sorted(wanted, key=len):
        if code in existing:
            continue
        level, parent = wanted[code]
        existing[code] = Category.objects.create(
            code=code,
            level=level,
            parent=existing.get(parent) if parent else None,
            name=LEVEL1_CATEGORIES.get(code, "") if level == 1 else "",
        )
