"""Schemathesis over every operation and method of the API schema, in process through Django's
WSGI handler, as the hospital's HIS key (``Authorization: Bearer``, an ``Idempotency-Key`` on
every POST), as a bureau officer's session and as a supplier's session (the manufacturer's
sales user, with the CSRF token a browser sends).

Every response must not be a server error, must have a status the schema documents for the
operation, a documented content type, and a body matching the schema documented for that
status. Generation is derandomised (the same cases on every run) and bounded: for the HIS key,
schemathesis's coverage phase (each parameter's boundaries, wrong types, missing and extra
fields) plus MAX_EXAMPLES random cases per operation; for the two sessions, the random cases.
Path parameters are often real objects of tests/api_world.py, so that the handlers behind a
found object are fuzzed too. Each operation runs in a savepoint of the world, rolled back
afterwards. The whole run takes about two minutes of one core.
"""

from __future__ import annotations

import copy
import uuid

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import matrix_support
from tests.test_permission_matrix import ROWS

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# A CSRF secret as Django keeps it in the cookie (32 letters and digits); the header repeats it.
CSRF = "FuzzCsrfSecretAbcdefghijklmnopqr"
CONFIG = {
    "generation": {
        "deterministic": True,
        "database": "none",
        # Authentication is the test's: no generated cookies or Authorization headers.
        "with-security-parameters": False,
    },
    "phases": {"stateful": {"enabled": False}},
    "analysis": {"constants": {"enabled": False}},
}
COVERAGE = {"his": True, "bureau": False, "supplier": False}
# Path values of real objects, per schema path; filled once the world exists.
REAL_PATHS: dict[str, list[dict]] = {}


def _schema(role: str):
    config = copy.deepcopy(CONFIG)
    config["phases"]["coverage"] = {"enabled": COVERAGE[role]}
    config = schemathesis.Config.from_dict(config)
    schema = schemathesis.openapi.from_dict(copy.deepcopy(matrix_support.openapi()), config=config)
    schema.app = get_wsgi_application()

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        real = REAL_PATHS.get(context.operation.path, [])
        return st.sampled_from([path_parameters, *real])

    return schema


AS = {role: _schema(role) for role in COVERAGE}


@pytest.fixture(scope="module")
def credentials(api_world):
    """Headers and cookies per fuzzing role; the real path values of the world's objects."""
    for r in ROWS:
        if matrix_support.is_api(r.route) and r.kwargs:
            values = matrix_support.resolve_kwargs(r, api_world)
            values = {("id" if k == "pk" else k): v for k, v in values.items()}
            known = REAL_PATHS.setdefault(matrix_support.schema_path(r.route), [])
            if values not in known:
                known.append(values)
    out = {"his": ({"Authorization": f"Bearer {api_world.his_key}"}, {})}
    for role, user in (("bureau", "bur"), ("supplier", "mfr")):
        client = Client()
        client.force_login(api_world.users[user])
        session = client.cookies["sessionid"].value
        out[role] = ({"X-CSRFToken": CSRF}, {"sessionid": session, "csrftoken": CSRF})
    yield out
    REAL_PATHS.clear()


@pytest.fixture
def in_process():
    """Django's test client keeps the test's connection (and its transaction) across requests
    by not closing connections when a request ends; do the same for the WSGI handler."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schemathesis.pytest.parametrize(**AS)
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_request_within_its_schema(request, case, credentials, in_process):
    role = request.node.name.split("[", 2)[1].rstrip("]")  # test_…[his][GET /api/v1/…]
    headers, cookies = credentials[role]
    headers = dict(headers)
    if case.method.upper() == "POST":
        headers["Idempotency-Key"] = uuid.uuid4().hex
    case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)
