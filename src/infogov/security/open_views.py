"""The security forms beyond the generic case pages: 登记网络安全事件 (第三十条第二款), 制定安全检查计划 and
登记安全隐患 (第三十二条). Each parses the form through its step's schema (security.forms), has the server
check it, asks the official to confirm (the case cannot be deleted afterwards) and calls one service or
the workflow core."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from infogov.core.errors import DomainError, NotFound, NotPermitted
from infogov.core.web.confirm import confirm_step
from infogov.core.web.stepforms import PayloadField, recall_refusal, see_other
from infogov.core.workflow import engine as wf_core
from infogov.core.workflow.permissions import restrict
from infogov.core.workflow.rules import RuleContext

from . import forms, selectors, services
from . import rules as r
from .models import Inspection
from .payloads import DangerIn, IncidentOpenIn, InspectionPlanIn
from .workflows import INSPECTION_WORKFLOW

TIME_HELP = "北京时间，精确到分钟"

INCIDENT = forms.Opening(
    name="incident_open",
    label="登记网络安全事件",
    citation="第三十条第二款",
    schema=IncidentOpenIn,
    confirm=(
        "登记后即按发现时间、事件级别和运营者类型计算报告时限，并开启“报告网络安全事件”义务；"
        "事件登记不能删除，发现时间和级别登记后不能修改。"
    ),
    rule_fields={"A30-2-SYSTEMS": "system_ids", "A30-2-DETECTED": "detected_at"},
)
INSPECTION = forms.Opening(
    name="inspection_plan",
    label="制定安全检查计划",
    citation="第三十二条",
    schema=InspectionPlanIn,
    confirm="检查计划登记后不能删除；“开始检查”后可在检查页面登记发现的安全隐患。",
    rule_fields={"A32-1-SCHEDULE": "planned_end", "A32-1-OBJECTS": "system_ids"},
)
DANGER_RULE_FIELDS = {
    "A32-1-SYSTEM": "system_id",
    "A32-1-DEADLINE": "deadline",
    "A30-1-NOT-FUTURE": "found_on",
}


def incident_fields(user: Any) -> tuple[PayloadField, ...]:
    unit = getattr(user, "organisation", None)
    own = selectors.live_systems(user, owner_id=unit.pk) if unit is not None else []
    return forms.form_fields(
        IncidentOpenIn,
        {
            "detected_at": PayloadField("detected_at", "发现时间", "datetime-local", True, TIME_HELP),
            "system_ids": PayloadField(
                "system_ids",
                "受影响的系统",
                "checklist",
                help_text="本单位登记的信息系统（第三十条第二款）",
                choices=tuple((str(pk), label) for pk, label in own),
            ),
        },
    )


def inspection_fields(user: Any) -> tuple[PayloadField, ...]:
    return forms.form_fields(
        InspectionPlanIn,
        {
            "unit_ids": PayloadField(
                "unit_ids",
                "被检查单位",
                "multiselect",
                help_text="登记了信息系统的单位；按住 Ctrl 可多选",
                choices=tuple((str(pk), name) for pk, name in selectors.register_units(user)),
            ),
            "system_ids": PayloadField(
                "system_ids",
                "被检查的信息系统",
                "multiselect",
                help_text="已登记且未下线的信息系统；按住 Ctrl 可多选",
                choices=tuple((str(pk), label) for pk, label in selectors.live_systems(user)),
            ),
        },
    )


def danger_fields(user: Any) -> tuple[PayloadField, ...]:
    systems = selectors.live_systems(user)
    return forms.form_fields(
        DangerIn,
        {
            "system_id": PayloadField(
                "system_id",
                "信息系统",
                "select",
                True,
                "隐患所在的已登记信息系统",
                choices=tuple((str(pk), label) for pk, label in systems),
            )
        },
    )


def _open(
    request: HttpRequest,
    opening: forms.Opening,
    fields: Sequence[PayloadField],
    *,
    check: Callable[..., Any],
    open_: Callable[..., Any],
    done: Callable[[Any], tuple[str, str]],
    back_url: str,
) -> HttpResponse:
    """GET: the form. POST: checked → "请核对"; confirmed (signed token) → opened; refused → the form again
    with what was typed and the refusal beside its field. "返回修改" gives the form back filled."""
    errors: dict[str, str] = {}
    general: list[str] = []
    status = 200
    data = request.POST if request.method == "POST" else None
    if request.method == "POST" and forms.BACK not in request.POST:
        raw = forms.raw_payload(fields, request.POST)
        try:
            if forms.TOKEN in request.POST:
                forms.verify(request, opening)
                message, url = done(open_(user=request.user, **raw))
                messages.success(request, message)
                return see_other(url)
            typed = check(user=request.user, **raw).input
            context = forms.confirmation_context(request, opening, typed, fields)
            return render(request, "core/cases/confirm.html", context)
        except NotPermitted:
            raise  # who may act: the 403 page with its article
        except DomainError as exc:
            errors, general = forms.refusal(exc, opening.rule_fields)
            status = exc.status
    context = {
        "heading": opening.label,
        "submit": opening.label,
        "citation": opening.citation,
        "fields": forms.bound(fields, data, errors),
        "general": general,
        "back_url": back_url,
        "irreversible": True,
    }
    return render(request, "security/open_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    """登记网络安全事件 (第三十条第二款): by the unit whose system it struck (本单位)."""
    r.require(
        getattr(request.user, "organisation", None), RuleContext(user=request.user), r.reports_for_own_unit
    )

    def done(incident: Any) -> tuple[str, str]:
        deadline = timezone.localtime(incident.report_deadline).strftime("%Y-%m-%d %H:%M")
        return (
            f"已登记网络安全事件：{incident.reference}。"
            f"请在 {deadline} 前向有关主管部门报告（第三十条第二款）。",
            reverse("security_incidents:detail", args=[incident.pk]),
        )

    return _open(
        request,
        INCIDENT,
        incident_fields(request.user),
        check=services.incident_open_check,
        open_=services.incident_open,
        done=done,
        back_url=reverse("security_incidents:list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest) -> HttpResponse:
    """制定安全检查计划 (第三十二条): 市信息化主管部门 only (A32-1-CITY)."""
    r.require(None, RuleContext(user=request.user), r.acts_as_city_authority)

    def done(inspection: Any) -> tuple[str, str]:
        return (
            f"已制定安全检查计划：{inspection.reference}（第三十二条）。开始检查后可登记发现的安全隐患。",
            reverse("security_inspections:detail", args=[inspection.pk]),
        )

    return _open(
        request,
        INSPECTION,
        inspection_fields(request.user),
        check=services.inspection_plan_check,
        open_=services.inspection_plan,
        done=done,
        back_url=reverse("security_inspections:list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def danger_new(request: HttpRequest, pk: int) -> HttpResponse:
    """登记安全隐患 (第三十二条) found in an inspection under way: the declared Record step record_danger,
    checked, confirmed (it opens the owner's rectification duty) and fired."""
    inspection = restrict(Inspection.objects.all(), request.user).filter(pk=pk).first()
    if inspection is None:
        raise NotFound()
    step = INSPECTION_WORKFLOW.get("record_danger")
    detail = reverse("security_inspections:detail", args=[inspection.pk])
    option = next((o for o in wf_core.explain(inspection, request.user) if o.name == step.name), None)
    actor = [b for b in (option.blockers if option else []) if b.actor]
    if actor:
        raise NotPermitted(actor[0].message, code=actor[0].code, article=actor[0].citation)
    if option is None:
        messages.error(
            request,
            f"检查处于“{INSPECTION_WORKFLOW.label_of(inspection.state)}”状态，不能登记隐患；请先开始检查。",
        )
        return see_other(detail)
    fields = danger_fields(request.user)
    key = f"security_inspections:{inspection.pk}:{step.name}"
    kept = recall_refusal(request, case_key=key)  # "返回修改" on the 请核对 page
    data: Any = kept["values"] if kept else None
    errors: dict[str, str] = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        data = request.POST
        raw = forms.raw_payload(fields, request.POST)
        raw_version = request.POST.get("version", "").strip()
        version = int(raw_version) if raw_version.isdigit() else None
        try:
            confirmation = confirm_step(
                request,
                inspection,
                step.name,
                payload=raw,
                fields=fields,
                action_url=request.path,
                back_url=request.path,
                case_key=key,
                expected_version=version,
            )
            if confirmation is not None:
                return confirmation
            wf_core.fire(inspection, step.name, user=request.user, payload=raw, expected_version=version)
        except NotPermitted:
            raise
        except DomainError as exc:
            errors, general = forms.refusal(exc, DANGER_RULE_FIELDS)
            status = exc.status
        else:
            messages.success(request, "已登记安全隐患，并向该系统的所属单位开启整改义务（第三十二条）。")
            return see_other(detail)
    context = {
        "heading": f"{step.label}：{inspection.reference} {inspection.title}",
        "submit": step.label,
        "citation": step.citation,
        "fields": forms.bound(fields, data, errors),
        "general": general,
        "back_url": detail,
        "version": inspection.version,
        "irreversible": bool(step.confirm),
    }
    return render(request, "security/open_form.html", context, status=status)
