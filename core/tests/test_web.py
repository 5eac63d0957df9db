"""The page helpers every list and action shares (core.web)."""

import pytest
from django.test import RequestFactory

from core.web import paginate, parse_id, redirect_back, wants_xlsx

rf = RequestFactory()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("12", 12, id="digits"),
        pytest.param(" 7 ", 7, id="spaces"),
        pytest.param("0", 0, id="zero"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
        pytest.param("x", None, id="letters"),
        pytest.param("-1", None, id="negative"),
        pytest.param("1.5", None, id="decimal"),
        pytest.param("²", None, id="superscript"),
        pytest.param("１２", None, id="full-width"),
    ],
)
def test_parse_id_reads_ascii_digits_only(typed, expected):
    """Unicode digits pass str.isdigit() but int() may refuse them: they give None, not a 500."""
    assert parse_id(typed) == expected


@pytest.mark.parametrize(
    ("query", "size"),
    [
        ("", 20),
        ("page_size=50", 50),
        ("page_size=100", 100),
        ("page_size=7", 20),
        ("page_size=100000", 20),
        ("page_size=x", 20),
    ],
)
def test_paginate_offers_only_the_list_sizes(query, size):
    page = paginate(rf.get("/?" + query), list(range(500)))
    assert len(page.object_list) == size


def test_paginate_gives_the_last_page_past_the_end():
    page = paginate(rf.get("/?page=99"), list(range(45)))
    assert page.number == 3
    assert list(page.object_list) == list(range(40, 45))


def test_wants_xlsx_only_on_the_export_switch():
    assert wants_xlsx(rf.get("/?export=xlsx"))
    assert not wants_xlsx(rf.get("/?export=csv"))
    assert not wants_xlsx(rf.get("/"))


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/procurement/orders/?status=draft", "/procurement/orders/?status=draft"),
        ("https://evil.example/steal", "/fallback/"),
        ("//evil.example/", "/fallback/"),
        ("", "/fallback/"),
    ],
    ids=["own-page", "other-site", "scheme-relative", "none"],
)
def test_redirect_back_returns_only_to_our_own_pages(next_url, location):
    request = rf.post("/", {"next": next_url}, HTTP_HOST="testserver")
    assert redirect_back(request, "/fallback/")["Location"] == location
