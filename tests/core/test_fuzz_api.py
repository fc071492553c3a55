"""API fuzzing with schemathesis: every operation of /api/openapi.json, as several roles.

Schemathesis generates requests from the OpenAPI document — valid and edge-case parameters and bodies —
and sends them to the Django WSGI application in this process (the test's database transaction; each
request in a savepoint rolled back afterwards). Each role calls with its own API token (core/api/tokens),
the case routers' ``{id}`` is one real case of the type owned by 永吉县's department (so that the
generated bodies reach the rules, not only the 404). Checks: no 5xx, ever (bad input is a Chinese 4xx),
and the response conforms to the declared schema.

Bounded: 10 examples per operation and role in the default profile (30 generated requests per operation
and database), 200 with ``HYPOTHESIS_PROFILE=deep``, or any number with ``FUZZ_MAX_EXAMPLES=N``. Prints
the requests fuzzed and the failures.

What it has found and is not fixed yet stays green through KNOWN_FAILURES (an xfail per operation, each
with its reason and the input that fails; not strict, as a failure may hit one role only).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import response_schema_conformance

from infogov.core.api.cases import ROUTES
from infogov.core.api.tokens import token_create
from infogov.core.workflow.engine import REGISTRY
from tests.conftest import World
from tests.core.test_permission_matrix import make_case

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MAX_EXAMPLES = int(
    os.environ.get("FUZZ_MAX_EXAMPLES", "200" if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else "10")
)
ROLES = ("yongji_dept_user", "yongji_authority_user", "yongji_approver")

# Found by this fuzzer and not fixed yet: "METHOD /api/path" → why (and the input that fails). Each one is
# an xfail for every role (when it is fixed, remove it here). Product code is fixed by its owners, not here.
# Empty: on 2026-12-03, 4,365 requests on SQLite and 4,770 on PostgreSQL found no 5xx and no schema violation.
KNOWN_FAILURES: dict[str, str] = {}

import_module(django_settings.ROOT_URLCONF)  # every app's api.py registers its routers (autodiscover)
from infogov.core.api.root import api  # noqa: E402

_DOC = api.get_openapi_schema()
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, item in _DOC["paths"].items()
    for method in item
    if method in {"get", "post", "put", "patch", "delete"}
]


@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


TOTAL = Tally()


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    """The totals, printed at the end of the module (also without -s)."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and TOTAL.requests:
        reporter.write_line(
            f"\nAPI fuzz: {TOTAL.requests} requests, {TOTAL.server_errors} server errors (5xx), "
            f"{len(TOTAL.failures)} failed checks; statuses {dict(sorted(TOTAL.statuses.items()))}"
        )


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> Any:
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def in_process():
    """Requests through the WSGI handler keep the test's connection (as Django's test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _user(world: World, who: str) -> Any:
    place, _, role = who.partition("_")
    return getattr(getattr(world, place), role)


def _case_model(operation_id: str) -> Any:
    by_prefix = sorted(((p, m) for m, p in ROUTES.items()), key=lambda pm: -len(pm[0]))
    return next((m for p, m in by_prefix if operation_id.startswith(f"{p}_")), None)


def _describe(case: Any) -> str:
    body = None if case.body is NOT_SET else case.body
    return f"{case.method} {case.formatted_path} query={case.query!r} body={body!r}"[:600]


def fuzz(label: str, who: str, world: World, schema: Any) -> Tally:
    """Fuzz one operation as one user: MAX_EXAMPLES generated requests; what went wrong is tallied."""
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    op_id = operation.definition.raw.get("operationId", "")
    model = _case_model(op_id)
    fixed: dict[str, Any] = {}
    names: list[str] = []
    if model is not None and "{id}" in path:
        fixed["id"] = make_case(model, world).pk
        names = list(REGISTRY[model].steps)
    user = _user(world, who)
    _, token = token_create(user=user, name=f"fuzz {who}")
    headers = {"Authorization": f"Bearer {token}"}
    tally = Tally()
    strategy = operation.as_strategy(path_parameters=fixed or None)

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        # the same inputs on every run (CI stays reproducible); FUZZ_RANDOM=1 explores new ones
        derandomize=not os.environ.get("FUZZ_RANDOM"),
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing input is reported
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, pick=st.integers(min_value=0, max_value=max(len(names) - 1, 0)))
    def run(case: Any, pick: int) -> None:
        if names and "{name}" in path:
            case.path_parameters = {**(case.path_parameters or {}), "name": names[pick]}
        with transaction.atomic():
            tally.requests += 1
            try:
                response = case.call(headers=headers)
            except Exception as exc:  # an exception out of the WSGI application: a 500 to the client
                tally.server_errors += 1
                tally.failures.append(f"{_describe(case)} → {type(exc).__name__}: {exc}"[:800])
                transaction.set_rollback(True)
                return
            tally.statuses[response.status_code] += 1
            if response.status_code >= 500:
                tally.server_errors += 1
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance], headers=headers
                )
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup: every failed check
                tally.failures.append(f"{_describe(case)} → {response.status_code}: {exc}"[:800])
            transaction.set_rollback(True)

    run()
    return tally


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize(
    "label",
    [
        pytest.param(label, marks=pytest.mark.xfail(reason=KNOWN_FAILURES[label]))
        if label in KNOWN_FAILURES
        else label
        for label in OPERATIONS
    ],
)
def test_fuzz_operation(label, who, world, schema, in_process):
    tally = fuzz(label, who, world, schema)
    TOTAL.requests += tally.requests
    TOTAL.server_errors += tally.server_errors
    TOTAL.failures += tally.failures
    TOTAL.statuses += tally.statuses
    print(
        f"\nfuzz {label} as {who}: {tally.requests} requests {dict(sorted(tally.statuses.items()))}, "
        f"{tally.server_errors} server errors, {len(tally.failures)} failures "
        f"(so far {TOTAL.requests} requests, {TOTAL.server_errors} 5xx)"
    )
    distinct = list(dict.fromkeys(tally.failures))
    assert not distinct, f"{label} as {who}:\n" + "\n".join(distinct[:5])


class Explode:
    """A middleware that fails GET /api/me as a server error would (for the fuzzer's own test)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.path == "/api/me":
            raise RuntimeError("故意的错误")
        return self.get_response(request)


def test_the_fuzzer_reports_a_server_error(world, in_process):
    """Proof that the fuzzer can fail: an operation that raises is counted as a server error."""
    with override_settings(MIDDLEWARE=[*django_settings.MIDDLEWARE, f"{__name__}.Explode"]):
        broken = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    tally = fuzz("GET /api/me", "yongji_dept_user", world, broken)
    assert tally.server_errors == tally.requests > 0
    assert tally.failures and "500" in tally.failures[0]
