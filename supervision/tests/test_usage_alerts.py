"""The usage-based alert rules [R-ALERT-USE] [R-ZERO-MARKUP] on hand-built usage records
(docs/alerts-usage.md). The region is Nanjing (320100): hospital H (320106) and its peer P
(320102) are in it, F (310101, Shanghai) is not. The window is the 90 days ending with
2026-11-30 (Asia/Shanghai): from 2026-09-02 00:00 to 2026-12-01 00:00."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import HospitalFactory, OrganizationFactory, UserFactory
from catalog.tests.factories import ConsumableFactory
from core import clock
from procurement.models import EmergencyPurchase, EmergencyPurchaseLine, Listing
from procurement.tests.factories import (
    DeliveryFactory,
    DeliveryLineFactory,
    ListingFactory,
    OrderFactory,
    OrderLineFactory,
    UsageRecordFactory,
)
from supervision.selectors import usage_alerts
from supervision.selectors.usage_alerts import (
    USAGE_RULES,
    doctor_brand_share,
    off_platform,
    robust_z,
    usage_per_operation,
    zero_markup,
)

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 30)
REGION = "320100"


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=clock.SHANGHAI)


@pytest.fixture
def world():
    brand_a = OrganizationFactory(name="甲器械")
    brand_b = OrganizationFactory(name="乙器械")
    a = ListingFactory(manufacturer=brand_a, price=Decimal("100.00"))
    b = ListingFactory(manufacturer=brand_b, price=Decimal("120.00"))
    return {
        "h": HospitalFactory(region_code="320106", name="鼓楼医院"),
        "p": HospitalFactory(region_code="320102", name="玄武医院"),
        "f": HospitalFactory(region_code="310101", name="黄浦医院"),
        "brand_a": brand_a,
        "brand_b": brand_b,
        "listing_a": a,
        "listing_b": b,
        "a": a.consumable,
        "b": b.consumable,
    }


def use(hospital, consumable, n: int = 1, *, when=None, **kw):
    """``n`` usage records of one unit each (or pass ``quantity=``)."""
    return [
        UsageRecordFactory(
            hospital=hospital, consumable=consumable, used_at=when or at(11, 10), **kw
        )
        for _ in range(n)
    ]


def run(rule, **params):
    return rule(region_code=REGION, params={k: Decimal(v) for k, v in params.items()}, as_of=AS_OF)


# --- The registry ------------------------------------------------------------------------------


def test_each_rule_declares_its_parameters_with_defaults_in_range_r_alert_use():
    assert [r["code"] for r in USAGE_RULES] == [
        "doctor_brand_share",
        "usage_per_operation",
        "zero_markup",
        "off_platform",
    ]
    for rule in USAGE_RULES:
        assert rule["rule_id"] in {"R-ALERT-USE", "R-ZERO-MARKUP"}
        assert callable(rule["evaluate"])
        assert str(rule["title"])
        names = [p[0] for p in rule["params"]]
        assert names[0] == "window_days"
        for _name, label, low, high, default in rule["params"]:
            assert str(label)
            assert low <= default <= high


# --- doctor_brand_share [R-ALERT-USE] ----------------------------------------------------------


def test_brand_share_at_threshold_does_not_fire_r_alert_use(world):
    """Doctor D001 of H: 16 units of brand A and 4 of B in the category: A's share is
    16/20 = 80%, not above 80%."""
    use(world["h"], world["a"], 16, doctor_code="D001")
    use(world["h"], world["b"], 4, doctor_code="D001")
    assert run(doctor_brand_share) == []
    [finding] = run(doctor_brand_share, share_pct="79.99")
    assert finding.measured == Decimal("80.00")


def test_brand_share_above_threshold_fires_r_alert_use(world):
    """17 of A and 3 of B: 85% > 80%, over 20 units, two brands listed: one finding on the
    doctor and category, brand A the supplier, severity low (85% is below the midpoint 90%)."""
    h = world["h"]
    use(h, world["a"], 17, doctor_code="D001")
    use(h, world["b"], 3, doctor_code="D001")
    use(h, world["b"], 25, doctor_code="D002")  # another doctor, 100% brand B
    findings = {f.subject_key: f for f in run(doctor_brand_share)}
    category = world["a"].category_l3
    mine = findings[f"h:{h.pk}:doctor:D001:cat:{category}"]
    assert mine.measured == Decimal("85.00")
    assert mine.threshold == Decimal("80")
    assert mine.supplier_id == world["brand_a"].pk
    assert mine.hospital_id == h.pk
    assert mine.region_code == "320106"
    assert mine.severity == "low"
    assert "85.0%" in mine.summary
    assert "D001" in mine.summary
    summary, *rows = mine.evidence
    assert summary["kind"] == "summary"
    assert summary["brands"][0] == {"brand": world["brand_a"].pk, "quantity": 17, "name": "甲器械"}
    assert len(rows) == 17
    assert {r["kind"] for r in rows} == {"usage_record"}
    # D002 used one brand only: 100%, severity high.
    assert findings[f"h:{h.pk}:doctor:D002:cat:{category}"].severity == "high"


def test_brand_share_below_minimum_volume_does_not_fire_r_alert_use(world):
    """17 of A and 2 of B: 89.5% but 19 units, under the minimum of 20."""
    use(world["h"], world["a"], 17, doctor_code="D001")
    use(world["h"], world["b"], 2, doctor_code="D001")
    assert run(doctor_brand_share) == []
    assert len(run(doctor_brand_share, min_volume=19)) == 1


def test_brand_share_with_one_brand_listed_does_not_fire_r_alert_use(world):
    """17 of A and 3 of B, but B's listing is suspended: one brand listed is no choice."""
    use(world["h"], world["a"], 17, doctor_code="D001")
    use(world["h"], world["b"], 3, doctor_code="D001")
    Listing.objects.filter(pk=world["listing_b"].pk).update(status="suspended")
    assert run(doctor_brand_share) == []


def test_brand_share_ignores_other_regions_and_old_records_r_alert_use(world):
    """F (Shanghai) has a 100% doctor over 30 units; H's doctor has 20 units of A, but 10 of
    them on 2026-09-01 23:00, just before the window."""
    use(world["f"], world["a"], 30, doctor_code="D001")
    use(world["h"], world["a"], 10, doctor_code="D009")
    use(world["h"], world["a"], 10, doctor_code="D009", when=at(9, 1, 23))
    assert run(doctor_brand_share) == []
    assert len(run(doctor_brand_share, window_days=91)) == 1
    [far] = doctor_brand_share(region_code="310000", params={}, as_of=AS_OF)
    assert far.hospital_id == world["f"].pk


# --- usage_per_operation [R-ALERT-USE] ---------------------------------------------------------


def operations(hospital, consumable, quantities, *, department="骨科", prefix="OP"):
    for n, quantity in enumerate(quantities):
        UsageRecordFactory(
            hospital=hospital,
            consumable=consumable,
            quantity=quantity,
            operation_id=f"{prefix}{n:03d}",
            department=department,
            used_at=at(11, 1 + n),
        )


def test_robust_z_score_and_its_fallback_when_mad_is_zero_r_alert_use():
    assert robust_z(Decimal(7), Decimal(3), Decimal("0.5"), Decimal(1)) == Decimal("5.396")
    # MAD 0: (4 − 1) / (1.253314 × 0.3)
    z = robust_z(Decimal(4), Decimal(1), Decimal(0), Decimal("0.3"))
    assert z == Decimal(3) / (Decimal("1.253314") * Decimal("0.3"))
    assert robust_z(Decimal(1), Decimal(1), Decimal(0), Decimal(0)) is None


def test_usage_per_operation_at_threshold_does_not_fire_r_alert_use(world):
    """Ten operations of the category in 骨科 using 2, 2, 3, 3, 3, 3, 3, 4, 4 and 7 units
    (the 7 as two records, 3 + 4, across H and P): median 3, absolute deviations 1, 1, 0, 0,
    0, 0, 0, 1, 1, 4, MAD 0.5; the 7's z-score is 0.6745 × 4 / 0.5 = 5.396."""
    operations(world["h"], world["a"], [2, 2, 3, 3, 3])
    operations(world["p"], world["a"], [3, 3, 4, 4, 3], prefix="PX")
    UsageRecordFactory(
        hospital=world["p"],
        consumable=world["a"],
        quantity=4,
        operation_id="PX004",
        department="骨科",
        used_at=at(11, 20),
    )
    assert run(usage_per_operation, z_threshold="5.396") == []
    [finding] = run(usage_per_operation)  # default 3.5: only the 7 (the 4s are at 1.349)
    assert finding.measured == Decimal("5.40")
    assert finding.subject_key == (
        f"h:{world['p'].pk}:op:PX004:cat:{world['a'].category_l3}:dept:骨科"
    )
    assert finding.severity == "low"
    summary, *rows = finding.evidence
    assert summary["median"] == "3.0"
    assert summary["mad"] == "0.5"
    assert summary["peers"] == 10
    assert summary["quantity"] == 7
    assert len(rows) == 2
    assert len(run(usage_per_operation, z_threshold="5.3959")) == 1


def test_usage_per_operation_needs_the_minimum_peer_group_r_alert_use(world):
    """The same ten operations, with at least 11 peers required; other departments and F's
    operations are no peers."""
    operations(world["h"], world["a"], [2, 2, 3, 3, 3, 3, 3, 4, 4, 7])
    operations(world["h"], world["a"], [1, 1, 1], department="眼科", prefix="EY")
    operations(world["f"], world["a"], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 50], prefix="F")
    assert run(usage_per_operation, min_peers=11) == []
    [finding] = run(usage_per_operation, min_peers=10)
    assert finding.hospital_id == world["h"].pk


def test_usage_per_operation_with_mad_zero_uses_the_mean_absolute_deviation_r_alert_use(world):
    """Nine operations of 1 unit and one of 4: median 1, MAD 0; MeanAD = 3 / 10 = 0.3 and
    z = 3 / (1.253314 × 0.3) = 7.98 > 3.5 (severity medium: above 2 × 3.5)."""
    operations(world["h"], world["a"], [1] * 9 + [4])
    [finding] = run(usage_per_operation)
    assert finding.measured == Decimal("7.98")
    assert finding.severity == "medium"
    assert finding.evidence[0]["mad"] == "0.0"


def test_usage_per_operation_all_equal_does_not_fire_r_alert_use(world):
    """Ten operations of 2 units: MAD and MeanAD 0, nothing abnormal."""
    operations(world["h"], world["a"], [2] * 10)
    assert run(usage_per_operation, z_threshold="1") == []


# --- zero_markup [R-ZERO-MARKUP] --------------------------------------------------------------


def bought(hospital, listing, *, price: str, lot: str, submitted_at, line_status="confirmed"):
    order = OrderFactory(
        hospital=hospital,
        supplier=listing.manufacturer,
        status="confirmed",
        submitted_at=submitted_at,
    )
    line = OrderLineFactory(
        order=order,
        listing=listing,
        unit_price=Decimal(price),
        quantity=10,
        status=line_status,
        delivered_quantity=10,
        accepted_quantity=10,
    )
    delivery = DeliveryFactory(order=order, status="accepted", accepted_at=submitted_at)
    DeliveryLineFactory(
        delivery=delivery, order_line=line, quantity=10, accepted_quantity=10, lot=lot
    )
    return line


@pytest.fixture
def priced(world):
    """H bought A at 100.00 (lot L1, ordered 2026-09-10) and later at 90.00 (lot L2,
    2026-10-10)."""
    h, listing = world["h"], world["listing_a"]
    world["line1"] = bought(h, listing, price="100.00", lot="L1", submitted_at=at(9, 10))
    world["line2"] = bought(h, listing, price="90.00", lot="L2", submitted_at=at(10, 10))
    return world


def charged(w, price, *, lot, hospital=None, when=None):
    [record] = use(
        hospital or w["h"],
        w["a"],
        when=when or at(11, 10),
        lot=lot,
        charged_price=None if price is None else Decimal(price),
    )
    return record


def test_zero_markup_at_purchase_price_does_not_fire_r_zero_markup(priced):
    """Lot L1 charged 100.00 (its own line's price, though the latest is 90.00), lot L2 at
    90.00, an unknown lot at 90.00 (the latest price), a record without a charged price."""
    charged(priced, "100.00", lot="L1")
    charged(priced, "90.00", lot="L2")
    charged(priced, "90.00", lot="L9")
    charged(priced, None, lot="L1")
    assert run(zero_markup) == []


def test_zero_markup_beyond_tolerance_fires_r_zero_markup(priced):
    """Lot L1 charged 100.50 and an unknown lot charged 100.00 (latest price 90.00): 0.50 and
    10.00 over; with tolerance 0.00 both, one finding on H and A; at tolerance 10.00 none."""
    one = charged(priced, "100.50", lot="L1")
    two = charged(priced, "100.00", lot="L9")
    [finding] = run(zero_markup)
    assert finding.subject_key == f"h:{priced['h'].pk}:product:{priced['a'].pk}"
    assert finding.measured == Decimal("10.00")
    assert finding.threshold == Decimal("0")
    assert finding.severity == "high"  # 10.00 / 90.00 = 11% >= 10%
    summary, *rows = finding.evidence
    assert summary["net_difference"] == "10.50"
    assert summary["records"] == 2
    by_id = {r["id"]: r for r in rows}
    assert by_id[one.pk]["purchase_price"] == "100.00"
    assert by_id[one.pk]["order_line_id"] == priced["line1"].pk
    assert by_id[one.pk]["lot_match"] is True
    assert by_id[one.pk]["charged_price"] == "100.50"
    assert by_id[two.pk]["purchase_price"] == "90.00"
    assert by_id[two.pk]["lot_match"] is False
    assert run(zero_markup, tolerance="10.00") == []
    [only] = run(zero_markup, tolerance="9.99")
    assert only.evidence[0]["records"] == 1


def test_zero_markup_at_tolerance_does_not_fire_r_zero_markup(priced):
    """Lot L1 charged 100.50, 0.50 over: not beyond a tolerance of 0.50, beyond 0.49 (severity
    low: 0.5%)."""
    charged(priced, "100.50", lot="L1")
    assert run(zero_markup, tolerance="0.50") == []
    [finding] = run(zero_markup, tolerance="0.49")
    assert finding.severity == "low"


def test_zero_markup_prefers_the_order_before_the_use_r_zero_markup(priced):
    """An unknown lot used on 2026-09-20, before the 90.00 order: its price is 100.00."""
    charged(priced, "100.00", lot="L9", when=at(9, 20))
    assert run(zero_markup) == []


def test_zero_markup_ignores_other_regions_and_products_never_bought_r_zero_markup(priced):
    """F charged A at 500.00 but is outside Nanjing (and bought nothing); H charged B, which
    it never bought, at 999.00: no purchase price, so no finding here (off_platform's)."""
    charged(priced, "500.00", lot="L1", hospital=priced["f"])
    use(priced["h"], priced["b"], charged_price=Decimal("999.00"))
    assert run(zero_markup) == []


# --- off_platform [R-ALERT-USE] ---------------------------------------------------------------


def emergency(hospital, consumable, *, bought_on):
    registrar = UserFactory(organization=hospital, roles=["hospital_purchaser"])
    purchase = EmergencyPurchase.objects.create(
        hospital=hospital,
        bought_on=bought_on,
        reason="急诊手术",
        approver_name="王院长",
        approver_role="院长",
        amount=Decimal("100.00"),
        deadline=bought_on + dt.timedelta(days=7),
        registered_on=bought_on,
        cap=Decimal("100000.00"),
        used_before=Decimal("0.00"),
        registered_by=registrar,
        registered_at=at(11, 1),
    )
    EmergencyPurchaseLine.objects.create(
        purchase=purchase,
        consumable=consumable,
        supplier_name="应急供应商",
        unit_price=Decimal("100.00"),
        quantity=1,
        amount=Decimal("100.00"),
    )


def test_off_platform_at_minimum_fires_r_alert_use(world):
    """H bought A on the platform and used 3; it used 2 units of C, never bought: with a
    minimum of 2 units C fires (measured 2), with 3 it does not."""
    h = world["h"]
    bought(h, world["listing_a"], price="100.00", lot="L1", submitted_at=at(9, 10))
    use(h, world["a"], 3)
    c = ConsumableFactory(manufacturer=world["brand_b"])
    use(h, c, 2)
    [finding] = run(off_platform, min_quantity=2)
    assert finding.subject_key == f"h:{h.pk}:product:{c.pk}"
    assert finding.measured == Decimal(2)
    assert finding.threshold == Decimal(2)
    assert finding.supplier_id == world["brand_b"].pk
    assert finding.severity == "low"
    assert len(finding.evidence) == 3
    assert run(off_platform, min_quantity=3) == []
    assert run(off_platform)[0].severity == "low"  # default minimum 1: 2 units


def test_off_platform_counts_emergency_purchases_and_cancelled_lines_r_alert_use(world):
    """H registered an emergency purchase of B (before the window's end) and used it: no
    finding. It ordered D, but the line was cancelled, and used D: a finding. P registered its
    emergency purchase of C only after the window's end: a finding. F is outside."""
    h, p = world["h"], world["p"]
    emergency(h, world["b"], bought_on=dt.date(2026, 10, 1))
    use(h, world["b"])
    d = ListingFactory(manufacturer=world["brand_a"])
    bought(h, d, price="100.00", lot="L1", submitted_at=at(9, 10), line_status="cancelled")
    use(h, d.consumable, 3)
    c = ConsumableFactory()
    emergency(p, c, bought_on=dt.date(2026, 12, 1))
    use(p, c)
    use(world["f"], c, 5)
    findings = {(f.hospital_id, f.subject_key.split(":")[-1]) for f in run(off_platform)}
    assert findings == {(h.pk, str(d.consumable.pk)), (p.pk, str(c.pk))}


def test_evidence_is_capped_r_alert_use(world, monkeypatch):
    """A doctor's 25 units of A in the category, evidence capped at 10 rows here (50 by
    default), the summary row still counting all 25."""
    monkeypatch.setattr(usage_alerts, "EVIDENCE_LIMIT", 10)
    use(world["h"], world["a"], 25, doctor_code="D001")
    [finding] = run(doctor_brand_share)
    assert finding.evidence[0]["total_quantity"] == 25
    assert len(finding.evidence) == 11
