"""Turn a DomainError escaping a view into a clear page or JSON body, never a 500."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
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
