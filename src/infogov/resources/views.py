"""Pages of the resources app: the generic case pages of catalogue entries and sharing requests, the
shared catalogue (search, browse by category and provider, an entry with its fields, users and quality),
cataloguing a resource, requesting a resource, the provider's incoming requests and decisions, bulk
loading and the quality report. Handlers parse, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infogov.core.errors import DomainError, NotFound
from infogov.core.web.cases import CaseViews, error_text, see_other
from infogov.core.workflow import engine

from . import quality, selectors, services
from .choices import BaseCategory, FieldType, Sensitivity, ShareType, UpdateFrequency
from .workflows import SHARING_WORKFLOW, WORKFLOW


class ResourceViews(CaseViews):
    def search_q(self, text: str) -> Q:
        return selectors.search_q(text)


resource_views = ResourceViews(
    WORKFLOW,
    namespace="resources",
    list_columns=("reference", "title", "catalogue_code", "base_category", "share_type", "owner", "state"),
    filters=("state", "base_category", "share_type"),
    search_fields=("title", "reference", "catalogue_code"),
)
sharing_views = CaseViews(
    SHARING_WORKFLOW,
    namespace="sharing",
    list_columns=("reference", "title", "owner", "period_end", "state"),
    search_fields=("title", "reference"),
)


def _errors(request: HttpRequest, exc: DomainError) -> list[str]:
    items = [d.get("msg") or d.get("message") or "" for d in exc.details[:50]]
    return [error_text(exc), *[i for i in items if i]]


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:100]
    category = request.GET.get("category", "")
    category = category if category in BaseCategory.values else ""
    try:
        provider = int(request.GET.get("provider") or 0) or None
    except ValueError:
        provider = None
    entries = selectors.catalogue(request.user, text=text, category=category, provider=provider)[:200]
    return render(
        request,
        "resources/catalogue.html",
        {
            "entries": entries,
            "q": text,
            "category": category,
            "provider": provider,
            "categories": [
                (c.value, c.label, selectors.categories(request.user).get(c.value, 0)) for c in BaseCategory
            ],
            "providers": selectors.providers(request.user),
        },
    )


@login_required
@require_GET
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.catalogue_entry(request.user, pk)
    if resource is None:
        raise NotFound()
    return render(
        request,
        "resources/entry.html",
        {
            "r": resource,
            "fields": list(resource.fields.all()),
            "users": selectors.users_of(resource),
            "figures": quality.figures(resource),
            "pulls": selectors.pulls_of(resource, 10) if resource.owner_id in _own_orgs(request) else [],
            "corrections": list(resource.corrections.select_related("reporter")[:50]),
            "own": resource.owner_id in _own_orgs(request),
            "grantee": resource.requests.filter(owner_id__in=_own_orgs(request), state="granted").exists(),
        },
    )


def _own_orgs(request: HttpRequest) -> frozenset[int]:
    from infogov.core.workflow.permissions import scope_of

    return scope_of(request.user).org_ids_with_role(*selectors.STAFF_ROLES)


@login_required
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "")
            for k in (
                "title",
                "catalogue_code",
                "provider_code",
                "summary",
                "base_category",
                "source_system",
                "update_frequency",
                "share_type",
                "share_basis",
                "open_type",
                "data_format",
                "sensitivity",
            )
        }
        try:
            resource = services.resource_create(user=request.user, data=data)
        except DomainError as exc:
            errors = _errors(request, exc)
        else:
            messages.success(request, "已登记为草稿：请在事项页面添加信息项，再提交审核")
            return see_other(reverse("resources:detail", args=[resource.pk]))
    return render(
        request,
        "resources/new.html",
        {
            "errors": errors,
            "data": request.POST,
            "categories": BaseCategory.choices,
            "share_types": ShareType.choices,
            "frequencies": UpdateFrequency.choices,
            "sensitivities": Sensitivity.choices,
            "field_types": FieldType.choices,
        },
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.catalogue(request.user).filter(pk=pk).first()
    if resource is None:
        raise NotFound()
    errors: list[str] = []
    if request.method == "POST":
        data = {
            "resource": pk,
            "purpose": request.POST.get("purpose", ""),
            "fields": request.POST.getlist("fields"),
            "legal_basis": request.POST.get("legal_basis", ""),
            "period_start": request.POST.get("period_start", ""),
            "period_end": request.POST.get("period_end", ""),
            "consumer_system": request.POST.get("consumer_system", ""),
            "clear_text_requested": request.POST.get("clear_text_requested") == "on",
        }
        try:
            req = services.request_create(user=request.user, data=data)
        except DomainError as exc:
            errors = _errors(request, exc)
        else:
            messages.success(request, f"已提交：{SHARING_WORKFLOW.label_of(req.state)}")
            return see_other(reverse("sharing:detail", args=[req.pk]))
    return render(
        request,
        "resources/request.html",
        {"r": resource, "fields": list(resource.fields.all()), "errors": errors, "data": request.POST},
        status=422 if errors else 200,
    )


@login_required
@require_GET
def incoming(request: HttpRequest) -> HttpResponse:
    return render(
        request, "resources/incoming.html", {"requests": selectors.incoming_requests(request.user)[:200]}
    )


@login_required
@require_http_methods(["GET", "POST"])
def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.incoming_requests(request.user).filter(pk=pk).first()
    if req is None:
        raise NotFound()
    errors: list[str] = []
    if request.method == "POST":
        step = request.POST.get("step", "")
        payload: dict[str, Any] | None = None
        if step == "grant":
            payload = {
                "fields": request.POST.getlist("fields"),
                "clear_text": request.POST.get("clear_text") == "on",
            }
        if step not in ("grant", "refuse", "suspend", "resume", "revoke"):
            errors = ["请选择要办理的步骤"]
        else:
            try:
                engine.fire(
                    req, step, user=request.user, comment=request.POST.get("comment", ""), payload=payload
                )
            except DomainError as exc:
                errors = _errors(request, exc)
            else:
                messages.success(request, "已办理")
                return see_other(reverse("sharing:incoming_detail", args=[pk]))
    return render(
        request,
        "resources/incoming_detail.html",
        {
            "req": req,
            "options": engine.explain(req, request.user),
            "errors": errors,
            "fields": list(req.resource.fields.filter(code__in=req.fields_requested)),
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def token(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.my_requests(request.user).filter(pk=pk).first()
    if req is None:
        raise NotFound()
    try:
        plaintext = services.token_issue(user=request.user, grant=req)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return see_other(reverse("sharing:detail", args=[pk]))
    url = request.build_absolute_uri(reverse("api:exchange_records", kwargs={"resource": req.resource_id}))
    return render(request, "resources/token.html", {"req": req, "token": plaintext, "url": url})


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.catalogue_entry(request.user, pk)
    if resource is None or resource.owner_id not in _own_orgs(request):
        raise NotFound()
    errors: list[str] = []
    if request.method == "POST":
        file = request.FILES.get("file")
        mode = "replace" if request.POST.get("mode") == "replace" else "upsert"
        if file is None:
            errors = ["请选择要导入的文件"]
        else:
            try:
                services.records_upload(
                    user=request.user, resource=resource, upload=file, filename=file.name or "", mode=mode
                )
            except DomainError as exc:
                errors = _errors(request, exc)
            else:
                messages.success(request, "数据已全部导入")
                return see_other(reverse("resources:entry", args=[pk]))
    return render(
        request, "resources/upload.html", {"r": resource, "errors": errors}, status=422 if errors else 200
    )


@login_required
@require_GET
def quality_report(request: HttpRequest) -> HttpResponse:
    report = quality.report(selectors.catalogue(request.user).filter(state="published"))
    return render(request, "resources/quality.html", {"report": report})


@login_required
@require_POST
def correction(request: HttpRequest, pk: int) -> HttpResponse:
    """校核纠错 from the catalogue entry page (a grantee reports a wrong record)."""
    resource = selectors.catalogue(request.user).filter(pk=pk).first()
    if resource is None:
        raise NotFound()
    payload = {k: request.POST.get(k, "") for k in ("record_id", "field_code", "problem", "evidence")}
    try:
        engine.fire(resource, "report_error", user=request.user, payload=payload)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "纠错报告已送达提供单位，提供单位须在规定期限内核实答复")
    return see_other(reverse("resources:entry", args=[pk]))
