"""The permission matrix (第四条): every API operation and every case page, called by everyone.

Like NetBox's shared permission test mixins, but generated: the operations come from the OpenAPI document
of ``infogov.core.api.root.api`` and the case pages from the URL namespaces of the registered workflows
(``workflow.engine.REGISTRY`` × ``web.cases.NAMESPACES``), so a new app is covered by registering.

The small world of tests/conftest.py gets one case of each registered type, owned by 永吉县's department,
with an attachment on each. Then each operation and page is called as anonymous, as every user of the
world (each role in the city, 永吉县, 蛟河市, 船营区 and 高新区, the expert and the three platform
administrators):

- reads: out of scope, no 2xx for the case's own endpoints and pages, and its reference in no 2xx body
  (lists, 我的待办, overviews); anonymous gets no 2xx anywhere but the public endpoints allow-listed below;
- writes (POST/PUT/PATCH/DELETE, with an empty or minimal body: a 4xx is fine) never give an out-of-scope
  user a 2xx: anonymous anywhere but the public endpoints; on the case's endpoints another county's
  users, the unassigned expert, co-supervisors and the platform administrators; on the apps' other
  business endpoints co-supervisors and the platform administrators (the audit administrator among them);
- afterwards no case has changed: no docket event, no new version, no new state (only out-of-scope users
  write here; what an in-scope user may send is the API fuzzer's concern, tests/core/test_fuzz_api.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from model_bakery import baker

from infogov.core.api.cases import ROUTES
from infogov.core.api.root import api
from infogov.core.attachments import attachment_add
from infogov.core.models import Case, DocketEvent
from infogov.core.web.cases import NAMESPACES
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.engine import REGISTRY
from infogov.core.workflow.permissions import Scope, forget_scopes
from tests.conftest import World, fresh

pytestmark = [pytest.mark.django_db, pytest.mark.article(4)]

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})

# Public API operations (operation_id → why): anonymous may call them. Everything else needs a login or a
# token. Anonymous still must not see a case that is not published (its reference is in no 2xx body).
PUBLIC_OPERATIONS = {
    "public_plans": "第五条：批准后公布实施的规划与征求意见中的规划草案，向公众公开",
    "public_plan": "第五条：同上，一份规划",
    "public_comments": "第六条：规划草案征求意见，公众可见已公布的答复",
    "public_comment": "第六条：广泛征求意见——公众无需账户即可提交意见（写操作）",
}
# Public documents outside the operations: the OpenAPI document and its viewer, the health check.
PUBLIC_PATHS = ("/api/openapi.json", "/api/docs", "/healthz", "/accounts/login/")

# The users of the world by name; "anonymous" is nobody.
# the city, a county, a county-level city, a district and a development zone
PLACES = ("city", "yongji", "jiaohe", "chuanying", "gaoxin")
LAND_ROLES = ("authority_user", "leader", "approver", "dept_user", "finance_user")
OTHERS = ("expert", "sys_admin", "sec_admin", "audit_admin")
ADMINS = frozenset({"sys_admin", "sec_admin", "audit_admin"})
COSUPERVISORS = frozenset({f"{p}_finance_user" for p in PLACES})
# the other jurisdictions below the city: a county-level city, a district and a development zone
ANOTHER_COUNTY = frozenset(f"{p}_{r}" for p in ("jiaohe", "chuanying", "gaoxin") for r in LAND_ROLES)

# Who must not read the 永吉县 cases: nobody, the other places below the city, a city department that does not
# own them, the expert who is not assigned to them, and the three platform administrators (no case data).
OUT_OF_SCOPE_READ = frozenset({"anonymous", *ANOTHER_COUNTY, "city_dept_user", "expert", *ADMINS})
# Who must not change them.
OUT_OF_SCOPE_CASE_WRITE = OUT_OF_SCOPE_READ | COSUPERVISORS
# Who must not write the apps' other business data (registering, importing, sampling, scoring …).
OUT_OF_SCOPE_BUSINESS_WRITE = frozenset({"anonymous", *COSUPERVISORS, *ADMINS})
# Must see and open them (so that the matrix cannot pass by refusing everybody).
IN_SCOPE = ("yongji_dept_user", "yongji_authority_user", "city_authority_user")

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def users_of(world: World) -> dict[str, Any]:
    users: dict[str, Any] = {"anonymous": None}
    for place in PLACES:
        land = getattr(world, place)
        for role in LAND_ROLES:
            users[f"{place}_{role}"] = getattr(land, role)
    for name in OTHERS:
        users[name] = getattr(world, name)
    return users


# -- one case of every registered type, owned by 永吉县's department ---------------------------------------

_CASE_FIELDS = frozenset(f.name for f in Case._meta.get_fields())


def make_case(model: type[models.Model], world: World) -> Any:
    """A case of `model` in its initial state, owned by 永吉县's department, through ``workflow.create``.

    The type's own required fields are filled by model_bakery; required links to records that have a
    jurisdiction or an owner get 永吉县's; plain required integers (years, periods) the current year."""
    land = world.yongji
    overrides: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.name in _CASE_FIELDS or f.primary_key:
            continue
        if isinstance(f, models.ForeignKey) and not f.null:
            related = {x.name for x in f.related_model._meta.get_fields()}
            if "jurisdiction" in related:
                overrides[f"{f.name}__jurisdiction"] = land.jurisdiction
            if "owner" in related:
                overrides[f"{f.name}__owner"] = land.department
            if f.related_model in REGISTRY:  # a link to another case: one in its initial state
                overrides[f"{f.name}__state"] = REGISTRY[f.related_model].initial
        elif isinstance(f, models.IntegerField) and not (
            f.has_default() or f.null or f.choices or f.validators
        ):
            overrides[f.name] = dt.date.today().year
    prepared = baker.prepare(
        model,
        _save_related=True,
        state=REGISTRY[model].initial,
        title=f"权限矩阵{model._meta.verbose_name}",
        jurisdiction=land.jurisdiction,
        owner=land.department,
        **overrides,
    )
    skip = {"state", "reference", "version", "created_at", "updated_at"}
    fields = {
        f.attname: getattr(prepared, f.attname)
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in skip and not isinstance(f, models.OneToOneField)
    }
    return workflow.create(model, user=fresh(land.dept_user), **fields)


@dataclass
class Matrix:
    world: World
    users: dict[str, Any]
    cases: dict[type[models.Model], Any]
    attachments: dict[type[models.Model], int]
    clients: dict[str, Client]

    @property
    def references(self) -> list[str]:
        return [c.reference for c in self.cases.values()]

    def client(self, who: str) -> Client:
        if who not in self.clients:
            client = Client()
            if self.users[who] is not None:
                client.force_login(self.users[who])
            self.clients[who] = client
        return self.clients[who]

    def case_state(self) -> dict[Any, tuple[str, int, int]]:
        return {
            model: (
                (fresh_case := model._default_manager.get(pk=case.pk)).state,
                fresh_case.version,
                DocketEvent.objects.for_case(case).count(),
            )
            for model, case in self.cases.items()
        }


@pytest.fixture
def matrix(world: World) -> Matrix:
    cases = {model: make_case(model, world) for model in REGISTRY}
    owner = fresh(world.yongji.dept_user)
    attachments = {
        model: attachment_add(
            case=case, user=owner, upload=SimpleUploadedFile("矩阵.png", PNG, content_type="image/png")
        ).pk
        for model, case in cases.items()
    }
    forget_scopes()
    return Matrix(world, users_of(world), cases, attachments, {})


# -- the API's operations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    model: type[models.Model] | None  # the case type whose router it belongs to
    platform: bool  # the platform's own endpoints (tokens, me, …), not an app's business data

    @property
    def about_a_case(self) -> bool:
        """Reads or writes one case's data: a case router's operation on {id}, or an attachment's."""
        return "{id}" in self.template and (self.model is not None or self.is_attachment)

    @property
    def is_attachment(self) -> bool:
        return self.operation_id.startswith("attachment")

    def url(self, m: Matrix) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "id" and self.model is not None:
                return str(m.cases[self.model].pk)
            if name == "id" and self.is_attachment:
                return str(next(iter(m.attachments.values())))
            if name == "name" and self.model is not None:
                case = m.cases[self.model]
                return quote(first_transition(case))
            if name == "year":
                return str(dt.date.today().year)
            return "999999"  # a sub-record of some case: none of the world's

        return re.sub(r"\{(\w+)\}", fill, self.template)


def first_transition(case: Any) -> str:
    steps = REGISTRY[type(case)].from_state(case.state)
    return steps[0].name if steps else "submit"


_DOCUMENT: dict[str, Any] = {}  # the OpenAPI document, fetched once per test process (it takes seconds)


def operations(client: Client) -> list[Operation]:
    if not _DOCUMENT:
        response = client.get("/api/openapi.json")
        assert response.status_code == 200
        _DOCUMENT.update(response.json())
    doc = _DOCUMENT
    platform = {  # the operations the platform declares itself (core/api/root.py), not an app's router
        op.operation_id for view in api.default_router.path_operations.values() for op in view.operations
    }
    by_prefix = sorted(((prefix, model) for model, prefix in ROUTES.items()), key=lambda p: -len(p[0]))
    ops = []
    for template, item in doc["paths"].items():
        for method, op in item.items():
            if method not in {"get", *WRITE_METHODS}:
                continue
            op_id = op["operationId"]
            model = next((mdl for prefix, mdl in by_prefix if op_id.startswith(f"{prefix}_")), None)
            ops.append(Operation(method, template, op_id, model, op_id in platform))
    return ops


def test_the_matrix_knows_every_operation_and_case_type(matrix):
    ops = operations(matrix.client("anonymous"))
    ids = {o.operation_id for o in ops}
    assert len(ids) == len(ops), "operation ids must be unique"
    assert set(PUBLIC_OPERATIONS) <= ids, "an allow-listed public operation no longer exists"
    for model in REGISTRY:
        assert model in ROUTES, f"{model.__name__}: registered workflow without an API router"
        assert model in NAMESPACES, f"{model.__name__}: registered workflow without case pages"
        assert any(o.model is model and o.about_a_case for o in ops), model


def body_of(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", "replace")


def _call(client: Client, method: str, url: str) -> Any:
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data="{}", content_type="application/json")


def api_leaks(
    matrix: Matrix,
    *,
    methods: frozenset[str] = frozenset({"get", *WRITE_METHODS}),
    users: frozenset[str] | None = None,
) -> tuple[list[str], int]:
    """The calls that gave an out-of-scope user a 2xx (or showed them a case), and how many calls;
    `users`: only these users of the world (default: every one)."""
    ops = [op for op in operations(matrix.client("anonymous")) if op.method in methods]
    leaks: list[str] = []
    calls = 0
    for op in ops:
        url = op.url(matrix)
        public = op.operation_id in PUBLIC_OPERATIONS
        for who in matrix.users:
            if users is not None and who not in users:
                continue
            if op.method == "get":
                out = (who == "anonymous" and not public) or (op.about_a_case and who in OUT_OF_SCOPE_READ)
            elif who == "anonymous":
                out = not public
            elif op.platform:
                out = False  # one's own tokens: any signed-in user
            elif op.about_a_case:
                out = who in OUT_OF_SCOPE_CASE_WRITE
            else:
                out = who in OUT_OF_SCOPE_BUSINESS_WRITE
            if op.method != "get" and not out:
                continue  # in-scope writes are the fuzzer's (test_fuzz_api.py): here only refusals count
            response = _call(matrix.client(who), op.method, url)
            calls += 1
            assert response.status_code < 500, f"{op.method.upper()} {url} as {who}: {response.status_code}"
            if not 200 <= response.status_code < 300:
                continue
            if out:
                leaks.append(
                    f"{op.method.upper()} {url} ({op.operation_id}) as {who}: {response.status_code}"
                )
            elif op.method == "get" and who in OUT_OF_SCOPE_READ:
                body = body_of(response)
                shown = [r for r in matrix.references if r in body]
                if shown:
                    leaks.append(f"GET {url} ({op.operation_id}) as {who} shows {shown}")
    return leaks, calls


@pytest.mark.slow  # every operation and page as ~30 users: in `make test`, not `make test-fast`
def test_api_operations_refuse_everyone_out_of_scope(matrix):
    before = matrix.case_state()
    leaks, calls = api_leaks(matrix)
    print(f"permission matrix: {calls} API calls ({len(matrix.users)} users)")
    assert leaks == [], "\n".join(leaks)
    assert matrix.case_state() == before, "an out-of-scope or empty write changed a case"


def test_the_matrix_catches_a_scope_that_lets_everybody_read(matrix, monkeypatch):
    """Proof that the matrix can fail: with 第四条's scope switched off for reads it reports leaks. The
    proof needs every read operation but not every user: 蛟河市's two users (one for a case's own
    endpoints, one for the lists that would show it) and 永吉县's department, in scope, which must not."""
    monkeypatch.setattr(Scope, "case_q", lambda self, model: Q() if self.user_id else Q(pk__in=[]))
    monkeypatch.setattr(Scope, "can_view", lambda self, case: self.user_id is not None)
    who = frozenset({"jiaohe_dept_user", "jiaohe_authority_user", "yongji_dept_user"})
    leaks, calls = api_leaks(matrix, methods=frozenset({"get"}), users=who)
    assert calls > 0
    assert not any("as yongji_dept_user" in leak for leak in leaks), leaks
    assert any("as jiaohe_dept_user" in leak and "_detail)" in leak for leak in leaks), leaks
    assert any("as jiaohe_authority_user shows" in leak for leak in leaks), leaks


def test_api_lets_the_owner_and_the_authorities_open_each_case(matrix):
    for model, case in matrix.cases.items():
        prefix = ROUTES[model]
        for who in IN_SCOPE:
            client = matrix.client(who)
            detail = client.get(reverse(f"api:{prefix}_detail", kwargs={"id": case.pk}))
            assert detail.status_code == 200, (model.__name__, who, detail.content[:300])
            listed = client.get(reverse(f"api:{prefix}_list"))
            assert listed.status_code == 200 and case.reference in listed.content.decode(), (model, who)
        download = matrix.client("yongji_dept_user").get(f"/api/attachments/{matrix.attachments[model]}")
        assert download.status_code == 200, model


# -- the case pages -------------------------------------------------------------------------------------


def case_pages(model: type[models.Model], m: Matrix) -> list[tuple[str, str, bool]]:
    """(name, url, about the case) of every page in the case type's URL namespace that takes at most the
    case's pk and a transition name (pages of sub-records — a task, a condition — are left out)."""
    namespace = NAMESPACES[model]
    _, resolver = get_resolver().namespace_dict[namespace]
    case = m.cases[model]
    pages = []
    for pattern in resolver.url_patterns:
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        params = set(getattr(pattern.pattern, "converters", {}))
        if not params <= {"pk", "name"}:
            continue
        kwargs: dict[str, Any] = {}
        if "pk" in params:
            kwargs["pk"] = case.pk
        if "name" in params:
            kwargs["name"] = first_transition(case)
        pages.append((pattern.name, reverse(f"{namespace}:{pattern.name}", kwargs=kwargs), "pk" in params))
    return pages


@pytest.mark.slow  # every operation and page as ~30 users: in `make test`, not `make test-fast`
def test_case_pages_refuse_everyone_out_of_scope(matrix):
    before = matrix.case_state()
    leaks: list[str] = []
    calls = 0
    for model in REGISTRY:
        for name, url, about_case in case_pages(model, matrix):
            for who in matrix.users:
                client = matrix.client(who)
                response = client.get(url)
                calls += 1
                assert response.status_code < 500, f"GET {url} as {who}: {response.status_code}"
                ok = 200 <= response.status_code < 300
                if ok and (who == "anonymous" or (about_case and who in OUT_OF_SCOPE_READ)):
                    leaks.append(f"GET {url} ({name}) as {who}: {response.status_code}")
                elif ok and who in OUT_OF_SCOPE_READ:
                    body = body_of(response)
                    shown = [r for r in matrix.references if r in body]
                    if shown:
                        leaks.append(f"GET {url} ({name}) as {who} shows {shown}")
                if about_case and who in OUT_OF_SCOPE_CASE_WRITE:
                    # a page answers a form with a redirect either way (303 after a refusal too): what
                    # counts is that nothing changed, checked at the end
                    post = client.post(url, {"comment": "越权尝试"})
                    calls += 1
                    assert post.status_code < 500, f"POST {url} as {who}: {post.status_code}"
                    if 200 <= post.status_code < 300 and who == "anonymous":
                        leaks.append(f"POST {url} ({name}) as anonymous: {post.status_code}")
    for model, attachment in matrix.attachments.items():  # the platform's download page of each case's file
        url = reverse("attachment_download", args=[attachment])
        for who in matrix.users:
            response = matrix.client(who).get(url)
            calls += 1
            assert response.status_code < 500, f"GET {url} as {who}: {response.status_code}"
            if 200 <= response.status_code < 300 and who in OUT_OF_SCOPE_READ:
                leaks.append(f"GET {url} ({model.__name__} attachment) as {who}: {response.status_code}")
        assert matrix.client("yongji_dept_user").get(url).status_code == 200, url
    print(f"permission matrix: {calls} case page calls")
    assert leaks == [], "\n".join(leaks)
    assert matrix.case_state() == before, "an out-of-scope form post changed a case"


def test_case_pages_let_the_owner_and_the_authorities_open_each_case(matrix):
    for model, case in matrix.cases.items():
        namespace = NAMESPACES[model]
        for who in IN_SCOPE:
            client = matrix.client(who)
            detail = client.get(reverse(f"{namespace}:detail", kwargs={"pk": case.pk}))
            assert detail.status_code == 200, (model.__name__, who)
            listed = client.get(reverse(f"{namespace}:list"))
            assert listed.status_code == 200 and case.reference in listed.content.decode(), (model, who)


def test_the_public_documents_are_public(client):
    for path in PUBLIC_PATHS:
        assert client.get(path).status_code == 200, path
