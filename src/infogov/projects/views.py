"""Project pages: the generic case pages (list, detail, fire, attach) from core.views_cases, with
project filters, Chinese word search and Excel export; the register form (new project, edit a
draft) and the annual-plan form; the authority's overview and the Excel import. Every handler calls
one service or selector. The forms for the records that are not state changes (review findings,
funds, progress, inspections, risk) are in record_views.py."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from infogov.core.errors import DomainError, NotFound, NotPermitted
from infogov.core.web.cases import CaseViews, FilterView, PayloadField, error_text, see_other
from infogov.core.workflow.permissions import restrict, scope_of
from infogov.core.workflow.rules import RuleContext
from infogov.org.models import Jurisdiction, Organisation

from . import document_pages, imports, risk, rules, selectors, services, shared_data, step_refill
from .choices import FindingConclusion, PlanState, ProjectState, ReviewDimension, Severity
from .forms import PlanForm, ProjectForm, project_initial, split_lines, split_resources
from .models import AnnualConstructionPlan, Project, Standard, SupervisionInspection
from .similarity import THRESHOLD
from .step_choices import LEVEL_CHOICES, METHOD_CHOICES, project_step_fields
from .workflows import PLAN_WORKFLOW, PROJECT_WORKFLOW

CREATOR_ROLES = ("dept_staff", "authority_staff", "authority_leader")

PAYLOAD_FIELDS: dict[str, list[PayloadField]] = {
    "include_in_plan": [PayloadField("plan_id", "年度建设计划", "select", True)],  # choices per request
    "review_pass": [
        PayloadField("conditions", "审查条件（多条以；分隔）", "text", False, "有条件通过时必填"),
        PayloadField("due_date", "条件答复期限", "date"),
    ],
    "record_procurement": [
        PayloadField("method", "采购方式", "select", True, "政府采购法规定的采购方式", METHOD_CHOICES),
        PayloadField("notice_number", "采购公告编号", "text", True),
        PayloadField("supplier", "中标（成交）供应商", "text", True),
        PayloadField("contract_amount", "合同金额（元）", "number", True),
        PayloadField("contract_date", "合同签订日期", "date"),
    ],
    "complete": [PayloadField("completed_on", "竣工日期", "date")],
    "record_test": [
        PayloadField("tester", "测试机构", "text", True),
        PayloadField("tested_on", "测试日期", "date"),
        PayloadField("passed", "测试通过", "checkbox"),
        PayloadField("standards", "测试依据的标准（以、分隔）", "text", True),
        PayloadField("summary", "测试结论说明"),
    ],
    "accept": [
        PayloadField("held_on", "验收日期", "date"),
        PayloadField("committee", "验收组成员（以、分隔）", "text", True),
        PayloadField("security_measures_built", "已建成的安全措施（以、分隔）", "text", True),
        PayloadField("security_evidence", "安全措施建设证明", "text", True, "如等级测评报告编号"),
    ],
    "fail_acceptance": [
        PayloadField("held_on", "验收日期", "date"),
        PayloadField("committee", "验收组成员（以、分隔）", "text", True),
    ],
    "deliver": [
        PayloadField("protection_level", "安全保护等级", "select", False, "", LEVEL_CHOICES),
        PayloadField("system_name", "信息系统名称"),
    ],
}


INSPECTIONS = SupervisionInspection.objects.prefetch_related("findings", "cosupervisors")


class ProjectViews(CaseViews):
    """The generic case views with the project register's filters and jieba word search."""

    def filter_views(self, request: HttpRequest) -> tuple[list[FilterView], Q]:
        views, q = super().filter_views(request)
        years = [
            str(y) for y in Project.objects.order_by("-year").values_list("year", flat=True).distinct()[:20]
        ]
        value = request.GET.get("year", "").strip()
        if value in years:
            q &= Q(year=int(value))
        views.append(FilterView("year", "建设年度", [(y, y) for y in years], value if value in years else ""))
        return views, q

    def search_q(self, text: str) -> Q:
        return selectors.search_q(text)

    def get_case(self, request: HttpRequest, pk: int) -> Any:
        """The project with the one-to-one records its page shows (review, procurement, annual plan,
        acceptance filing): one query."""
        related = ("review", "procurement", "annual_plan", "acceptance_filing")
        # by its key: no need for the register's default ordering (created_at) in the query
        case = self.visible(request).select_related(*related).filter(pk=pk).order_by("pk").first()
        if case is None:
            raise NotFound()
        return case

    def detail_context(self, request: HttpRequest, case: Any) -> dict[str, Any]:
        """The generic page, with "include in plan" offered as a choice of this jurisdiction's open plans,
        and the page's own forms refilled after a refusal (step_refill)."""
        refill = step_refill.peek(request, f"{self.namespace}:{case.pk}")
        # read once for the page: the docket's record names them too (core.web.changes, known rows)
        prefetch_related_objects([case], "standards", Prefetch("inspections", INSPECTIONS))
        ctx = super().detail_context(request, case)
        ctx["refill"] = refill
        # the funds card's two forms (templates/projects/_funds_forms.html): each its own kept submission
        ctx["pay_refill"] = refill if refill is not None and refill.step == "disbursement" else None
        ctx["progress_refill"] = refill if refill is not None and refill.step == "progress" else None
        ctx["expert_rows"] = step_refill.expert_rows(ctx.get("expert_dimensions") or [], refill)
        if case.is_fiscal:  # the risk rating (第十四条) from the records the page has already loaded
            today = timezone.localdate()
            progress = max(ctx["progress_reports"], key=lambda r: (r.reported_on, r.pk), default=None)
            ctx["rating"] = risk.rate(
                case,
                today=today,
                progress=(progress.percent or 0) if progress else 0,
                disbursed=ctx["disbursed"],
                open_conditions=sum(1 for c in ctx["conditions"] if c.answered_at is None),
                open_findings=sum(
                    1 for i in ctx["inspections"] for f in i.findings.all() if f.rectified_at is None
                ),
                overdue=sum(1 for o in ctx["obligations"] if o.status == "overdue"),
            )
        # the record steps (findings, answers, payments, inspections …) have their own forms on the page
        ctx["actions"] = [a for a in ctx["actions"] if a.option.changes_state]
        for action in ctx["actions"]:
            if action.option.name in ("record_test", "accept"):  # the choices the platform knows
                action.fields = project_step_fields(case, action.option.name, action.fields)
            if action.option.name == "include_in_plan":
                plans = ctx.get("open_plans") or []
                action.fields = [
                    PayloadField(
                        "plan_id",
                        "年度建设计划",
                        "select",
                        True,
                        f"{case.jurisdiction.name}编制中的年度建设计划"
                        if plans
                        else f"{case.jurisdiction.name}没有编制中的年度建设计划，请先在“年度建设计划”中新建",
                        tuple((str(p.pk), f"{p.title}（{p.reference}）") for p in plans),
                    )
                ]
        return ctx


def creatable_owners(user: Any) -> list[Organisation]:
    """The organisations `user` may register a project for: their own, as its staff (第四条)."""
    if not getattr(user, "is_authenticated", False) or user.has_role("audit_admin"):
        return []
    ids = scope_of(user).org_ids_with_role(*CREATOR_ROLES)
    return list(Organisation.objects.filter(pk__in=ids)) if ids else []


def plan_jurisdictions(user: Any) -> list[Jurisdiction]:
    """Where `user` may draw up an annual plan: the authority's own (本级) jurisdictions only — the
    levels below compile their own (第九条第一款, A9-1-PLAN-AUTHORITY)."""
    if not getattr(user, "is_authenticated", False) or user.has_role("audit_admin"):
        return []
    ids = scope_of(user).own_authority_jurisdictions
    if not ids:
        return []
    return list(Jurisdiction.objects.filter(pk__in=ids).order_by("path"))


def can_edit(user: Any, project: Project) -> bool:
    return (
        project.state == ProjectState.DRAFT
        and scope_of(user).can_change(project)
        and not user.has_role("audit_admin")
    )


BEFORE_REVIEW = (ProjectState.DRAFT, ProjectState.PROPOSED, ProjectState.PLANNED)


def system_links(project: Project) -> list[tuple[str, str | None]]:
    """新建或改造的系统, each with the URL of its entry in the information system register (第三十条、
    第三十一条; security app) where there is one."""
    names = split_lines(project.systems)
    links = selectors.register_links(project, names)  # also the entries its delivery registered
    return [(name, links.get(name)) for name in names] + [
        (title, url) for title, url in links.items() if title not in names
    ]


def detail_extra(request: HttpRequest, case: Any) -> dict[str, Any]:
    user: Any = request.user
    if case is None:  # the list
        return {"can_create": bool(scope_of(user).org_ids_with_role(*CREATOR_ROLES))}
    if not isinstance(case, Project):
        return {}
    produced, consumed = split_resources(case.data_resources)
    disbursements = list(case.disbursements.all())
    return {
        "project": case,
        "can_edit": can_edit(user, case),
        "data_produced": produced,
        "data_consumed": consumed,
        "systems": system_links(case),
        "security_measures": split_lines(case.security_measures),
        "findings": list(case.findings.all()),
        "review": case.review if hasattr(case, "review") else None,
        "conditions": list(case.conditions.all()),
        "similar": list(case.similar_hits.select_related("other_project")),
        "similar_threshold": THRESHOLD,
        # 不重复采集 (resources' catalogue): for the proposal and its review, not once the review is done
        # (one catalogue query per declared item: kept off the pages of projects past their review)
        "shared_data": shared_data.recollection(case) if case.state in BEFORE_REVIEW else None,
        "procurement": case.procurement if hasattr(case, "procurement") else None,
        "disbursements": disbursements,
        "disbursed": sum((d.amount for d in disbursements), Decimal("0")).quantize(Decimal("0.01")),
        "progress_reports": list(case.progress_reports.all()),
        "inspections": list(case.inspections.all()),  # with findings and cosupervisors (INSPECTIONS)
        "rating": None,  # ProjectViews.detail_context rates fiscal projects
        "standards": list(case.standards.all()),
        "open_plans": list(selectors.open_plans_for(user, case)) if case.state == "proposed" else [],
        "dimensions": ReviewDimension.choices,
        "conclusions": FindingConclusion.choices,
        "severities": Severity.choices,
        "is_authority": scope_of(user).is_own_authority_of(case.jurisdiction_id),  # acts: 本级 only
        "is_owner": case.owner_id in scope_of(user).org_ids,
        "cosupervisor_orgs": Organisation.objects.exclude(cosupervision="").filter(
            jurisdiction_id=case.jurisdiction_id
        ),
        **document_pages.context(user, case),  # experts, acceptance filing and receipt
    }


views = ProjectViews(
    PROJECT_WORKFLOW,
    namespace="projects",
    list_columns=[
        "reference",
        "title",
        "jurisdiction",
        "owner",
        "category",
        "funding_kind",
        "budget",
        "year",
        "state",
        "updated_at",
    ],
    filters=["state", "jurisdiction", "category", "funding_kind", "owner"],
    search_fields=("title", "reference"),
    list_template="projects/list.html",
    detail_template="projects/detail.html",
    extra_context=detail_extra,
    payload_fields=PAYLOAD_FIELDS,
)


def plan_extra(request: HttpRequest, case: Any) -> dict[str, Any]:
    user: Any = request.user
    if case is None:  # the list
        return {
            "can_create_plan": bool(scope_of(user).own_authority_jurisdictions)
            and not user.has_role("audit_admin")
        }
    projects = list(
        restrict(Project.objects.select_related("owner"), user).filter(annual_plan=case).order_by("reference")
    )
    return {
        "plan_projects": projects,
        "plan_total": sum((p.budget for p in projects), Decimal("0")),
    }


plan_views = CaseViews(
    PLAN_WORKFLOW,
    namespace="annual_plans",
    list_columns=["reference", "title", "jurisdiction", "year", "state", "updated_at"],
    list_template="projects/plan_list.html",
    detail_template="projects/plan_detail.html",
    extra_context=plan_extra,
)


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload: every row checked, all registered in one transaction, then submitted in the worker;
    `?job=` shows how far the submission has come (the ids are kept in the session)."""
    errors: list[dict[str, Any]] = []
    failed = False
    jobs: dict[str, list[int]] = request.session.get("project_imports", {})
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择 Excel 或 CSV 文件。")
        else:
            try:
                name = upload.name or ""
                created, job = imports.start_import(user=request.user, data=upload, filename=name)
            except DomainError as exc:
                messages.error(request, error_text(exc))
                errors, failed = exc.details, True
            else:
                jobs = {**dict(list(jobs.items())[-4:]), str(job): [p.pk for p in created]}
                request.session["project_imports"] = jobs
                messages.success(request, f"已登记 {len(created)} 个项目，正在逐个申报。")
                return see_other(reverse("projects:import") + f"?job={job}")
    job = request.GET.get("job", "")
    status = imports.import_status(job, jobs.get(job)) if job else None
    return render(
        request,
        "projects/import.html",
        {"errors": errors, "headers": imports.HEADERS, "job": status},
        status=422 if failed else 200,
    )


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        imports.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="project-import-template.xlsx"'
    return response


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The authority's overview: fiscal projects under construction by risk, and overdue duties."""
    ratings = risk.ranking(selectors.in_construction_fiscal(request.user))
    overdue = list(
        selectors.overdue_obligations(request.user).only(
            "due_date", "title", "case_id", "citation", "owed_by__name", "jurisdiction__name"
        )[:200]
    )
    titles = dict(Project.objects.filter(pk__in=[o.case_id for o in overdue]).values_list("pk", "title"))
    link = _detail_link()  # one reverse() for the page's 400 links
    return render(
        request,
        "projects/overview.html",
        {
            "ratings": [(r, link(r.project.pk)) for r in ratings],
            "overdue": [(o, titles.get(o.case_id, ""), link(o.case_id)) for o in overdue],
        },
    )


def _detail_link() -> Callable[[int], str]:
    """projects:detail's URL for any id, from one reverse(): the id's place in the reversed URL."""
    marker = 2_147_483_647
    before, _, after = reverse("projects:detail", args=[marker]).partition(str(marker))
    return lambda pk: f"{before}{pk}{after}"


# -- the register: new project, edit a draft (第三、九、十、十二、三十一条) ----------------------------


def _register_context(form: ProjectForm, **extra: Any) -> dict[str, Any]:
    form.style()  # after every error is known (the service's too)
    return {"form": form, "standard_rows": form.standard_rows(), **extra}


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    """登记项目: a draft of the user's organisation (its construction unit), through project_create."""
    owners = creatable_owners(request.user)
    if not owners:  # refused by the rule, with its article (第四条第一款)
        own = getattr(request.user, "organisation", None)
        rules.require(own, RuleContext(user=request.user), rules.registers_for_own_unit)
        raise NotFound()  # the rule always refuses here; never a page without an owner to register for
    catalogue = list(Standard.objects.filter(active=True))
    status = 200
    if request.method == "POST":
        raw_owner = request.POST.get("owner", "").strip()
        if raw_owner and raw_owner not in {str(o.pk) for o in owners}:
            named = Organisation.objects.filter(pk=int(raw_owner)).first() if raw_owner.isdigit() else None
            rules.require(named, RuleContext(user=request.user), rules.registers_for_own_unit)
        form = ProjectForm(request.POST, owners=owners, catalogue=catalogue)
        if form.is_valid():
            owner = next(o for o in owners if o.pk == form.cleaned_data["owner"])
            try:
                project = services.project_create(
                    user=request.user,
                    owner=owner,
                    standards=form.cleaned_data["standards"],
                    **form.model_values(),
                )
            except NotPermitted:
                raise
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(
                    request, f"已登记项目：{project.reference}（草稿）。核对无误后可申报或报送备案。"
                )
                return see_other(reverse("projects:detail", args=[project.pk]))
        else:
            status = 422
    else:
        form = ProjectForm(owners=owners, catalogue=catalogue)
    return render(request, "projects/form.html", _register_context(form, project=None), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改草稿 (also a proposal or filing returned to draft): field-level changes into the docket."""
    project = selectors.project_get(request.user, pk)
    rules.require(project, RuleContext(user=request.user), rules.acts_as_editor)
    if project.state != ProjectState.DRAFT:
        messages.error(request, "只有草稿（含被退回的申报、备案）才能修改；已申报的以申报内容为准。")
        return see_other(reverse("projects:detail", args=[project.pk]))
    # the current catalogue, and a superseded standard the draft already declares
    catalogue = list(Standard.objects.filter(Q(active=True) | Q(projects=project)).distinct())
    initial = project_initial(project)
    status = 200
    if request.method == "POST":
        form = ProjectForm(request.POST, initial=initial, catalogue=catalogue)
        raw_version = request.POST.get("version", "").strip()
        if form.is_valid():
            changes = form.changes()
            standards = form.cleaned_data["standards"] if form.standards_changed() else None
            if not changes and standards is None:
                messages.info(request, "没有修改任何内容。")
                return see_other(reverse("projects:detail", args=[project.pk]))
            try:
                services.project_update(
                    project=project,
                    user=request.user,
                    changes=changes,
                    standards=standards,
                    comment=request.POST.get("comment", "").strip()[:2000],
                    expected_version=int(raw_version) if raw_version.isdigit() else project.version,
                )
            except NotPermitted:
                raise
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(request, f"已保存修改：{project.reference}。修改前后的内容记入案卷。")
                return see_other(reverse("projects:detail", args=[project.pk]))
        else:
            status = 422
        version = raw_version if raw_version.isdigit() else str(project.version)
    else:
        form = ProjectForm(initial=initial, catalogue=catalogue)
        version = str(project.version)
    return render(
        request,
        "projects/form.html",
        _register_context(form, project=project, version=version),
        status=status,
    )


# -- 第九条第一款: the annual construction plan -------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    """编制年度建设计划: the authority, for its jurisdiction and a year."""
    jurisdictions = plan_jurisdictions(request.user)
    if not jurisdictions:  # refused by the rule, with its article (第九条第一款)
        rules.require(None, RuleContext(user=request.user), rules.plans_for_own_jurisdiction)
    status = 200
    if request.method == "POST":
        raw = request.POST.get("jurisdiction", "").strip()
        if raw and raw not in {str(j.pk) for j in jurisdictions}:
            named = Jurisdiction.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
            rules.require(named, RuleContext(user=request.user), rules.plans_for_own_jurisdiction)
        form = PlanForm(request.POST, jurisdictions=jurisdictions)
        if form.is_valid():
            jurisdiction = next(j for j in jurisdictions if j.pk == form.cleaned_data["jurisdiction"])
            try:
                plan = services.plan_create(
                    user=request.user,
                    jurisdiction=jurisdiction,
                    year=form.cleaned_data["year"],
                    title=form.cleaned_data["title"].strip(),
                )
            except NotPermitted:
                raise
            except DomainError as exc:
                form.add_error("year" if exc.code == rules.no_plan_yet.code else None, error_text(exc))
                status = exc.status
            else:
                messages.success(request, f"已新建年度建设计划：{plan.title}（{plan.reference}）。")
                return see_other(reverse("annual_plans:detail", args=[plan.pk]))
        else:
            status = 422
    else:
        form = PlanForm(jurisdictions=jurisdictions)
    existing = list(
        AnnualConstructionPlan.objects.filter(jurisdiction__in=jurisdictions)
        .select_related("jurisdiction")
        .order_by("-year", "jurisdiction__path")[:20]
    )
    form.style()
    return render(
        request,
        "projects/plan_form.html",
        {"form": form, "existing": existing, "drafting": PlanState.DRAFTING},
        status=status,
    )
