"""Pages of development plans: thin — parse, call one service or selector, render or redirect.

Staff pages sit beside the generic case pages (core.views_cases) under /plans/; the public portal
pages (no login, CSRF-protected, honeypot and rate limit) under /public/plans/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infogov.core.errors import DomainError, InvalidInput, NotFound
from infogov.core.web.cases import error_text, see_other
from infogov.core.web.confirm import confirm_step
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import RuleContext, acts_as_assigned_expert, acts_for_owner
from infogov.org.choices import OrganisationKind, Role
from infogov.org.models import User

from . import assessment, selectors, services
from .choices import ANSWER_TEMPLATES, APPROVED_STATES, PlanLevel, PlanState
from .deadlines import EXPERT_REVIEW_DAYS
from .forms import AnswerForm, GoalForm, OpinionForm, PlanCreateForm, PublicCommentForm, TaskForm
from .models import ExecutionReport, Inspection, PlanScore, PlanVersion
from .rules import acts_as_city_authority, enforce

# -- the detail page's plan sections (passed to the generic detail view as extra context) ---------


def detail_context(request: HttpRequest, case: PlanVersion | None) -> dict[str, Any]:
    if case is None:
        return {"new_url": reverse("plans:new"), "public_url": reverse("public_plans:list")}
    user: Any = request.user
    ctx = RuleContext(user=user)
    is_owner = acts_for_owner.evaluate(case, ctx) is None
    is_expert = acts_as_assigned_expert.evaluate(case, ctx) is None
    goals, tasks = selectors.version_content(case)
    live_findings = case.state in (PlanState.DRAFT, PlanState.CONSULTATION, PlanState.EXPERT_REVIEW)
    data: dict[str, Any] = {
        "plan": case.plan,
        "goals": goals,
        "tasks": tasks,
        "is_owner": is_owner,
        "is_expert": is_expert,
        "is_draft": case.state == PlanState.DRAFT,
        "is_frozen": case.state in APPROVED_STATES,
        "versions": list(selectors.plan_versions(user, case.plan)),
        "opinions": selectors.opinions_for(case),
        "experts": selectors.experts_assigned(case),
        "findings": selectors.consistency_findings(case) if live_findings else case.findings,
        "findings_live": live_findings,
        "diff": selectors.version_diff(case.supersedes, case) if case.supersedes is not None else None,
        "templates": ANSWER_TEMPLATES,
        "reports": list(ExecutionReport.objects.filter(version=case).order_by("-year")),
        "public_url": reverse("public_plans:detail", args=[case.pk]),
    }
    if is_owner or scope_of(user).is_authority_for(case.jurisdiction_id):
        data["comments"] = list(selectors.comments_for_staff(user, case))
    if is_owner and case.state in (PlanState.CONSULTATION, PlanState.EXPERT_REVIEW):
        data["pool"] = list(
            User.objects.filter(
                memberships__role=Role.EXPERT, memberships__organisation__kind=OrganisationKind.EXPERT_POOL
            )
            .distinct()
            .order_by("username")
        )
    if is_owner and case.state == PlanState.IN_FORCE and case.level != PlanLevel.CITY:
        data["report_years"] = [
            y
            for y in range(case.period_start, min(case.period_end, timezone.localdate().year) + 1)
            if y not in {r.year for r in data["reports"]}
        ]
    data["goal_form"], data["task_form"] = GoalForm(), TaskForm(version=case)
    data["opinion_form"], data["opinion_refused"] = _opinion_form(request, case)
    data["expert_days"] = EXPERT_REVIEW_DAYS.describe()
    return data


# -- staff actions ----------------------------------------------------------------------------------


def _me(request: HttpRequest) -> User:
    """The signed-in user (every staff view is behind login_required)."""
    return cast(User, request.user)


def _version(request: HttpRequest, pk: int) -> PlanVersion:
    return selectors.version_get(request.user, pk)


def _detail(pk: int) -> str:
    return reverse("plans:detail", args=[pk])


def action(success: str) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """A POST that calls one service on a plan version, then shows the plan again with the outcome."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @login_required
        @require_POST
        def view(request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
            version = _version(request, pk)
            try:
                shown = fn(request, version, **kwargs)
            except DomainError as exc:
                messages.error(request, error_text(exc))
            else:
                if isinstance(shown, HttpResponse):  # the "请核对" page of an irreversible step
                    return shown
                messages.success(request, success)
            return see_other(_detail(pk) + "#plan-sections")

        view.__name__ = fn.__name__
        return view

    return wrap


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    form = PlanCreateForm(request.POST or None, user=_me(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            v = services.plan_create(
                user=_me(request),
                level=d["level"],
                title=d["title"],
                jurisdiction=d["owner"].jurisdiction,
                owner=d["owner"],
                period_start=d["period_start"],
                period_end=d["period_end"],
                parent=d["parent"],
                parent_reference=d["parent_reference"],
                body=d["body"],
            )
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"已创建规划草稿 {v.reference}，请增加发展目标和重点任务。")
            return see_other(_detail(v.pk))
    return render(request, "planning/new.html", {"form": form})


@action("已增加发展目标。")
def goal_add(request: HttpRequest, version: PlanVersion) -> None:
    form = GoalForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("请填写发展目标")
    services.goal_add(version=version, user=_me(request), text=form.cleaned_data["text"])


@action("已增加重点任务。")
def task_add(request: HttpRequest, version: PlanVersion) -> None:
    form = TaskForm(request.POST, version=version)
    if not form.is_valid():
        raise InvalidInput(
            "任务填写有误：" + "；".join(f"{form.fields[k].label}{v[0]}" for k, v in form.errors.items())
        )
    d = form.cleaned_data
    services.task_add(
        version=version,
        user=_me(request),
        text=d["text"],
        goal_id=d["goal_id"],
        responsible_id=d["responsible"].pk if d["responsible"] else None,
        indicator=d["indicator"],
        target_value=d["target_value"],
        unit=d["unit"],
        target_year=d["target_year"],
    )


@action("已删除重点任务。")
def task_remove(request: HttpRequest, version: PlanVersion, task_id: int) -> HttpResponse | None:
    task = version.tasks.select_related("responsible").filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    confirmation = confirm_step(
        request,
        version,
        "task_remove",
        payload={"task_id": task.pk},
        shown=[("删除的重点任务", f"{task.seq}. {task.text}"), ("责任单位", task.responsible)],
        action_url=reverse("plans:task_remove", args=[version.pk, task.pk]),
        back_url=_detail(version.pk) + "#plan-sections",
    )
    if confirmation is not None:
        return confirmation
    services.task_remove(task=task, user=_me(request))
    return None


@action("已保存征求意见情况说明。")
def summary_save(request: HttpRequest, version: PlanVersion) -> None:
    services.consultation_summary_save(
        version=version, user=_me(request), summary=request.POST.get("summary", "")
    )


@action("已起草答复（尚未公布）。")
def answers(request: HttpRequest, version: PlanVersion) -> None:
    form = AnswerForm(request.POST, comment_ids=version.comments.values_list("pk", flat=True))
    if not form.is_valid():
        raise InvalidInput("请勾选要答复的意见")
    d = form.cleaned_data
    services.comments_answer(
        version=version,
        user=_me(request),
        comment_ids=d["comment_ids"],
        status=d["status"],
        text=d["text"],
        template=d["template"],
        reason=d["reason"],
    )


@action("已公布答复，并通知了留有联系方式的意见人。")
def answers_publish(request: HttpRequest, version: PlanVersion) -> None:
    services.comments_publish_answers(version=version, user=_me(request))


@action("已邀请论证专家。")
def experts_assign(request: HttpRequest, version: PlanVersion) -> None:
    ids = [int(x) for x in request.POST.getlist("experts") if x.isdigit()]
    if not ids:
        raise InvalidInput("请选择专家")
    services.experts_assign(
        version=version,
        user=_me(request),
        experts=list(User.objects.filter(pk__in=ids)),
        due_date=request.POST.get("due_date", "").strip() or None,
    )


OPINION_KEPT = "planning_opinion_form"  # a refused opinion's typed values, for the next rendering


@login_required
@require_POST
def opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """An assigned expert's 论证意见; a refused one comes back with what was typed and the refusal beside
    the field it concerns (or beside the form, for a rule's)."""
    version = _version(request, pk)
    form = OpinionForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput("请选择论证结论并填写论证意见（不少于5字）")
        services.expert_opinion_submit(version=version, user=_me(request), **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        errors = {f: "；".join(str(m) for m in msgs) for f, msgs in form.errors.items()}
        for d in exc.details:
            if d.get("field") in form.fields and d.get("msg"):
                errors[str(d["field"])] = str(d["msg"])
        request.session[OPINION_KEPT] = {
            "version": version.pk,
            "data": {name: request.POST.get(name, "") for name in form.fields},
            "errors": errors,
            "message": "" if errors else str(exc),
        }
    else:
        messages.success(request, "已提交论证意见。")
    return see_other(_detail(pk) + "#plan-sections")


def _opinion_form(request: HttpRequest, case: PlanVersion) -> tuple[OpinionForm, str]:
    """The expert's opinion form: empty, or a refused submission's values with its refusals (once)."""
    kept = request.session.get(OPINION_KEPT)
    if not kept or kept.get("version") != case.pk:
        return OpinionForm(), ""
    del request.session[OPINION_KEPT]
    form = OpinionForm(kept.get("data") or {})
    form.is_valid()
    for name, message in (kept.get("errors") or {}).items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, message)
    return form, str(kept.get("message") or "")


@login_required
@require_POST
def change_request(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    try:
        new = services.plan_change_request(
            version=version, user=_me(request), reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return see_other(_detail(pk))
    messages.success(
        request, f"已创建变更版本（第 {new.number} 版），须按原编制程序重新征求意见、论证、批准和备案。"
    )
    return see_other(_detail(new.pk))


@action("已报送年度执行情况。")
def report(request: HttpRequest, version: PlanVersion) -> None:
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        raise InvalidInput("请选择报告年度") from None
    progress = [
        {
            "task_id": t.pk,
            "actual_value": request.POST.get(f"actual_{t.pk}", "").strip() or None,
            "note": request.POST.get(f"note_{t.pk}", ""),
        }
        for t in version.tasks.all()
    ]
    services.execution_report_submit(
        version=version,
        user=_me(request),
        year=year,
        progress=progress,
        summary=request.POST.get("summary", ""),
    )


# -- 第七条: the city authority's assessment page -----------------------------------------------------


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year - 1


def _require_city_authority(request: HttpRequest) -> None:
    enforce([acts_as_city_authority], None, user=_me(request))


@login_required
@require_GET
def assessment_page(request: HttpRequest) -> HttpResponse:
    _require_city_authority(request)
    year = _year(request)
    if request.GET.get("format") == "xlsx":
        resp = HttpResponse(
            assessment.assessment_xlsx(year),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        resp["Content-Disposition"] = f'attachment; filename="plan-assessment-{year}.xlsx"'
        return resp
    if request.GET.get("format") == "json":
        return JsonResponse(assessment.assessment_json(year), json_dumps_params={"ensure_ascii": False})
    inspections = list(
        Inspection.objects.filter(year=year)
        .select_related("version__owner", "version__jurisdiction")
        .prefetch_related("findings")
        .order_by("version__jurisdiction__sort_order", "pk")
    )
    scores = {s.version_id: s for s in PlanScore.objects.filter(year=year)}
    return render(
        request,
        "planning/assessment.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year, 2014, -1)),
            "supervised": assessment.supervised_versions(year),
            "inspections": inspections,
            "scores": scores,
            "rows": [[r[c] for c in assessment.COLUMNS] for r in assessment.assessment_rows(year)],
            "columns": assessment.COLUMNS,
            "sheet": assessment.SCORING_SHEET,
        },
    )


def _assessment_action(fn: Callable[[HttpRequest, int], str]) -> Callable[[HttpRequest], HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        year = _year(request)
        try:
            messages.success(request, fn(request, year))
        except DomainError as exc:
            messages.error(request, error_text(exc))
        return see_other(reverse("plans:assessment") + f"?year={year}")

    view.__name__ = fn.__name__
    return view


@_assessment_action
def inspections_sample(request: HttpRequest, year: int) -> str:
    try:
        share = float(request.POST.get("share", "1") or 1)
    except ValueError:
        raise InvalidInput("抽查比例无效") from None
    made = services.inspections_sample(user=_me(request), year=year, share=share)
    return f"已抽取 {len(made)} 项规划列入 {year} 年度监督检查。"


@_assessment_action
def inspection_record(request: HttpRequest, year: int) -> str:
    inspection = Inspection.objects.filter(pk=request.POST.get("inspection", "0") or 0).first()
    if inspection is None:
        raise NotFound()
    findings = [
        {"severity": sev, "text": text.strip()}
        for sev, text in zip(request.POST.getlist("severity"), request.POST.getlist("finding"), strict=False)
        if text.strip()
    ]
    services.inspection_record(
        inspection=inspection,
        user=_me(request),
        findings=findings,
        conclusion=request.POST.get("conclusion", ""),
    )
    return "已记录检查结果。"


@_assessment_action
def scores_compute(request: HttpRequest, year: int) -> str:
    n = services.scores_compute(user=_me(request), year=year)
    return f"已按评分表计算 {n} 项规划的 {year} 年度得分。"


# -- the public portal (no login) -------------------------------------------------------------------

# The reverse proxy in front of the application (deploy/nginx: same host) sets X-Real-IP to the
# visitor's address, overwriting whatever the visitor sent; REMOTE_ADDR is then the proxy's own.
TRUSTED_PROXIES = ("127.0.0.1", "::1")


def client_fingerprint(request: HttpRequest) -> str:
    """Who is commenting, for the rate limit: the visitor's address (through the trusted proxy) and
    browser, hashed (the address itself is not stored, 个人信息 of the public)."""
    from django.conf import settings

    addr = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "INFOGOV_TRUSTED_PROXIES", TRUSTED_PROXIES)
    if addr in proxies and request.headers.get("X-Real-IP"):
        addr = request.headers["X-Real-IP"].strip()[:64]
    return services.client_fingerprint(addr, request.headers.get("User-Agent", ""))


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    level = request.GET.get("level", "")
    level = level if level in (PlanLevel.CITY, PlanLevel.LOCAL) else ""
    return render(
        request,
        "planning/public_list.html",
        {
            "consultations": list(selectors.public_consultations()),
            "closed": list(selectors.public_consultations_closed()[:20]),
            "plans": list(selectors.public_versions(q=q, level=level)[:100]),
            "q": q,
            "level": level,
            "levels": [
                (PlanLevel.CITY.value, PlanLevel.CITY.label),
                (PlanLevel.LOCAL.value, PlanLevel.LOCAL.label),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.public_version_get(pk)
    form = PublicCommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if version.state != PlanState.CONSULTATION:
            raise NotFound()
        if request.POST.get("website"):  # the honeypot: a hidden field people never fill in
            messages.error(request, "提交失败。")
            return see_other(request.path)
        if form.is_valid():
            goal_id, task_id = form.target_ids()
            try:
                services.comment_submit(
                    version=version,
                    body=form.cleaned_data["body"],
                    goal_id=goal_id,
                    task_id=task_id,
                    name=form.cleaned_data["name"],
                    contact=form.cleaned_data["contact"],
                    client=client_fingerprint(request),
                )
            except DomainError as exc:
                messages.error(request, error_text(exc))
                status = exc.status
            else:
                messages.success(
                    request, "感谢您的意见！答复公布后将在本页显示；留有联系方式的，我们将通知您。"
                )
                return see_other(request.path + "#comments")
        else:
            status = 422
    today = timezone.localdate()
    return render(
        request,
        "planning/public_detail.html",
        {
            "version": version,
            "goals": list(version.goals.all()),
            "tasks": list(version.tasks.all()),
            "comments": list(selectors.public_comments(version)),
            "form": form,
            "today": today,
            "open": version.state == PlanState.CONSULTATION
            and version.consultation_start is not None
            and version.consultation_start <= today <= (version.consultation_end or dt.date.min),
        },
        status=status,
    )
