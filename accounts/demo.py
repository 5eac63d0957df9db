"""Demo region: Nanjing (320100), with its bureau, agency, hospitals and suppliers.

Idempotent: organisations are keyed by their credit code and users by user name, so running it
again changes nothing. Every demo user has the same password, printed by ``make run``.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.hashers import make_password
from django.db import transaction
from stdnum.cn import uscc

from accounts.choices import HospitalTier, OrganizationKind, Ownership, Role
from accounts.models import Organization, User
from core import clock

DEMO_PASSWORD = "Yangguang@2026"  # noqa: S105  (published demo credential, see README)
CITY = "320100"

BUREAU = ("bureau", "南京市医疗保障局", "11", CITY)
AGENCY = ("agency", "南京市医疗保障基金管理中心", "12", CITY)
HOSPITALS = [
    ("h01", "南京市第一医院", "320104", HospitalTier.TIER_3),
    ("h02", "南京鼓楼医院", "320106", HospitalTier.TIER_3),
    ("h03", "江苏省人民医院", "320106", HospitalTier.TIER_3),
    ("h04", "南京市中医院", "320104", HospitalTier.TIER_3),
    ("h05", "南京市江宁医院", "320115", HospitalTier.TIER_3),
    ("h06", "南京市浦口医院", "320111", HospitalTier.TIER_2),
    ("h07", "南京市六合区人民医院", "320116", HospitalTier.TIER_2),
    ("h08", "南京市溧水区人民医院", "320117", HospitalTier.TIER_2),
    ("h09", "南京市高淳人民医院", "320118", HospitalTier.TIER_2),
    ("h10", "南京市栖霞区医院", "320113", HospitalTier.TIER_2),
    ("h11", "南京市雨花台区中医院", "320114", HospitalTier.TIER_1),
    ("h12", "南京市玄武区红山街道社区卫生服务中心", "320102", HospitalTier.UNGRADED),
]
MANUFACTURERS = [
    ("m01", "乐普(北京)医疗器械股份有限公司", "110114"),
    ("m02", "微创医疗器械(上海)有限公司", "310115"),
    ("m03", "山东威高骨科材料股份有限公司", "371002"),
    ("m04", "北京爱康宜诚医疗器材有限公司", "110114"),
    ("m05", "先健科技(深圳)有限公司", "440305"),
    ("m06", "吉威医疗制品有限公司", "370285"),
    ("m07", "上海微创心脉医疗科技股份有限公司", "310115"),
    ("m08", "江苏百视通医疗器械有限公司", "320583"),
    ("m09", "爱博诺德(北京)医疗科技股份有限公司", "110115"),
    ("m10", "天津正天医疗器械有限公司", "120116"),
    ("m11", "常州华森医疗器械股份有限公司", "320412"),
    ("m12", "南京微创医学科技股份有限公司", "320191"),
    ("m13", "苏州法兰克曼医疗器械有限公司", "320506"),
    ("m14", "江苏康进医疗器材有限公司", "320404"),
    ("m15", "上海康德莱医疗器械股份有限公司", "310114"),
]
DISTRIBUTORS = [
    ("d01", "国药控股江苏有限公司", "320106"),
    ("d02", "华润江苏医药有限公司", "320105"),
    ("d03", "上药控股江苏股份有限公司", "320104"),
    ("d04", "南京医药股份有限公司", "320106"),
    ("d05", "九州通医疗器械集团江苏有限公司", "320115"),
]


def _org_code(seed: str) -> str:
    """A 9-character organisation code (GB 11714) with its check character."""
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:8]
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return digits + {10: "X", 11: "0"}.get(check, str(check))


def demo_uscc(seed: str, authority: str, region: str) -> str:
    body = authority + region + _org_code(seed)
    return body + uscc.calc_check_digit(body)


def _org(key: str, kind: str, name: str, authority: str, region: str, **extra) -> Organization:
    code = demo_uscc(key, authority, region)
    org, _ = Organization.objects.update_or_create(
        uscc=code, defaults={"kind": kind, "name": name, "region_code": region, **extra}
    )
    return org


def _user(username: str, org: Organization, roles: list[str], name: str, hashed: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, organization=org, roles=roles, first_name=name)
        user.password = hashed
        user.password_changed_at = clock.now()
        user.save()
    elif user.first_name != name:  # an older seed wrote the role's Chinese label into it
        user.first_name = name
        user.save(update_fields=["first_name"])
    return user


DEMO_CUSTODIANS = 5


@transaction.atomic
def seed() -> list[tuple[str, str, str]]:
    """Create the demo region; return (user name, role, organisation) for the README table."""
    logins: list[tuple[str, str, str]] = []
    # One hash for all demo users: a password hash costs ~0.5 s by design.
    hashed = make_password(DEMO_PASSWORD)

    def add(username: str, org: Organization, role: str) -> None:
        # The name is the organisation's only: pages show the role from its label, in the
        # page's language (a label stored in the name stays Chinese in the English UI).
        _user(username, org, [role], org.name, hashed)
        logins.append((username, role, org.name))

    key, name, authority, region = BUREAU
    bureau = _org(key, OrganizationKind.BUREAU, name, authority, region)
    add("bureau", bureau, Role.BUREAU_OFFICER)
    add("admin", bureau, Role.PLATFORM_ADMIN)
    # The key custodians of the demo's tender rounds (sealed bids): four bureau officers and
    # the discipline-inspection officer (custodian5). DEMO ONLY: their shares are written to
    # var/DEMO-ONLY-round-key-shares.txt (procurement.demo).
    for n in range(1, DEMO_CUSTODIANS + 1):
        add(f"custodian{n}", bureau, Role.BUREAU_OFFICER)
    key, name, authority, region = AGENCY
    agency = _org(key, OrganizationKind.AGENCY, name, authority, region)
    add("agency", agency, Role.AGENCY_FINANCE)
    for i, (key, name, region, tier) in enumerate(HOSPITALS, start=1):
        ownership = Ownership.PUBLIC
        org = _org(
            key,
            OrganizationKind.HOSPITAL,
            name,
            "12",
            region,
            tier=tier,
            ownership=ownership,
            insurance_code=f"H{region}{i:05d}",
        )
        add(f"{key}_purchaser", org, Role.HOSPITAL_PURCHASER)
        add(f"{key}_finance", org, Role.HOSPITAL_FINANCE)
    for key, name, region in MANUFACTURERS:
        org = _org(key, OrganizationKind.MANUFACTURER, name, "91", region)
        add(f"{key}_sales", org, Role.SUPPLIER_SALES)
    for key, name, region in DISTRIBUTORS:
        org = _org(key, OrganizationKind.DISTRIBUTOR, name, "91", region)
        add(f"{key}_sales", org, Role.SUPPLIER_SALES)
    return logins
