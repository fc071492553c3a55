"""Turn a DomainError escaping a view into a clear page or JSON body, never a 500."""

from __future__ import annotations

from dataclasses import asdict

from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from infogov.core.errors import DomainError, InvalidInput


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


class RejectNulMiddleware:
    """A NUL character in a query parameter (?q=%00) can never be stored or searched (PostgreSQL
    refuses it in text): a clear 400 at the door, whatever the view does with its parameters."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            error = InvalidInput("查询参数含有不允许的空字符（NUL），请删除后重试", code="nul_character")
            error.status = 400
            return _error_response(request, error)
        return self.get_response(request)


def _error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error.as_body(), status=error.status, json_dumps_params={"ensure_ascii": False})
    return render(request, "core/error.html", {"error": error}, status=error.status)


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:  # every refusal goes into the audit trail (GB/T 22239 安全审计)
            from infogov.core.signals import audit_denied

            audit_denied(request, getattr(response, "reason_phrase", ""))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        return _error_response(request, exception)


# the attributes a view's decorator (csp_update, csp_replace, csp_exempt…) leaves on its response
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_HEADERS = (
    ("Content-Security-Policy", "_csp_exempt", "CONTENT_SECURITY_POLICY"),
    ("Content-Security-Policy-Report-Only", "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)


class CSPMiddleware(_CSPMiddleware):
    """django-csp's middleware with the header built once per process instead of on every response.

    The platform's policy (settings.CONTENT_SECURITY_POLICY) is the same for every response: no nonce
    (no inline script anywhere) and no per-view policy; django-csp 4 rebuilds the same strings on each
    response. A response that uses a nonce or carries a per-view policy takes the library's own path."""

    _built: tuple[str, str] | None = None

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, a) for a in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):  # Django's debug pages, as the library
            return response
        if self._built is None:
            self._built = (self._policy(request, response, False), self._policy(request, response, True))
        for (header, exempt, setting), value in zip(_HEADERS, self._built, strict=True):
            prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            excluded = getattr(response, exempt, False) or request.path_info.startswith(prefixes)
            if value and header not in response and not excluded:
                response[header] = value
        # as the library: the nonce can no longer reach the header once it is written
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response

    def _policy(self, request: HttpRequest, response: HttpResponseBase, report_only: bool) -> str:
        parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
        return build_policy(**asdict(parts), report_only=report_only)
