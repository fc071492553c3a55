"""Demo projects of Jilin City in every state, across the city, 永吉县 and 蛟河市, with planted
near-duplicates (demo_data.py) and an overdue acceptance. Called by core's `seed_demo` after the
core demo (users and organisations). Idempotent: a project that exists (by owner and title) is left
as it is. Every step goes through the services, so the docket tells the whole story."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from infogov.core.hooks import REGISTER_SYSTEM, SystemEntry
from infogov.org.models import Organisation, User

from . import selectors, services
from .choices import FindingConclusion, ProjectState, ReviewDimension
from .demo_data import PROJECTS, SYSTEMS
from .models import AnnualConstructionPlan, Project
from .rules import missing_mandatory_standards

ORDER = [s.value for s in ProjectState]
FISCAL_PATH = [
    "draft",
    "proposed",
    "planned",
    "reviewed",
    "procured",
    "construction",
    "completed",
    "tested",
    "accepted",
    "delivered",
]
FILING_PATH = ["draft", "filing", "filed", "construction", "completed", "tested", "accepted", "delivered"]
AUTHORITY_OF = {"吉林市": "authority", "永吉县": "yongji_authority", "蛟河市": "jiaohe_authority"}
# 第九条第一款: each annual plan is approved by the government of its own jurisdiction (本级人民政府)
GOVERNMENT_OF = {"吉林市": "gov", "永吉县": "yongji_gov", "蛟河市": "jiaohe_gov"}
MEASURES = ["边界防护", "入侵防范", "日志审计", "数据备份"]
LEGACY_IN_SERVICE = dt.date(2023, 6, 1)  # a fixed date: seeding again changes nothing


def _users() -> dict[str, User] | None:
    names = {*AUTHORITY_OF.values(), *GOVERNMENT_OF.values(), "dept", "police", "yongji_dept"}
    users = {u.username: u for u in User.objects.filter(username__in=names).select_related("organisation")}
    return users if len(users) == len(names) else None


def _fields(spec: dict[str, Any], today: dt.date) -> dict[str, Any]:
    fiscal = spec["funding"] == "fiscal"
    year = today.year
    return {
        "title": spec["title"],
        "category": spec["category"],
        "funding_kind": spec["funding"],
        "budget": Decimal(spec["budget"]),
        "year": year,
        "content": spec["content"],
        "systems": spec["systems"],
        "data_resources": [{"name": d} for d in spec["data"]],
        "budget_source": f"{year}年本级财政预算" if fiscal else "",
        "special_fund": "信息化发展专项资金" if fiscal else "",
        "funding_source": "" if fiscal else "企业自有资金",
        "planned_start": today - dt.timedelta(days=300),
        "planned_completion": today + dt.timedelta(days=60),
        "security_plan": "按网络安全等级保护要求同步规划：" + "、".join(MEASURES[:2]),
        "security_level": 3 if spec["category"] == "security" else 2,
        "security_measures": MEASURES[:2],
        "procedures_completed": "" if fiscal else "已取得项目备案和施工许可",
    }


def _plan(jurisdiction: Any, authority: User, year: int) -> AnnualConstructionPlan:
    plan = AnnualConstructionPlan.objects.filter(jurisdiction=jurisdiction, year=year).first()
    return plan or services.plan_create(user=authority, jurisdiction=jurisdiction, year=year)


def _fresh(p: Project) -> Project:
    return Project.objects.get(pk=p.pk)


def seed(stdout: Any = None) -> dict[str, int]:
    users = _users()
    if users is None:
        if stdout is not None:
            stdout.write("信息化工程项目：缺少核心演示用户，跳过\n")
        return {"projects": 0}
    today = timezone.localdate()
    with transaction.atomic():
        created = _seed(users, today)
    if stdout is not None:
        stdout.write(
            f"信息化工程项目 {Project.objects.count()} 个（本次新建 {created} 个），"
            f"登记信息系统 {selectors.information_systems(users['authority']).count()} 个\n"
        )
    return {"projects": Project.objects.count()}


def _seed(users: dict[str, User], today: dt.date) -> int:
    # the systems that predate the platform, registered by their units in the security app's register
    # (through core.hooks: this app does not import it); an entry that exists is left as it is
    for s in SYSTEMS:
        owner: Organisation = users[s["owner"]].organisation  # type: ignore[assignment]
        REGISTER_SYSTEM(
            SystemEntry(
                user=users[s["owner"]],
                owner=owner,
                title=s["name"],
                level=s["level"],
                purpose=s["description"],
                in_service_since=LEGACY_IN_SERVICE,
                comment="演示数据：平台上线前已建成的信息系统",
            )
        )
    fresh_specs = [
        s
        for s in PROJECTS
        if not Project.objects.filter(owner=users[s["owner"]].organisation, title=s["title"]).exists()
    ]
    if not fresh_specs:
        return 0
    made: list[tuple[dict[str, Any], Project]] = []
    for spec in fresh_specs:
        owner_user = users[spec["owner"]]
        p = services.project_create(user=owner_user, **_fields(spec, today))
        p.standards.set([])
        services.project_update(
            project=p, user=owner_user, changes={}, standards=missing_mandatory_standards(p, set())
        )
        made.append((spec, _fresh(p)))
    # submission (duplicates are detected against what is already there, in this order)
    for spec, p in made:
        target, owner_user = spec["state"], users[spec["owner"]]
        if target == "draft":
            continue
        step = "submit" if spec["funding"] == "fiscal" else "submit_filing"
        services.project_fire(project=_fresh(p), user=owner_user, name=step)
    # annual plans: include every fiscal project meant to go beyond "proposed", then approve
    plans: dict[int, AnnualConstructionPlan] = {}
    for spec, p in made:
        reach = "reviewed" if spec["state"] == "rejected" else spec["state"]
        if spec["funding"] != "fiscal" or FISCAL_PATH.index(reach) < FISCAL_PATH.index("planned"):
            continue
        p = _fresh(p)
        authority = users[AUTHORITY_OF[p.jurisdiction.name]]
        plan = plans.setdefault(p.jurisdiction_id, _plan(p.jurisdiction, authority, p.year))
        services.project_include_in_plan(project=p, user=authority, plan=plan)
    for plan in plans.values():
        plan = AnnualConstructionPlan.objects.get(pk=plan.pk)
        authority = users[AUTHORITY_OF[plan.jurisdiction.name]]
        if plan.state == "drafting":
            plan = services.plan_fire(plan=plan, user=authority, name="submit_plan")
        if plan.state == "submitted":
            government = users[GOVERNMENT_OF[plan.jurisdiction.name]]
            services.plan_fire(plan=plan, user=government, name="approve_plan")
    for spec, p in made:
        _walk(spec, _fresh(p), users, today)
    return len(made)


def _walk(spec: dict[str, Any], p: Project, users: dict[str, User], today: dt.date) -> None:
    """Take the project from its draft to the state the spec names, every step through the services."""
    owner = users[spec["owner"]]
    authority = users[AUTHORITY_OF[p.jurisdiction.name]]
    target = spec["state"]
    path = FISCAL_PATH if spec["funding"] == "fiscal" else FILING_PATH
    reach = path.index(target) if target in path else 0

    def at(state: str) -> bool:
        return state in path and reach >= path.index(state)

    if spec["funding"] == "fiscal":
        if target == "rejected":
            _reject(p, authority)
            return
        _review_and_procure(p, owner, authority, at, today)
        if target == "planned":
            _expert_review(p, authority)
    elif at("filed"):
        services.project_fire(project=_fresh(p), user=authority, name="issue_filing")
    if at("construction"):
        _build(p, owner, authority, target, today)
        if target == "construction" and p.is_fiscal:
            _conditions(p, owner, authority)
    _finish(spec, p, owner, at, today)
    if at("delivered") and p.is_fiscal:  # 第十三条第二款: the authority confirms receipt (备案号)
        services.acceptance_receive(project=_fresh(p), user=authority, note="材料齐全，予以备案")


def _reject(p: Project, authority: User) -> None:
    _findings(p, authority, fail=True)
    services.project_review_decide(
        project=_fresh(p),
        user=authority,
        passed=False,
        comment="与市级已建平台功能重复，且未明确信息资源共享方式",
    )


def _review_and_procure(p: Project, owner: User, authority: User, at: Any, today: dt.date) -> None:
    """第九条第二款 review and 第十一条 procurement of a fiscal project, as far as its target."""
    if at("reviewed"):
        _findings(p, authority)
        services.project_review_decide(
            project=_fresh(p),
            user=authority,
            passed=True,
            comment="同意建设",
            # a project still building carries two conditions (one verified, one returned: _conditions)
            conditions=CONDITIONS if at("construction") and not at("completed") else (),
            decided_on=today - dt.timedelta(days=290),  # before the contract (A9-2-CONTRACT-AFTER-REVIEW)
        )
    if at("procured"):
        if p.needs_outsourcing_review:
            services.outsourcing_review_record(project=p, user=authority, approved=True, opinion="同意外包")
        services.project_procurement_record(
            project=_fresh(p),
            user=owner,
            method="open_tender",
            notice_number=f"JLCG-{p.year}-{p.pk:04d}",
            supplier="吉林市华信科技有限公司",
            contract_amount=(p.budget * Decimal("0.92")).quantize(Decimal("0.01")),
            contract_date=today - dt.timedelta(days=280),
        )


def _build(p: Project, owner: User, authority: User, target: str, today: dt.date) -> None:
    """Construction (第十四条): progress, a payment, and for a fiscal project still building an inspection
    with an overdue finding."""
    services.project_fire(  # started after the contract, before payments and completion
        project=_fresh(p),
        user=owner,
        name="start_construction",
        payload={"started_on": (today - dt.timedelta(days=270)).isoformat()},
    )
    services.progress_report(
        project=_fresh(p),
        user=owner,
        percent=35 if target == "construction" else 100,
        reported_on=today - dt.timedelta(days=30),
    )
    if p.is_fiscal:
        share = Decimal("0.75") if target == "construction" else Decimal("0.6")
        services.disbursement_record(
            project=_fresh(p),
            user=owner,
            purpose="合同进度款",
            amount=(p.budget * Decimal("0.92") * share).quantize(Decimal("0.01")),
            paid_on=today - dt.timedelta(days=20),
        )
    if target == "construction" and p.is_fiscal:
        services.inspection_open(
            project=_fresh(p),
            user=authority,
            cosupervisors=list(
                Organisation.objects.filter(jurisdiction=p.jurisdiction).exclude(cosupervision="")
            ),
            summary="资金使用和建设进度检查",
            findings=[
                {
                    "text": "资金支付进度快于建设进度，部分款项无验收单据",
                    "due_date": (today - dt.timedelta(days=5)).isoformat(),
                }
            ],
        )


def _finish(spec: dict[str, Any], p: Project, owner: User, at: Any, today: dt.date) -> None:
    """Completion, test, acceptance and delivery (第十三条), as far as the project's target."""
    if at("completed"):
        completed_on = today - dt.timedelta(days=200 if spec.get("overdue_acceptance") else 20)
        services.project_fire(
            project=_fresh(p), user=owner, name="complete", payload={"completed_on": completed_on.isoformat()}
        )
    if at("tested"):
        codes = list(_fresh(p).standards.values_list("code", flat=True))
        services.project_fire(
            project=_fresh(p),
            user=owner,
            name="record_test",
            payload={
                "tester": "吉林省软件测评中心",
                "passed": True,
                "standards": codes,
                "tested_on": (today - dt.timedelta(days=15)).isoformat(),
            },
        )
    if at("accepted"):
        services.project_fire(
            project=_fresh(p),
            user=owner,
            name="accept",
            payload={
                "committee": ["王建国（组长）", "李红", "赵明"],
                "security_measures_built": MEASURES[:2],
                "security_evidence": f"等级保护测评报告 DJCP-{p.year}-{p.pk:04d}",
                "held_on": (today - dt.timedelta(days=10)).isoformat(),
            },
        )
    if at("delivered"):
        if p.is_fiscal:
            _file_acceptance(p, owner)
        services.project_fire(project=_fresh(p), user=owner, name="deliver")


CONDITIONS = (
    {"text": "接入市统一身份认证平台，不另建用户体系"},
    {"text": "数据资源目录报市信息化主管部门，按目录共享"},
)


def _conditions(p: Project, owner: User, authority: User) -> None:
    """第九条第二款: both conditions answered; the authority verifies the first and returns the second."""
    first, second = _fresh(p).conditions.order_by("pk")
    services.review_condition_answer(condition=first, user=owner, answer="已接入市统一身份认证平台")
    services.review_condition_answer(condition=second, user=owner, answer="已编制数据资源目录")
    services.review_condition_verify(condition=first, user=authority, comment="经核实已接入")
    services.review_condition_return(
        condition=second, user=authority, reason="目录尚未报送市信息化主管部门，请报送后再答复"
    )


def _file_acceptance(p: Project, owner: User) -> None:
    """第十三条第二款: the acceptance report uploaded, then filed with its summary."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from infogov.core.attachments import attachment_add

    text = f"{p.title}竣工验收报告\n验收结论：合格\n".encode()
    report = attachment_add(
        case=_fresh(p),
        user=owner,
        upload=SimpleUploadedFile("竣工验收报告.txt", text, content_type="text/plain"),
        purpose="验收报告",
    )
    services.acceptance_file(
        project=_fresh(p),
        user=owner,
        report={
            "organiser": owner.organisation.name if owner.organisation else "建设单位",
            "participants": ["王建国（组长）", "李红", "赵明", "市财政局"],
            "conclusion": "项目按批准的建设内容建成，测试通过，验收合格",
            "issues": "运维手册待补充，限一个月内提交",
            "attachments": [report.pk],
        },
    )


def _expert_review(p: Project, authority: User) -> None:
    """第九条第二款: two pool experts convened for a planned project's review; the first has given its
    opinion on the four dimensions, the second's is awaited (it is in their 待办)."""
    experts = list(User.objects.filter(username__in=("expert1", "expert2")).order_by("username"))
    if len(experts) != 2:
        return
    services.experts_convene(project=_fresh(p), user=authority, experts=experts)
    services.expert_opinion_give(
        project=_fresh(p),
        user=experts[0],
        opinion={
            "layout_conclusion": "meets",
            "layout_comment": "符合全市信息化发展规划布局，与市级平台衔接",
            "standards_conclusion": "meets",
            "standards_comment": "执行的强制性标准齐全",
            "security_conclusion": "conditions",
            "security_comment": "须在建设方案中明确第二级等级保护测评安排",
            "sharing_conclusion": "meets",
            "sharing_comment": "数据资源目录清楚，可按目录共享",
            "summary": "建议有条件通过",
        },
    )


def _findings(p: Project, authority: User, *, fail: bool = False) -> None:
    for d in ReviewDimension:
        if d == ReviewDimension.OTHER:
            continue
        hits = list(p.similar_hits.values_list("pk", flat=True)) if d == ReviewDimension.SHARING else []
        conclusion = (
            FindingConclusion.FAILS if fail and d == ReviewDimension.SHARING else FindingConclusion.MEETS
        )
        text = {
            "layout": "符合市信息化发展规划布局",
            "standards": "执行国家强制性标准",
            "security": "安全保障方案与项目同步规划",
            "sharing": "已核对相似项目，明确数据共享方式",
        }[d.value]
        if hits:
            text += "；查重发现的相似项目已逐一核对，功能不重复部分方可建设"
        services.review_finding_record(
            project=p,
            user=authority,
            dimension=d.value,
            conclusion=conclusion,
            text=text,
            acknowledged_hits=hits,
        )
