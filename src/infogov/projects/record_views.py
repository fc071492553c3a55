"""Project pages for the records under a project that are not state changes: review findings and
outsourcing reviews (第九条), funds and progress (第十二、十四条), supervision inspections and their
rectification (第十四条), answers to review conditions, the acceptance filing (第十三条) and the risk
override. Each handler calls one service and returns to the project's page with its message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from infogov.core.errors import DomainError, NotFound
from infogov.core.web.cases import error_text, see_other
from infogov.core.web.confirm import confirm_step
from infogov.core.web.stepforms import PayloadField, remember_refusal
from infogov.org.models import Organisation

from . import selectors, services, step_refill
from .models import InspectionFinding, Project, ReviewCondition

DISBURSEMENT_FIELDS = (
    PayloadField("amount", "金额（元）", "number", True),
    PayloadField("purpose", "资金用途", "text", True),
    PayloadField("paid_on", "支付日期", "date"),
)


def _project(request: HttpRequest, pk: int) -> Project:
    return selectors.project_get(request.user, pk)


def _act(request: HttpRequest, pk: int, done: str, fn: Any, *, form: str = "") -> HttpResponse:
    """Run one record step; `form`: the page's own form it came from (step_refill.CUSTOM_FORMS), which
    comes back after a refusal with what was typed and the refusal beside it."""
    project = _project(request, pk)
    try:
        shown = fn(project)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        if form:
            remember_refusal(request, case_key=f"projects:{project.pk}", step=form, error=exc)
    else:
        if isinstance(shown, HttpResponse):  # the "请核对" page of an irreversible step
            return shown
        messages.success(request, done)
    return see_other(reverse("projects:detail", args=[project.pk]))


@login_required
@require_POST
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    hits = [int(h) for h in request.POST.getlist("acknowledged_hits") if h.isdigit()]
    return _act(
        request,
        pk,
        "已录入评审意见。",
        lambda p: services.review_finding_record(
            project=p,
            user=request.user,
            dimension=request.POST.get("dimension", ""),
            conclusion=request.POST.get("conclusion", ""),
            text=request.POST.get("text", ""),
            acknowledged_hits=hits,
        ),
    )


@login_required
@require_POST
def outsourcing(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "已录入外包项目审核意见。",
        lambda p: services.outsourcing_review_record(
            project=p,
            user=request.user,
            approved=request.POST.get("approved") == "1",
            opinion=request.POST.get("opinion", ""),
        ),
    )


@login_required
@require_POST
def disbursement(request: HttpRequest, pk: int) -> HttpResponse:
    amount, purpose = request.POST.get("amount", ""), request.POST.get("purpose", "")
    paid_on = request.POST.get("paid_on") or None

    def record(p: Project) -> HttpResponse | None:
        confirmation = confirm_step(
            request,
            p,
            "disbursement",
            payload={"amount": amount, "purpose": purpose, "paid_on": paid_on},
            comment=purpose,
            fields=DISBURSEMENT_FIELDS,
            action_url=reverse("projects:disbursement", args=[p.pk]),
            back_url=reverse("projects:detail", args=[p.pk]),
        )
        if confirmation is None:
            services.disbursement_record(
                project=p, user=request.user, amount=amount, purpose=purpose, paid_on=paid_on
            )
        return confirmation

    return _act(request, pk, "已登记资金支付。", record, form="disbursement")


@login_required
@require_POST
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "已报告建设进度。",
        lambda p: services.progress_report(
            project=p,
            user=request.user,
            percent=request.POST.get("percent", ""),
            note=request.POST.get("note", ""),
        ),
        form="progress",
    )


@login_required
@require_POST
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    orgs = Organisation.objects.filter(
        pk__in=[int(x) for x in request.POST.getlist("cosupervisors") if x.isdigit()]
    )
    texts, dues = request.POST.getlist("finding_text"), request.POST.getlist("finding_due")
    findings = [{"text": t, "due_date": d} for t, d in zip(texts, dues, strict=False) if t.strip()]
    return _act(
        request,
        pk,
        "已登记监督检查。",
        lambda p: services.inspection_open(
            project=p,
            user=request.user,
            cosupervisors=list(orgs),
            summary=request.POST.get("summary", ""),
            findings=findings,
        ),
    )


@login_required
@require_POST
def rectify(request: HttpRequest, fid: int) -> HttpResponse:
    f = InspectionFinding.objects.filter(pk=fid).first()
    if f is None:
        raise NotFound()
    return _act(
        request,
        f.project_id,
        "已报告整改情况。",
        lambda p: services.finding_rectify(
            finding=f, user=request.user, rectification=request.POST.get("text", "")
        ),
    )


@login_required
@require_POST
def answer(request: HttpRequest, cid: int) -> HttpResponse:
    c = ReviewCondition.objects.filter(pk=cid).first()
    if c is None:
        raise NotFound()
    project = _project(request, c.project_id)
    try:
        services.review_condition_answer(condition=c, user=request.user, answer=request.POST.get("text", ""))
    except DomainError as exc:
        messages.error(request, error_text(exc))
        step_refill.remember_answer_refusal(request, project.pk, c.pk, exc)  # the answer comes back
    else:
        messages.success(request, "已答复审查条件。")
    return see_other(reverse("projects:detail", args=[project.pk]))


@login_required
@require_POST
def risk_override(request: HttpRequest, pk: int) -> HttpResponse:
    raw = request.POST.get("level", "").strip()
    return _act(
        request,
        pk,
        "已调整风险等级。",
        lambda p: services.risk_override(
            project=p,
            user=request.user,
            level=int(raw) if raw.isdigit() else None,
            reason=request.POST.get("reason", ""),
        ),
    )
