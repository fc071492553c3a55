"""The UI shell's own pages (我的待办 is in inbox.py): the regulation, API tokens, the audit log, downloads.

Views are thin: parse the request, call one selector or service, render."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infogov.core.attachments import attachment_for_download
from infogov.core.errors import DomainError
from infogov.core.models import ApiToken, AuditEvent
from infogov.core.regulation import articles as regulation_text
from infogov.core.web.cases import error_text, see_other
from infogov.core.web.forms import ACTION_LABELS, AuditFilterForm, TokenCreateForm
from infogov.core.workflow.rules import REGISTRY as RULES

PAGE_SIZE = 25


@login_required
@require_GET
def regulation(request: HttpRequest) -> HttpResponse:
    """《吉林市信息化促进办法》 article by article, each with the platform rules that enforce it."""
    by_article: dict[int, list[Any]] = defaultdict(list)
    for r in sorted(RULES.values(), key=lambda r: (r.article, r.citation, r.code)):
        by_article[r.article].append(r)
    items = [
        {"article": a, "rules": by_article.get(n, [])} for n, a in sorted(regulation_text.articles().items())
    ]
    return render(request, "core/regulation.html", {"items": items})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """接口令牌: the user's own tokens; a new token's plaintext is shown once, in this response only."""
    from infogov.core.api.tokens import token_create

    plaintext = None
    created = None
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created, plaintext = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
                request=request,
            )
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            form = TokenCreateForm()
    user: Any = request.user
    own = ApiToken.objects.filter(user=user).order_by("-created_at")
    status = 422 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "core/tokens.html",
        {"form": form, "tokens": own, "plaintext": plaintext, "created": created},
        status=status,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    from infogov.core.api.tokens import token_revoke as revoke

    try:
        revoke(user=request.user, token_id=pk, request=request)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "令牌已吊销，使用该令牌的客户端将无法再访问接口。")
    return see_other(reverse("tokens"))


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponseBase:
    """审计日志: for the audit administrator only — three-way separation of duties (三员分立):
    a system or security administrator, even a Django superuser, may not read it. Filtered by who,
    action and date range; `?export=csv|xlsx` downloads the filtered events (the export is audited)."""
    from infogov.core.audit import ACTION_LABELS as AUDIT_LABELS
    from infogov.core.audit import export_response
    from infogov.core.signals import audit

    user: Any = request.user
    if not (user.has_role("audit_admin") and user.has_perm("core.view_auditevent")):
        raise PermissionDenied("审计日志仅限安全审计员查阅（三员分立）。")
    labels = {**ACTION_LABELS, **AUDIT_LABELS}
    actions = sorted(set(AuditEvent.objects.values_list("action", flat=True).distinct()))
    form = AuditFilterForm(request.GET or None, actions=actions)
    form.fields["action"].choices = [("", "全部"), *((a, labels.get(a, a)) for a in actions)]  # type: ignore[attr-defined]
    events = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["user"]:
            events = events.filter(
                Q(actor_name__icontains=data["user"])
                | Q(actor__username__icontains=data["user"])
                | Q(actor__full_name__icontains=data["user"])
            )
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
    export = request.GET.get("export", "")
    if export:
        if export not in ("csv", "xlsx") or (form.is_bound and not form.is_valid()):
            messages.error(request, "导出格式只能是 CSV 或 Excel，且筛选条件须有效（平台规定）。")
            return see_other(reverse("audit_log"))
        filters = {k: str(v) for k, v in (form.cleaned_data if form.is_bound else {}).items() if v}
        audit("audit_export", request=request, target=f"审计日志（{export}）", filters=filters)
        return export_response(events, export, labels)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"form": form, "page": page, "action_labels": labels})


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An attachment, to whoever may see its case; everyone else gets 404 (not even its existence)."""
    att = attachment_for_download(user=request.user, attachment_id=pk)
    response = FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.name, content_type=att.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    from infogov.core.signals import audit

    audit("attachment_download", request=request, target=att.name, attachment_id=att.pk, sha256=att.sha256)
    return response
