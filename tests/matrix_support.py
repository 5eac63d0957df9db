"""Machinery of the permission matrix (tests/test_permission_matrix.py): the URL conf's routes,
the schema's operations, one request as one role, and what a refused request must not write.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import requests
import schemathesis
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from tests.api_world import ROLES, ApiWorld

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
# Outcomes that refuse: nothing may be written by them (see ``writes``).
REFUSALS = {"401", "403", "404", "405", "302L", "302A"}
# Tables a refused request may write: the security log records the refusal, django-axes its
# access log, a session notes the last request, an API key its last use, and the idempotency
# store keeps the answer to a keyed POST (a refusal too), so that a retry gets the same one.
LOG_TABLES = {
    "accounts_securityevent",
    "axes_accesslog",
    "django_session",
    "accounts_apiclient",
    "core_idempotencyrecord",
}


@dataclass(frozen=True)
class Row:
    """One route of the URL conf with the objects its path names, and per method the outcome
    for each role in tests.api_world.ROLES order. Outcomes: a status code, ``302L`` (redirect
    to the login page), ``302A`` (to the admin's login page)."""

    route: str
    kwargs: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None

    @property
    def id(self) -> str:
        values = ",".join(f"{k}={v}" for k, v in self.kwargs.items())
        return f"{self.route} {values}".strip()


def row(route: str, /, *, body: dict | None = None, **spec: str) -> Row:
    """``row(route, pk="@draft_order", GET="200 ...", POST="...")``: keyword arguments in
    upper case are methods, the others path parameters (``@name`` is a world object)."""
    methods = {k: v for k, v in spec.items() if k.isupper()}
    kwargs = {k: v for k, v in spec.items() if not k.isupper()}
    return Row(route, kwargs, methods, body)


# --- The URL conf and the schema -------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None  # namespaced, for reverse(); None for unnamed patterns
    regex: bool


def _walk(resolver: URLResolver, prefix: str, namespace: str):
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            ns = namespace
            if item.namespace:
                ns = f"{namespace}:{item.namespace}" if namespace else item.namespace
            yield from _walk(item, prefix + str(item.pattern), ns)
        elif isinstance(item, URLPattern):
            name = f"{namespace}:{item.name}" if namespace and item.name else item.name
            regex = not hasattr(item.pattern, "converters") or str(item.pattern).startswith("^")
            yield Route(prefix + str(item.pattern), name, regex)


@cache
def routes() -> dict[str, Route]:
    return {r.route: r for r in _walk(get_resolver(), "", "")}


@cache
def openapi() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@cache
def checked_schema():
    """The schema as schemathesis reads it: the fuzzer's rules for response conformance."""
    return schemathesis.openapi.from_dict(copy.deepcopy(openapi()))


def assert_conforms(route: str, method: str, url: str, response) -> None:
    """The response's status is documented for the operation, and its body matches the
    schema documented for that status (schemathesis's response_schema_conformance)."""
    path = schema_path(route)
    documented = openapi()["paths"][path][method.lower()]["responses"]
    assert str(response.status_code) in documented, (
        f"{method} {path}: {response.status_code} is not documented ({sorted(documented)})"
    )
    request = requests.Request(method, f"http://testserver{url}").prepare()
    checked = schemathesis.Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.headers.items()},
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=True,
    )
    checked_schema()[path][method.lower()].validate_response(checked)


def schema_path(route: str) -> str:
    """The schema's path for a route: ``api/v1/x/<int:pk>/`` -> ``/api/v1/x/{id}/``."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + m.group(1) + "}", route)
    return "/" + path.replace("{pk}", "{id}")


def schema_methods(route: str) -> set[str]:
    item = openapi()["paths"].get(schema_path(route), {})
    return {m.upper() for m in item if m in {"get", "post", "put", "patch", "delete"}}


def is_api(route: str) -> bool:
    return route.startswith("api/v1/")


# --- Requests ---------------------------------------------------------------------------------


def resolve(value: Any, world: ApiWorld) -> Any:
    """``"@name"`` -> the world's value of that name, inside dicts and lists too; a dict key
    such as ``"accepted_{delivery_line}"`` is filled in the same way (form fields per line)."""
    if isinstance(value, str) and value.startswith("@"):
        return world.ids[value[1:]]
    if isinstance(value, dict):
        return {k.format(**world.ids): resolve(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, world) for v in value]
    return value


def resolve_kwargs(row: Row, world: ApiWorld) -> dict[str, str]:
    return {k: str(resolve(v, world)) for k, v in row.kwargs.items()}


def url_for(row: Row, world: ApiWorld) -> str:
    route = routes()[row.route]
    kwargs = resolve_kwargs(row, world)
    if route.name:
        return reverse(route.name, kwargs=kwargs)
    # Unnamed patterns: fill the route text itself.
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: kwargs[m.group(1)], row.route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: kwargs[m.group(1)], path)
    return "/" + path.replace("^", "").replace("$", "")


def clients(world: ApiWorld) -> dict[str, Client]:
    """A client per role: a logged-in session, the HIS key's header, or nothing."""
    out = {}
    for role in ROLES:
        if role == "his":
            out[role] = Client(HTTP_AUTHORIZATION=f"Bearer {world.his_key}")
        else:
            out[role] = Client()
            if role != "ano":
                out[role].force_login(world.users[role])
    return out


def outcome(response) -> str:
    if response.status_code == 302:
        location = response.headers["Location"]
        if location.startswith(LOGIN):
            return "302L"
        if location.startswith(ADMIN_LOGIN):
            return "302A"
    return str(response.status_code)


def send(client: Client, method: str, url: str, *, api: bool, body: dict | None):
    if method == "GET":
        return client.get(url)
    if api:
        return client.generic(
            method,
            url,
            json.dumps(body or {}),
            content_type="application/json",
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    return client.generic(
        method,
        url,
        _form(body or {}),
        content_type="application/x-www-form-urlencoded",
    )


def _form(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data)


def writes() -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this transaction, per table (PostgreSQL's
    own counters of the current transaction), the log tables left out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
        )
        return {name: n for name, n in cursor.fetchall() if n and name not in LOG_TABLES}


def call(row: Row, method: str, client: Client, world: ApiWorld) -> tuple[str, Any, dict]:
    """The outcome of ``method`` on the row's URL with ``client``, in a savepoint rolled back
    afterwards; with the response and the tables it wrote."""
    url = url_for(row, world)
    body = resolve(row.body, world)
    cookies = client.cookies
    client.cookies = copy.deepcopy(cookies)  # a logout or login here must not outlive the call
    try:
        with transaction.atomic():
            before = writes()
            response = send(client, method, url, api=is_api(row.route), body=body)
            after = writes()
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    written = {t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0)}
    return outcome(response), response, written
