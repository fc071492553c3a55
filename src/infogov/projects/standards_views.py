"""The standards catalogue's pages (第十二条): search it (HTML, and JSON for autocomplete), and — for
the authority — add a standard. Thin: parse, call standards.py, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from infogov.core.errors import DomainError
from infogov.core.web.cases import error_text, see_other

from . import standards
from .choices import StandardKind


@login_required
@require_GET
def standards_search(request: HttpRequest) -> JsonResponse:
    """GET ?q=gb18030 → {"results": [{code, title, mandatory, kind, kind_label, active}]} (at most 20)."""
    found = standards.search(request.GET.get("q", ""), limit=20)
    return JsonResponse({"results": [standards.as_json(s) for s in found]})


@login_required
@require_http_methods(["GET", "POST"])
def standards_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        try:
            s = standards.standard_add(
                user=user,
                code=request.POST.get("code", ""),
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                mandatory=request.POST.get("mandatory") == "1",
            )
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"已将 {s.code} {s.name} 列入标准目录。")
            return see_other(reverse("projects:standards") + f"?q={s.code}")
    q = request.GET.get("q", "").strip()[:100]
    rows = standards.search(q, limit=200, active_only=False)
    can_add = bool(getattr(user, "is_authority", False)) and not user.has_role("audit_admin")  # type: ignore[union-attr]
    context = {
        "rows": rows,
        "q": q,
        "can_add": can_add,
        "kinds": StandardKind.choices,
        "posted": request.POST if request.method == "POST" else {},
    }
    return render(request, "projects/standards.html", context)
