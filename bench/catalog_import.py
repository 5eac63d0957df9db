"""Benchmarks: importing the national code database, against the same work in bare SQL.

    python -m bench.catalog_import [--rows=N] [--repeat=R]     (default 500,000 rows, 1 run)

A realistic export (valid codes, Chinese names and specifications; products of 1 to 40
specifications sharing a certificate, registrant and names) is generated once under var/bench/,
with a variant where every 10th row's specification changed.

- ``catalog_import``: the file into an EMPTY catalogue.
- ``catalog_reimport``: the changed file into the full catalogue (10% updated, 90% unchanged).

project: ``catalog.services.imports.consumable_import`` (header check, decoding, per-row
validation of codes and registration numbers, search bigrams, COPY into staging, duplicate
check, categories, the upsert with its manufacturer link).

baseline: the same database in the same run: raw COPY of the file into a staging table
(PostgreSQL parses the CSV) and one set-based ``INSERT ... ON CONFLICT (code) DO UPDATE ...
WHERE ... IS DISTINCT FROM`` into a scratch copy of the table (``LIKE catalog_consumable
INCLUDING ALL``: the same indexes, GIN included), truncated before the import. The baseline
does no validation, and it is handed the search bigrams precomputed in an extra column of its
copy of the file (prepared outside the timing): computing them in SQL takes ~30 s for 500,000
rows, which would flatter the ratio, so the baseline is the cheapest load the database allows.

Before each timed step: CHECKPOINT, and ANALYZE of both targets before the re-import, so
neither side pays for the other's dirty pages or missing statistics. The two sides alternate;
with ``--repeat=R`` each step runs R times and the fastest time of each side counts (shared
2-core hosts vary by a factor of 1.5 between identical runs). Both sides' tables are compared
row by row after each step: the baseline did the same work.
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from bench.common import WORK_DIR, Result, peak_rss_mb, report, setup_django, timed

TARGET_RATIO = 2.0
TARGET_RSS_MB = 500
SCRATCH = "bench_consumable"

# --- The export ---------------------------------------------------------------------------------

HEADER = [
    "医用耗材代码",
    "注册证编号",
    "注册备案产品名称",
    "注册/备案人",
    "耗材分类",
    "单件产品名称",
    "耗材企业",
    "规格",
    "型号",
    "规格型号编号",
    "UDI-DI",
    "通用名",
    "材质",
    "单位",
    "高值",
]

# (category code l1+l2+l3, level-1 name, level-2 name, level-3 name, generic name, product names,
#  materials, spec pattern, unit, high value)
_FAMILIES = [
    (
        "020101",
        "血管介入治疗类材料",
        "血管支架",
        "冠状动脉支架",
        "冠状动脉药物洗脱支架",
        ["冠状动脉药物洗脱支架系统", "钴铬合金雷帕霉素洗脱冠脉支架系统", "生物可吸收冠脉支架"],
        ["钴铬合金", "316L不锈钢", "铂铬合金", "聚乳酸"],
        "stent",
        "套",
        True,
    ),
    (
        "020201",
        "血管介入治疗类材料",
        "球囊扩张导管",
        "冠脉球囊",
        "PTCA球囊扩张导管",
        ["冠状动脉球囊扩张导管", "非顺应性PTCA球囊导管", "药物涂层球囊导管"],
        ["聚酰胺", "尼龙", "聚醚嵌段聚酰胺"],
        "balloon",
        "根",
        True,
    ),
    (
        "030101",
        "骨科材料",
        "关节类材料",
        "髋关节",
        "髋关节假体",
        ["全髋关节假体系统", "生物型髋关节假体股骨柄", "陶瓷对陶瓷髋臼内衬"],
        ["钛合金", "钴铬钼合金", "氧化锆增韧陶瓷", "超高分子量聚乙烯"],
        "hip",
        "件",
        True,
    ),
    (
        "030102",
        "骨科材料",
        "关节类材料",
        "膝关节",
        "膝关节假体",
        ["人工膝关节假体系统", "后稳定型膝关节股骨髁", "胫骨平台衬垫"],
        ["钴铬钼合金", "钛合金", "高交联聚乙烯"],
        "knee",
        "件",
        True,
    ),
    (
        "030201",
        "骨科材料",
        "脊柱类材料",
        "椎弓根钉",
        "脊柱内固定系统",
        ["脊柱后路内固定系统", "椎弓根螺钉", "颈椎前路钢板系统"],
        ["钛合金", "纯钛", "聚醚醚酮"],
        "screw",
        "枚",
        True,
    ),
    (
        "120101",
        "眼科材料",
        "人工晶状体",
        "后房型人工晶状体",
        "人工晶状体",
        ["非球面折叠式人工晶状体", "疏水性丙烯酸酯人工晶状体", "散光矫正型人工晶状体"],
        ["疏水性丙烯酸酯", "亲水性丙烯酸酯", "硅凝胶"],
        "iol",
        "片",
        True,
    ),
    (
        "010101",
        "非血管介入治疗类材料",
        "缝合材料",
        "可吸收缝线",
        "可吸收性外科缝线",
        ["可吸收性外科缝线", "带针聚乙醇酸缝合线", "聚对二氧环己酮缝线"],
        ["聚乙醇酸", "聚乳酸-羟基乙酸", "聚对二氧环己酮"],
        "suture",
        "包",
        False,
    ),
    (
        "140101",
        "医用高分子材料",
        "注射穿刺类",
        "一次性使用注射器",
        "一次性使用无菌注射器",
        ["一次性使用无菌注射器 带针", "一次性使用自毁式注射器", "一次性使用胰岛素注射器"],
        ["聚丙烯", "聚乙烯", "医用不锈钢"],
        "syringe",
        "支",
        False,
    ),
    (
        "090101",
        "体外循环材料",
        "氧合器",
        "膜式氧合器",
        "一次性使用膜式氧合器",
        ["一次性使用中空纤维膜式氧合器", "成人型膜式氧合器", "婴幼儿膜式氧合器"],
        ["聚甲基戊烯", "聚丙烯中空纤维"],
        "oxygenator",
        "套",
        True,
    ),
    (
        "160101",
        "医用敷料",
        "伤口敷料",
        "水胶体敷料",
        "医用敷料",
        ["水胶体伤口敷料", "藻酸盐医用敷料", "泡沫敷料 带边"],
        ["羧甲基纤维素钠", "藻酸钙", "聚氨酯泡沫"],
        "dressing",
        "贴",
        False,
    ),
]

_CITIES = [
    "北京",
    "上海",
    "天津",
    "苏州",
    "南京",
    "杭州",
    "深圳",
    "广州",
    "常州",
    "威海",
    "成都",
    "武汉",
    "西安",
    "长沙",
    "厦门",
    "宁波",
]
_WORDS = [
    "微创",
    "乐普",
    "康辉",
    "威高",
    "迈瑞",
    "爱博",
    "春立",
    "凯利泰",
    "康拓",
    "赛诺",
    "佰仁",
    "天新福",
    "大博",
    "鑫高益",
    "华科",
    "佳音",
    "瑞康",
    "德益",
    "普华",
    "泰科",
]
_SUFFIXES = ["医疗器械有限公司", "医疗器械股份有限公司", "生物科技有限公司", "医用材料有限公司"]
_PROVINCES = "苏浙沪京粤鲁鄂川"


def _company(rng: random.Random, n: int) -> str:
    return f"{rng.choice(_CITIES)}{rng.choice(_WORDS)}{_SUFFIXES[n % len(_SUFFIXES)]}"


def _spec(rng: random.Random, kind: str, i: int) -> tuple[str, str]:
    """(规格, 型号) for the i-th specification of a product of ``kind``."""
    if kind == "stent":
        d = rng.choice(["2.25", "2.50", "2.75", "3.00", "3.50", "4.00"])
        length = rng.choice([9, 12, 14, 18, 23, 28, 33, 38])
        return f"直径{d}mm×长度{length}mm", f"PR{d.replace('.', '')}{length}"
    if kind == "balloon":
        d = rng.choice(["1.5", "2.0", "2.5", "3.0", "3.5"])
        return f"{d}mm×{rng.choice([10, 15, 20])}mm 额定压力12atm", f"BC-{d}-{i:03d}"
    if kind in ("hip", "knee"):
        size = rng.choice(["1#", "2#", "3#", "4#", "5#", "6#"])
        part = rng.choice(["股骨柄", "髋臼杯", "内衬", "股骨头", "胫骨托", "髌骨"])
        return f"{part} {size} 直径{rng.randint(28, 60)}mm", f"{kind.upper()}-{size[0]}{i:04d}"
    if kind == "screw":
        return f"Φ{rng.choice(['4.5', '5.5', '6.5', '7.5'])}×{rng.choice(range(30, 60, 5))}mm", (
            f"SP-{i:05d}"
        )
    if kind == "iol":
        power = rng.choice([x / 2 for x in range(10, 61)])
        return f"+{power:.1f}D 光学部直径6.0mm", f"AQ{int(power * 10):03d}"
    if kind == "suture":
        return (
            f"{rng.choice(['2-0', '3-0', '4-0', '5-0'])} 长度{rng.choice([45, 75, 90])}cm 带针",
            (f"VCP{i:04d}"),
        )
    if kind == "syringe":
        return (
            f"{rng.choice([1, 2, 5, 10, 20, 50])}ml 带针{rng.choice(['0.45', '0.6', '0.7'])}mm",
            (f"SY{i:04d}"),
        )
    if kind == "oxygenator":
        return f"最大血流量{rng.choice([2, 5, 7])}L/min", f"OX-{i:03d}"
    return f"{rng.choice([5, 10, 15])}cm×{rng.choice([5, 10, 20])}cm", f"DR{i:04d}"


def rows(count: int, *, seed: int = 20250601) -> Iterator[list[str]]:
    """``count`` data rows (without the header), products of 1 to 40 specifications each."""
    rng = random.Random(seed)
    produced = 0
    product = 0
    while produced < count:
        product += 1
        family = _FAMILIES[product % len(_FAMILIES)]
        category_code, l1_name, l2_name, l3_name, generic, names, materials, kind, unit, high = (
            family
        )
        l1, l2, l3 = category_code[:2], category_code[2:4], category_code[4:]
        company_no = product // 3  # a company registers a few products
        company_code = f"{company_no % 100000:05d}"
        base = (
            f"C{l1}{l2}{l3}{rng.randint(1, 999):03d}{rng.randint(0, 9):02d}"
            f"{rng.randint(0, 20):03d}{company_code}"
        )
        company = _company(random.Random(company_no), company_no)
        year = rng.randint(2014, 2024)
        if high:
            form = rng.choice(["准", "准", "进"])
            registration = f"国械注{form}{year}3{rng.randint(1, 77):02d}{rng.randint(0, 9999):04d}"
        else:
            registration = (
                f"{rng.choice(_PROVINCES)}械注准{year}2{rng.randint(1, 77):02d}"
                f"{rng.randint(0, 9999):04d}"
            )
        registered_name = rng.choice(names)
        category = f"{l1}-{l1_name}/{l1}{l2}-{l2_name}/{l1}{l2}{l3}-{l3_name}"
        material = rng.choice(materials)
        for i in range(1, rng.randint(1, 40) + 1):
            if produced >= count:
                return
            # The serial makes each row unique: the base code's company part repeats across a
            # company's products, the product counter does not.
            serial = f"{(product * 40 + i) % 10_000_000:07d}"
            specification, model = _spec(rng, kind, i)
            yield [
                base + serial,
                registration,
                registered_name,
                company,
                category,
                registered_name,
                company,
                specification,
                model,
                serial,
                "",
                generic,
                material,
                unit,
                "是" if high else "否",
            ]
            produced += 1


def change_row(row: list[str]) -> list[str]:
    """The same product with a corrected specification text (what a new release changes)."""
    changed = list(row)
    changed[7] = changed[7] + " (修订)"
    return changed


def write_csv(path: Path, count: int, *, changed_every: int = 0) -> None:
    """Write the export; with ``changed_every`` = 10, every 10th row is changed (10%)."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index, row in enumerate(rows(count)):
            if changed_every and index % changed_every == 0:
                row = change_row(row)
            writer.writerow(row)
    tmp.replace(path)


def ensure_files(directory: Path, count: int) -> tuple[Path, Path]:
    """The original and the 10%-changed file, generated once and reused."""
    directory.mkdir(parents=True, exist_ok=True)
    original = directory / f"catalog_{count}.csv"
    changed = directory / f"catalog_{count}_changed10.csv"
    if not original.exists():
        write_csv(original, count)
    if not changed.exists():
        write_csv(changed, count, changed_every=10)
    return original, changed


# --- The baseline ---------------------------------------------------------------------------

BASELINE_COLUMNS = (
    "code",
    "registration_number",
    "registered_name",
    "registrant",
    "category",
    "product_name",
    "company_name",
    "specification",
    "model",
    "spec_serial",
    "udi_di",
    "generic_name",
    "material",
    "unit",
    "high_value",
    "search_terms",
)


def ensure_baseline_file(source: Path) -> Path:
    """The export plus a search_terms column (space-joined bigrams), made with the canonical
    catalog.search.consumable_search_terms, once."""
    from catalog.search import consumable_search_terms

    target = source.with_name(source.stem + "_baseline.csv")
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return target
    tmp = target.with_suffix(".tmp")
    with (
        source.open(encoding="utf-8", newline="") as src,
        tmp.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader, writer = csv.reader(src), csv.writer(dst)
        writer.writerow([*next(reader), "search_terms"])
        for row in reader:
            values = dict(zip(BASELINE_COLUMNS, row, strict=False))
            writer.writerow([*row, " ".join(consumable_search_terms(values))])
    tmp.replace(target)
    return target


def baseline_reset(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
    cursor.execute(f"CREATE TABLE {SCRATCH} (LIKE catalog_consumable INCLUDING ALL)")


_COMPARED = (
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
    "status",
    "search_terms",
)


def _columns(prefix: str = "") -> str:
    return ", ".join(prefix + name for name in _COMPARED)


def baseline_load(cursor, path: Path) -> tuple[int, int]:
    """Raw COPY into staging plus one set-based upsert; returns (inserted, updated)."""
    cursor.execute("DROP TABLE IF EXISTS bench_stage")
    cursor.execute(
        "CREATE TEMP TABLE bench_stage ("
        + ", ".join(f"{name} text" for name in BASELINE_COLUMNS)
        + ")"
    )
    with (
        path.open("rb") as handle,
        cursor.copy("COPY bench_stage FROM STDIN (FORMAT csv, HEADER true)") as copy,
    ):
        while chunk := handle.read(1 << 20):
            copy.write(chunk)
    cursor.execute(
        f"""
        WITH upserted AS (
            INSERT INTO {SCRATCH} AS c (
                code, base_code, category_l1, category_l2, category_l3, generic_group,
                material_code, feature_code, company_code, spec_serial, {_columns()},
                created_at, updated_at
            )
            SELECT s.code, left(s.code, 20), substr(s.code, 2, 2), substr(s.code, 2, 4),
                   substr(s.code, 2, 6), substr(s.code, 8, 3), substr(s.code, 11, 2),
                   substr(s.code, 13, 3), substr(s.code, 16, 5), substr(s.code, 21, 7),
                   s.generic_name, s.product_name, s.registered_name, s.material,
                   s.specification, s.model, s.unit, s.registration_number, s.registrant,
                   s.company_name, s.high_value = '是', 'active',
                   string_to_array(s.search_terms, ' ')::varchar(2)[], now(), now()
            FROM bench_stage s
            ON CONFLICT (code) DO UPDATE SET
                {", ".join(f"{name} = EXCLUDED.{name}" for name in _COMPARED)},
                updated_at = EXCLUDED.updated_at
            WHERE ({_columns("c.")}) IS DISTINCT FROM ({_columns("EXCLUDED.")})
            RETURNING (c.xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
        FROM upserted
        """  # noqa: S608 (module constants only)
    )
    counts = cursor.fetchone()
    cursor.execute("DROP TABLE bench_stage")
    return counts


def same_content(cursor) -> int:
    """Rows where the project's catalogue and the baseline's scratch table differ."""
    cursor.execute(
        f"SELECT count(*) FROM catalog_consumable p FULL JOIN {SCRATCH} b ON b.code = p.code "  # noqa: S608
        f"WHERE ({_columns('p.')}) IS DISTINCT FROM ({_columns('b.')})"
    )
    return cursor.fetchone()[0]


# --- Running ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.catalog_import")
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time each step this many times and keep the fastest of each side (noisy hosts)",
    )
    args = parser.parse_args(argv)
    setup_django(database_suffix="_bench_catalog")

    from django.db import connection

    from catalog.services.imports import consumable_import

    original, changed = ensure_files(WORK_DIR, args.rows)
    baseline_original = ensure_baseline_file(original)
    baseline_changed = ensure_baseline_file(changed)
    changed_rows = len(range(0, args.rows, 10))

    def quiesce(cursor, *tables: str) -> None:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("CHECKPOINT")
        gc.collect()

    def fastest(times: list[dict[str, float]], side: str) -> float:
        return min(t[side] for t in times)

    results: list[Result] = []
    with connection.cursor() as cursor:
        # catalog_import: both into empty tables.
        runs: list[dict[str, float]] = []
        for _ in range(args.repeat):
            cursor.execute(
                "TRUNCATE catalog_consumable, catalog_category, catalog_deviceidentifier CASCADE"
            )
            baseline_reset(cursor)
            times: dict[str, float] = {}
            quiesce(cursor)
            with timed(times, "project"):
                result = consumable_import(actor=None, path=original)
            assert (result.inserted, result.rejected) == (args.rows, 0), result
            quiesce(cursor)
            with timed(times, "baseline"):
                counts = baseline_load(cursor, baseline_original)
            assert counts == (args.rows, 0), counts
            runs.append(times)
        assert same_content(cursor) == 0
        results.append(
            Result(
                "catalog_import", args.rows, fastest(runs, "project"), fastest(runs, "baseline"), 0
            )
        )

        # catalog_reimport: the changed file into the full catalogues.
        runs = []
        for repetition in range(args.repeat):
            if repetition:
                # Back to the original file's state, untimed.
                consumable_import(actor=None, path=original)
                baseline_load(cursor, baseline_original)
            times = {}
            quiesce(cursor, "catalog_consumable", SCRATCH)
            with timed(times, "project"):
                result = consumable_import(actor=None, path=changed)
            assert (result.updated, result.unchanged) == (changed_rows, args.rows - changed_rows)
            quiesce(cursor)
            with timed(times, "baseline"):
                counts = baseline_load(cursor, baseline_changed)
            assert counts == (0, changed_rows), counts
            runs.append(times)
        assert same_content(cursor) == 0
        results.append(
            Result(
                "catalog_reimport",
                args.rows,
                fastest(runs, "project"),
                fastest(runs, "baseline"),
                0,
            )
        )
        cursor.execute(f"DROP TABLE {SCRATCH}")

    missed = []
    for measured in results:
        measured.peak_rss_mb = peak_rss_mb()
        report(measured)
        if measured.ratio > TARGET_RATIO or measured.peak_rss_mb >= TARGET_RSS_MB:
            missed.append(measured.name)
    if missed:
        print(
            f"target missed (ratio <= {TARGET_RATIO}, peak RSS < {TARGET_RSS_MB} MB): "
            + ", ".join(missed),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
