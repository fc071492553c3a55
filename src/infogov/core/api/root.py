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
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from infogov.core import registry
from infogov.core.api.platform import router as platform_router
from infogov.core.api.render import api_renderer
from infogov.core.api.tokens import token_authenticate
from infogov.core.errors import DomainError, NotFound, NotPermitted
from infogov.core.workflow.payloads import field_message

# -- rendering and parsing ----------------------------------------------------------------------------


class BadJson(ValueError):
    """The request body is not a JSON object (ninja turns a parser error into HttpError(400) from it)."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key given twice is ambiguous (which one counts?): refused, never last-wins."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise BadJson(f"请求体中字段“{key}”出现了两次，请只保留一个")
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise BadJson(f"请求体含有非标准 JSON 数值 {name}，请改为有限的数字")


class ApiParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
        except BadJson:
            raise
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
    """Import ``<app>.api`` for every infogov.* and tests.* app, then add every router the apps
    register (core/registry.py: ``Registration(api=...)``), each once.

    Idempotent: Python imports a module once and a router is added once. A missing module is skipped;
    an error inside one is not."""
    for config in django_apps.get_app_configs():
        if not config.name.startswith(("infogov.", "tests.")):
            continue
        module = f"{config.name}.api"
        try:
            import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    registry.add_api_routers(api)


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


api.add_router("", platform_router)  # the platform's own endpoints (core/api/platform.py)
