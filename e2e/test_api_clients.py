"""The platform administrator issues an HIS key: the key is shown once, after a redirect, and
reloading the page neither shows it again nor creates a second client."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.helpers import menu

pytestmark = pytest.mark.e2e

KEY = re.compile(r"yg_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def test_admin_creates_an_api_client_and_sees_its_key_once(journey):
    page = journey.login("admin")
    menu(page, "接口客户端").click()
    expect(page.locator("[data-api-help]")).to_contain_text("Authorization: Bearer <key>")
    name = "E2E 医院信息系统"
    page.get_by_placeholder("名称").fill(name)
    page.locator("select[name=organization]").select_option(index=1)  # the first hospital
    page.get_by_role("button", name="创建").click()
    key = page.locator("[data-api-key]")
    expect(key).to_have_text(KEY)
    assert page.url.endswith("/accounts/api-clients/")  # redirected: a GET, safe to reload
    journey.shot(page, "api-key-shown-once")

    page.reload()
    expect(page.locator("[data-api-key]")).to_have_count(0)
    expect(page.get_by_role("cell", name=name, exact=True)).to_have_count(1)
    journey.shot(page, "api-clients-after-reload")
