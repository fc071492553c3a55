"""The REST API (django-ninja) at /api/, with its OpenAPI document at /api/openapi.json.

- One error body everywhere: ``{"code", "message", "article"}`` (+ ``details``), never a 500 for
  bad input (unparsable JSON is 400 ``bad_json``, invalid fields 422 ``invalid``).
- JSON out is UTF-8, not \\u-escaped; datetimes are Asia/Shanghai with their offset; Decimals strings.
- Who calls: the browser with its session (CSRF-checked for writes) or a machine client with a
  bearer token ``ig_<prefix>_<secret>`` (core.tokens).
- Each app adds its routers in ``<app>/api.py``; ``autodiscover()`` imports them (urls.py calls it).
"""

import functools
import json
import re
from importlib import import_module
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import NoReverseMatch, URLPattern, re_path, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from infogov.core.api.cases import ROUTES, api_url, paginate
from infogov.core.api.render import api_renderer
from infogov.core.api.schemas import (
    ArticleOut,
    ErrorOut,
    JurisdictionOut,
    MeOut,
    OrganisationPage,
    PageParams,
    TodoPage,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from infogov.core.api.tokens import token_authenticate, token_create, token_revoke, tokens_of
from infogov.core.attachments import attachment_for_download
from infogov.core.errors import DomainError, NotFound, NotPermitted
from infogov.core.models import Case
from infogov.core.regulation.articles import articles
from infogov.core.workflow.obligations import todo_for
from infogov.core.workflow.payloads import field_message
from infogov.org.choices import OrganisationKind, Role
from infogov.org.models import Jurisdiction, Membership, Organisation

# -- rendering and parsing ----------------------------------------------------------------------------


class BadJson(ValueError):
    """The request body is not a JSON object (ninja turns a parser error into HttpError(400) from it)."""


class ApiParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError) as exc:
            raise BadJson("请求体不是有效的 JSON") from exc
        if not isinstance(data, dict):
            raise BadJson("请求体须为 JSON 对象（{…}）")
        if b"\\u0000" in request.body:  # PostgreSQL cannot store NUL in text or jsonb
            raise BadJson("请求体含有不允许的空字符（\\u0000）")
        return data


def _utf8_openapi(view: Any) -> Any:
    """The OpenAPI document in readable UTF-8 too (ninja's own view \\u-escapes the Chinese)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.get("Content-Type", "").startswith("application/json"):
            response.content = json.dumps(json.loads(response.content), ensure_ascii=False).encode("utf-8")
            response["Content-Type"] = "application/json; charset=utf-8"
        return response

    return wrapped


# -- authentication -----------------------------------------------------------------------------------

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ig_<prefix>_<secret>``: a machine client's token (core.tokens)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_authenticate(token)
        if found is None:  # a token was offered and is wrong: say so, do not fall back to the session
            raise AuthenticationError(401, "接口令牌无效、已撤销或已过期")
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; writes must carry the CSRF token (X-CSRFToken)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        unsafe = request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False)
        if unsafe and check_csrf(request) is not None:
            raise NotPermitted("CSRF 校验失败，请刷新页面后重试", code="csrf_failed")
        request.api_token = None  # type: ignore[attr-defined]
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover - see __call__
        return None


api = NinjaAPI(
    title="infogov API",
    version="1",
    description=(
        "吉林市信息化治理平台接口（《吉林市信息化促进办法》）。\n\n"
        "认证：浏览器会话（写操作须带 X-CSRFToken），或接口令牌 `Authorization: Bearer ig_…`"
        "（在“接口令牌”页面或 `manage.py api_token create` 创建，只显示一次）。\n\n"
        '错误统一为 `{"code", "message", "article"}`：'
        "article 为所依据的条款（如 第九条第二款），可能为 null；"
        "字段错误另有 details。时间为北京时间（+08:00），金额为字符串。"
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    renderer=api_renderer,
    parser=ApiParser(),
    docs_decorator=_utf8_openapi,
)


# -- errors -------------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "throttled",
}
_STATUS_MESSAGES = {
    400: "请求有误",
    401: "请先登录或提供有效的接口令牌（Authorization: Bearer …）",
    403: "您无权执行此操作",
    404: "未找到该记录，或您无权查看",
    405: "不支持该请求方法",
    409: "该事项已被他人办理或状态已变化，请刷新后重试",
    413: "请求体过大",
    429: "请求过于频繁，请稍后再试",
}


def error_response(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    body = {
        "code": body.get("code", "error"),
        "message": body.get("message", ""),
        "article": body.get("article"),
        **({"details": body["details"]} if body.get("details") else {}),
    }
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="infogov"'
    return response


def _message(status: int, message: str) -> str:
    return message if message and _CJK.search(message) else _STATUS_MESSAGES.get(status, "请求有误")


def _field_name(loc: list[Any]) -> str:
    source, rest = (loc[0], list(loc[1:])) if loc else ("", [])
    if source == "body" and len(rest) >= 1:
        rest = rest[1:]  # the view's body parameter name, not part of what the client sent
        if not rest:
            return "请求体"
    return ".".join(str(p) for p in rest) or str(source)


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details, parts = [], []
    for err in exc.errors:
        loc = list(err.get("loc", ()))
        field, msg = _field_name(loc), field_message(err)
        details.append({"loc": loc, "field": field, "msg": msg, "type": err.get("type", "")})
        parts.append(f"{field} {msg}")
    message = "请求数据有误：" + "；".join(parts) if parts else "请求数据有误"
    return error_response(request, 422, {"code": "invalid", "message": message, "details": details})


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, BadJson):
        return error_response(request, 400, {"code": "bad_json", "message": str(exc.__cause__)})
    status = exc.status_code
    return error_response(
        request,
        status,
        {"code": _STATUS_CODES.get(status, f"http_{status}"), "message": _message(status, exc.message)},
    )


def _on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, {"code": "unauthenticated", "message": _message(401, exc.message)})


def _on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.as_body())


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, {"code": "forbidden", "message": _message(403, str(exc))})


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 404, NotFound().as_body())


def _on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    details = (
        [{"loc": [k], "field": k, "msg": "；".join(v)} for k, v in exc.message_dict.items()]
        if hasattr(exc, "error_dict")
        else []
    )
    return error_response(
        request,
        422,
        {"code": "invalid", "message": "；".join(exc.messages) or "数据有误", "details": details},
    )


def _on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 413, {"code": "too_large", "message": _STATUS_MESSAGES[413]})


def _on_suspicious(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 400, {"code": "bad_request", "message": _STATUS_MESSAGES[400]})


_HANDLERS: list[tuple[type[Exception], Any]] = [
    (DomainError, _on_domain_error),
    (ValidationError, _on_validation_error),
    (HttpError, _on_http_error),
    (AuthenticationError, _on_authentication_error),
    (PermissionDenied, _on_permission_denied),
    (Http404, _on_not_found),
    (ObjectDoesNotExist, _on_not_found),
    (DjangoValidationError, _on_django_validation_error),
    (RequestDataTooBig, _on_too_big),
    (SuspiciousOperation, _on_suspicious),
]
for _exc, _handler in _HANDLERS:
    api.add_exception_handler(_exc, _handler)


# -- per-app routers ----------------------------------------------------------------------------------


def autodiscover() -> None:
    """Import ``<app>.api`` for every infogov.* and tests.* app (each adds its routers on import).

    Idempotent: Python imports a module once. A missing module is skipped; an error inside one is not."""
    for config in django_apps.get_app_configs():
        if not config.name.startswith(("infogov.", "tests.")):
            continue
        module = f"{config.name}.api"
        try:
            import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def _json_405(view: Any) -> Any:
    """ninja answers a wrong method with a plain-text 405; give it the error body too."""

    @functools.wraps(view)  # keeps csrf_exempt: ninja checks CSRF itself, per authentication
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allow = response["Allow"]
            body = {"code": "method_not_allowed", "message": f"不支持 {request.method} 方法，可用：{allow}"}
            response = error_response(request, 405, body)
            response["Allow"] = allow
        return response

    return wrapped


def _api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(request, 404, {"code": "not_found", "message": "没有这个接口，请查阅 /api/docs"})


def api_urls() -> tuple[list[Any], str, str]:
    """``api.urls`` with the error body also for a wrong method (405) and an unknown path (404).

    Call after ``autodiscover()``: the routers are fixed once the urls are built."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _json_405(pattern.callback)
    return (
        [*patterns, re_path(r"^.*$", csrf_exempt(_api_not_found), name="api-not-found")],
        app_name,
        namespace,
    )


# -- the platform's own endpoints ---------------------------------------------------------------------

_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _org_ref(org: Organisation | None) -> dict[str, Any] | None:
    return {"id": org.pk, "name": org.name} if org is not None else None


def _jurisdiction_ref(j: Jurisdiction | None) -> dict[str, Any] | None:
    return {"code": j.code, "name": j.name} if j is not None else None


@api.get(
    "/me",
    response={200: MeOut, **_ERRORS},
    tags=["平台"],
    operation_id="me",
    url_name="me",
    summary="当前用户",
    description="姓名、单位、角色（第四条）和所在行政区域。",
)
def me(request):
    user = request.auth
    org = Organisation.objects.select_related("jurisdiction").filter(pk=user.organisation_id).first()
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("id")
    return {
        "username": user.username,
        "full_name": user.full_name,
        "organisation": _org_ref(org),
        "jurisdiction": _jurisdiction_ref(org.jurisdiction if org else None),
        "roles": [
            {
                "role": m.role,
                "label": str(Role(m.role).label) if m.role in Role.values else m.role,
                "organisation": _org_ref(m.organisation),
            }
            for m in memberships
        ],
        "is_platform_admin": user.is_platform_admin,
    }


@api.get(
    "/todo",
    response={200: TodoPage, **_ERRORS},
    tags=["平台"],
    operation_id="todo",
    url_name="todo",
    summary="我的待办",
    description="本人所在单位负有、尚未履行的法定义务，按期限排列，逾期的标注 overdue。",
)
def todo(request, params: Query[PageParams]):
    user = request.auth
    count, rows = paginate(todo_for(user), params.page, params.page_size)
    by_type: dict[int, dict[int, Any]] = {}
    for ob in rows:
        by_type.setdefault(ob.case_type_id, {})[ob.case_id] = None
    for ct_id, ids in by_type.items():  # one query per case type on the page, not per row
        ct = next(o.case_type for o in rows if o.case_type_id == ct_id)
        model = ct.model_class()
        if model is None:
            continue
        fields = ["id", "reference", "title"] if issubclass(model, Case) else None
        qs = model._default_manager.filter(pk__in=list(ids))
        for obj in qs.only(*fields) if fields else qs:
            ids[obj.pk] = obj
    today = timezone.localdate()
    items = []
    for ob in rows:
        case = by_type.get(ob.case_type_id, {}).get(ob.case_id)
        model = ob.case_type.model_class()
        web_url = None
        prefix = ROUTES.get(model) if model else None
        if prefix:
            try:
                web_url = reverse(f"{prefix}:detail", args=[ob.case_id])
            except NoReverseMatch:
                web_url = None
        items.append(
            {
                "id": ob.pk,
                "code": ob.code,
                "title": ob.title,
                "citation": ob.citation,
                "due_date": ob.due_date,
                "overdue": ob.due_date < today,
                "owed_by": _org_ref(ob.owed_by),
                "owed_to": _org_ref(ob.owed_to),
                "case": {
                    "type": f"{ob.case_type.app_label}.{ob.case_type.model}",
                    "type_label": str(model._meta.verbose_name) if model else ob.case_type.model,
                    "id": ob.case_id,
                    "reference": getattr(case, "reference", None),
                    "title": getattr(case, "title", None),
                    "url": api_url(request, f"{prefix}_detail", id=ob.case_id) if prefix else None,
                    "web_url": web_url,
                },
            }
        )
    return {"count": count, "page": params.page, "page_size": params.page_size, "items": items}


@api.get(
    "/jurisdictions",
    response={200: list[JurisdictionOut], **_ERRORS},
    tags=["平台"],
    operation_id="jurisdictions",
    url_name="jurisdictions",
    summary="行政区域",
    description="吉林市及所辖县（市）、区和开发区（第四条）。",
)
def jurisdictions(request):
    return [
        {
            "code": j.code,
            "name": j.name,
            "kind": j.kind,
            "kind_label": j.get_kind_display(),
            "parent": j.parent.code if j.parent_id else None,
            "path": j.path,
        }
        for j in Jurisdiction.objects.select_related("parent").order_by("sort_order", "code")
    ]


@api.get(
    "/organisations",
    response={200: OrganisationPage, **_ERRORS},
    tags=["平台"],
    operation_id="organisations",
    url_name="organisations",
    summary="单位",
    description="有效单位名录；可按行政区划代码（below=true 含下级）、类型筛选，按名称搜索。",
)
def organisations(
    request,
    params: Query[PageParams],
    jurisdiction: str | None = None,
    below: bool = False,
    kind: OrganisationKind | None = None,
    q: str | None = None,
):
    qs = Organisation.objects.filter(is_active=True).select_related("jurisdiction")
    if jurisdiction:
        path = Jurisdiction.objects.filter(code=jurisdiction).values_list("path", flat=True).first()
        qs = (
            qs.filter(jurisdiction__path__startswith=path)
            if below and path
            else qs.filter(jurisdiction__code=jurisdiction)
        )
    if kind:
        qs = qs.filter(kind=kind)
    term = (q or "").strip()[:100]
    if term:
        qs = qs.filter(Q(name__icontains=term) | Q(short_name__icontains=term))
    qs = qs.order_by("jurisdiction__sort_order", "jurisdiction__code", "kind", "name", "id")
    count, rows = paginate(qs, params.page, params.page_size)
    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "items": [
            {
                "id": o.pk,
                "name": o.name,
                "short_name": o.short_name,
                "kind": o.kind,
                "kind_label": o.get_kind_display(),
                "cosupervision": o.cosupervision,
                "jurisdiction": _jurisdiction_ref(o.jurisdiction),
            }
            for o in rows
        ],
    }


@api.get(
    "/regulation/articles",
    response={200: list[ArticleOut], **_ERRORS},
    tags=["平台"],
    operation_id="regulation_articles",
    url_name="regulation_articles",
    summary="《吉林市信息化促进办法》条文",
    description="全部条文，逐款列出，并说明平台如何落实。",
)
def regulation_articles(request):
    return [
        {
            "number": a.number,
            "citation": a.citation,
            "paragraphs": list(a.paragraphs),
            "duty": a.duty,
            "summary": a.summary,
            "platform": a.platform,
        }
        for _, a in sorted(articles().items())
    ]


@api.get(
    "/attachments/{id}",
    response={200: None, **_ERRORS},
    tags=["平台"],
    operation_id="attachment_download",
    url_name="attachment_download",
    summary="下载附件",
    description="只有能查看该附件所属事项的用户才能下载；否则与不存在一样返回 404。",
)
def attachment_download(request, id: int):
    att = attachment_for_download(user=request.auth, attachment_id=id)
    try:
        handle = att.file.open("rb")
    except OSError:
        raise NotFound("附件文件已不存在，请联系系统管理员", code="file_missing") from None
    response = FileResponse(handle, content_type=att.mime_type, as_attachment=True, filename=att.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- API tokens ---------------------------------------------------------------------------------------


def _token_out(token: Any) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "active": token.is_active,
    }


@api.get(
    "/tokens",
    response={200: list[TokenOut], **_ERRORS},
    tags=["接口令牌"],
    operation_id="tokens_list",
    url_name="tokens_list",
    summary="我的接口令牌",
    description="只列出本人的令牌；令牌明文不保存，无法再次查看。",
)
def tokens_list(request):
    return [_token_out(t) for t in tokens_of(request.auth)]


@api.post(
    "/tokens",
    response={201: TokenCreatedOut, **_ERRORS},
    tags=["接口令牌"],
    operation_id="tokens_create",
    url_name="tokens_create",
    summary="创建接口令牌",
    description="返回的 token 只显示这一次。须以登录会话创建（不能用令牌创建令牌）。",
)
def tokens_create(request, data: TokenIn):
    if getattr(request, "api_token", None) is not None:
        raise NotPermitted(
            "不能用接口令牌创建新令牌，请登录平台后在“接口令牌”页面创建", code="token_via_token"
        )
    token, plaintext = token_create(
        user=request.auth, name=data.name, expires_at=data.expires_at, request=request, via="api"
    )
    return Status(201, {**_token_out(token), "token": plaintext})


@api.delete(
    "/tokens/{id}",
    response={204: None, **_ERRORS},
    tags=["接口令牌"],
    operation_id="tokens_revoke",
    url_name="tokens_revoke",
    summary="撤销接口令牌",
    description="只能撤销本人的令牌；撤销后立即失效。",
)
def tokens_revoke(request, id: int):
    token_revoke(user=request.auth, token_id=id, request=request, via="api")
    return Status(204, None)
