"""The security pages beyond the generic case pages: the overview (with charts and Excel export) and
the form registering a system. Each handler calls one selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from infogov.core.errors import DomainError
from infogov.core.web.cases import error_text, see_other

from . import exports, selectors, services
from .choices import DATA_CATEGORIES, Hosting, NetworkKind


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """信息安全总览: the user's own systems (an operator) or its jurisdiction's (an authority)."""
    ov = selectors.overview(request.user)
    if request.GET.get("export") == "xlsx":
        from infogov.core.signals import audit

        audit("case_export", request=request, target="信息安全总览")
        return exports.overview_xlsx(ov)
    chart = {
        "levels": [[label, n] for label, n in ov.by_level.items()],
        "evaluation": [
            ["按期测评", ov.evaluation_current],
            ["测评逾期", ov.evaluation_overdue],
            ["从未测评", ov.evaluation_missing],
        ],
        "jurisdictions": [[r.name, r.systems, r.high_risks, r.overdue_rectifications] for r in ov.rows],
    }
    duties = selectors.next_duties(request.user)
    return render(request, "security/overview.html", {"ov": ov, "chart": chart, "duties": duties})


@login_required
@require_http_methods(["GET", "POST"])
def system_new(request: HttpRequest) -> HttpResponse:
    """登记信息系统 (第三十条第一款) for the user's own unit."""
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            system = services.system_register(
                user=request.user,
                title=request.POST.get("title", "").strip()[:200],
                purpose=request.POST.get("purpose", "").strip(),
                network=request.POST.get("network", "")
                if request.POST.get("network") in NetworkKind.values
                else "",
                hosting=request.POST.get("hosting", "")
                if request.POST.get("hosting") in Hosting.values
                else "",
                data_categories=[c for c in request.POST.getlist("data_categories") if c in DATA_CATEGORIES],
                sector=request.POST.get("sector", "").strip()[:50],
                critical=request.POST.get("critical") == "on",
                security_officer=request.POST.get("security_officer", "").strip()[:50],
                security_contact=request.POST.get("security_contact", "").strip()[:50],
            )
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"已登记信息系统：{system.reference}")
            return see_other(reverse("security_systems:detail", args=[system.pk]))
    return render(
        request,
        "security/system_form.html",
        {
            "values": values,
            "networks": NetworkKind.choices,
            "hostings": Hosting.choices,
            "categories": DATA_CATEGORIES,
        },
    )
