"""Region policy: seed defaults with their rule ids, edited by bureau staff only."""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.choices import Role
from accounts.tests.factories import BureauFactory, user_with_role
from core.policy import RULES, RegionPolicy, policy_for
from core.tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_defaults_are_the_seed_figures():
    """[R-LIST-ALT-CAP] 15%, [R-EMERG-CAP] 3% / 2%, [R-EMERG-DEADLINE] 5 working days,
    [R-PAY-30] 30 days, [R-ADVANCE] 30%."""
    policy = policy_for("320106")
    assert policy.pk is None
    assert policy.alternate_catalogue_cap_ratio == Decimal("0.1500")
    assert policy.emergency_cap_ratio_tier3 == Decimal("0.0300")
    assert policy.emergency_cap_ratio_other == Decimal("0.0200")
    assert policy.emergency_registration_working_days == 5
    assert policy.payment_deadline_days == 30
    assert policy.advance_ratio == Decimal("0.3000")


REPO = Path(__file__).resolve().parents[2]
DOMAIN_REFERENCE = Path("shared", "design", "domain.md")


def _domain_reference_candidates() -> list[Path]:
    """Where the domain reference may be: $YANGGUANG_DOMAIN_REFERENCE alone when set; else the
    team's shared/ folder beside the clone (CI keeps a copy of shared/ beside its clone) and,
    for a git worktree, the shared/ folder beside the main checkout."""
    if os.environ.get("YANGGUANG_DOMAIN_REFERENCE"):
        return [Path(os.environ["YANGGUANG_DOMAIN_REFERENCE"])]
    candidates = [REPO.parent / DOMAIN_REFERENCE]
    dot_git = REPO / ".git"
    if dot_git.is_file():  # a worktree: "gitdir: <main>/.git/worktrees/<name>"
        gitdir = Path(dot_git.read_text().partition("gitdir:")[2].strip())
        common = gitdir / "commondir"
        main_git = (gitdir / common.read_text().strip()) if common.is_file() else gitdir.parents[1]
        candidates.append(main_git.resolve().parent.parent / DOMAIN_REFERENCE)
    return candidates


def test_every_figure_names_a_rule_of_the_domain_reference():
    """Each region-policy figure names a rule id, and every such id is a rule of
    shared/design/domain.md. Without the reference the test fails: it cannot check."""
    assert {f.name for f in RegionPolicy.figures()} == set(RULES)
    candidates = _domain_reference_candidates()
    domain = next((path for path in candidates if path.is_file()), None)
    if domain is None:
        pytest.fail(
            "The domain reference (shared/design/domain.md) was not found; looked in: "
            + ", ".join(str(path) for path in candidates)
            + ". Put the team's shared/ folder beside the clone, or point "
            "YANGGUANG_DOMAIN_REFERENCE at domain.md."
        )
    known = set(re.findall(r"\[(R-[A-Z0-9-]+)\]", domain.read_text(encoding="utf-8")))
    assert known, f"{domain} names no rule id"
    assert set(RULES.values()) - known == set(), f"rule ids missing from {domain}"


def test_a_city_policy_applies_to_its_districts():
    RegionPolicy.objects.create(region_code="320100", alternate_catalogue_cap_ratio="0.1000")
    assert policy_for("320106").alternate_catalogue_cap_ratio == Decimal("0.1000")
    assert policy_for("320505").alternate_catalogue_cap_ratio == Decimal("0.1500")


def test_bureau_officer_edits_own_region_through_the_api():
    bureau = BureauFactory(region_code="320100")
    officer = user_with_role(Role.BUREAU_OFFICER, organization=bureau)
    response = client_for(officer).patch(
        "/api/v1/region-policy/", {"alternate_catalogue_cap_ratio": "0.1200"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["alternate_catalogue_cap_ratio"] == "0.1200"
    assert response.json()["rules"]["alternate_catalogue_cap_ratio"] == "R-LIST-ALT-CAP"
    assert RegionPolicy.objects.get(region_code="320100").alternate_catalogue_cap_ratio == Decimal(
        "0.1200"
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"alternate_catalogue_cap_ratio": "1.5"}, "alternate_catalogue_cap_ratio"),
        ({"payment_deadline_days": -1}, "payment_deadline_days"),
        ({"advance_ratio": "abc"}, "advance_ratio"),
    ],
    ids=["ratio-above-one", "negative-days", "not-a-number"],
)
def test_bad_figures_are_refused_and_change_nothing(payload, field):
    officer = user_with_role(Role.BUREAU_OFFICER)
    response = client_for(officer).patch("/api/v1/region-policy/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["extra"]["fields"]
    assert not RegionPolicy.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.AGENCY_FINANCE, Role.HOSPITAL_PURCHASER, Role.SUPPLIER_SALES]
)
def test_others_may_not_edit(role):
    response = client_for(user_with_role(role)).patch(
        "/api/v1/region-policy/", {"advance_ratio": "0.5"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not RegionPolicy.objects.exists()


def test_page_shows_each_figure_with_its_rule():
    from django.test import Client

    client = Client()
    client.force_login(user_with_role(Role.BUREAU_OFFICER))
    html = client.get("/region-policy/").content.decode()
    for rule in set(RULES.values()):
        assert rule in html


def _page(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _form(**changes) -> dict:
    """The page's form as shown (shares in percent), with ``changes`` typed over it."""
    from core.policy import RATIO_FIELDS

    policy = policy_for("320100")
    form = {}
    for field in RegionPolicy.figures():
        value = getattr(policy, field.name)
        form[field.name] = str(value * 100) if field.name in RATIO_FIELDS else str(value)
    return {**form, **changes}


def test_shares_are_shown_and_typed_in_percent_and_stored_as_ratios():
    officer = user_with_role(Role.BUREAU_OFFICER, organization=BureauFactory(region_code="320100"))
    page = _page(officer)
    html = page.get("/region-policy/").content.decode()
    assert 'value="15"' in html  # the alternate-catalogue cap, not 0.1500
    assert "0.1500" not in html
    assert "百分之十五" in html  # the page says how to type a share, in Chinese
    agency = user_with_role(Role.AGENCY_FINANCE)
    assert "15%" in _page(agency).get("/region-policy/").content.decode()  # read-only view
    response = page.post(
        "/region-policy/", _form(alternate_catalogue_cap_ratio="12.5", confirm="1")
    )
    assert response.status_code == 302
    stored = RegionPolicy.objects.get(region_code="320100").alternate_catalogue_cap_ratio
    assert stored == Decimal("0.1250")


@pytest.mark.parametrize("typed", ["101", "-1", "12.345", "abc"])
def test_a_percentage_outside_0_to_100_or_finer_than_hundredths_is_refused(typed):
    officer = user_with_role(Role.BUREAU_OFFICER)
    response = _page(officer).post(
        "/region-policy/", _form(alternate_catalogue_cap_ratio=typed, confirm="1")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["alternate_catalogue_cap_ratio"]
    assert not RegionPolicy.objects.exists()


def test_saving_asks_for_confirmation_showing_old_and_new_values_first():
    officer = user_with_role(Role.BUREAU_OFFICER, organization=BureauFactory(region_code="320100"))
    page = _page(officer)
    first = page.post("/region-policy/", _form(advance_ratio="40", payment_deadline_days="20"))
    assert first.status_code == 200
    assert not RegionPolicy.objects.exists()  # nothing saved yet
    html = first.content.decode()
    assert 'name="confirm" value="1"' in html
    changes = {c["name"]: (c["before"], c["after"]) for c in first.context["changes"]}
    assert changes == {"advance_ratio": ("30%", "40%"), "payment_deadline_days": ("30", "20")}
    assert "30%" in html
    assert "40%" in html
    # The confirm form carries the typed values through; posting it saves them.
    confirm = {name: first.context["form"][name].value() for name in first.context["form"].fields}
    second = page.post("/region-policy/", {**confirm, "confirm": "1"})
    assert second.status_code == 302
    policy = RegionPolicy.objects.get(region_code="320100")
    assert policy.advance_ratio == Decimal("0.4000")
    assert policy.payment_deadline_days == 20


def test_each_figure_shows_its_own_history_inline():
    officer = user_with_role(Role.BUREAU_OFFICER, organization=BureauFactory(region_code="320100"))
    page = _page(officer)
    page.post("/region-policy/", _form(advance_ratio="40", confirm="1"))
    page.post("/region-policy/", _form(advance_ratio="45", confirm="1"))
    response = page.get("/region-policy/")
    rows = {field.name: changes for field, _rule, _shown, changes in response.context["rows"]}
    assert [(c["before"], c["after"]) for c in rows["advance_ratio"]] == [
        ("40%", "45%"),
        ("30%", "40%"),
    ]
    assert all(c["who"] == str(officer) for c in rows["advance_ratio"])
    assert rows["payment_deadline_days"] == []
    html = response.content.decode()
    assert "40% → 45%" in html
