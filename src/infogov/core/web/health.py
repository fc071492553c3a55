"""Liveness and readiness for the load balancer and monitoring: GET /healthz."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 {"status": "ok", "database": "ok"}; 503 with the database error when ``SELECT 1`` fails."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure to reach the database makes the instance unready
        detail = f"{type(exc).__name__}: {exc}".strip()[:300]
        return JsonResponse(
            {"status": "error", "database": detail}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    return JsonResponse({"status": "ok", "database": "ok"})
