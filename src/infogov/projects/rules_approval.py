"""The rules of 《吉林市信息化促进办法》 that guard a project up to its approval or filing, in article order:
第三条 (funding), 第四条 (who registers, who edits), 第六条 (duplicate construction), 第九条 (the
annual plan and the review) and 第十条 (filing of non-fiscal projects), with the helpers every rule
module of the app uses (``given``, ``require``). Import them from rules.py, which re-exports every
name here; conventions as in rules.py.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.workflow.experts import pool_refusal
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import (
    InputNotGiven,
    Rule,
    RuleContext,
    approves_for_government_of,
    evaluate_all,
    not_audit_admin,
    rule,
)

from .choices import MANDATORY_DIMENSIONS, ConditionStatus, FindingConclusion, PlanState, ReviewDimension

CREATOR_ROLES = ("dept_staff", "authority_staff", "authority_leader")


def given(ctx: RuleContext) -> Any:
    """The step's typed input. A rule that reads it cannot be judged where there is none yet (explain(),
    a context built without input): it passes for now and is judged when the step is taken."""
    if ctx.input is None:
        raise InputNotGiven("input")
    return ctx.input


def require(subject: Any, ctx: RuleContext, *rules_: Rule) -> None:
    """Refuse with the failing rules (an actor rule first: a 403; otherwise a 422 with every failing
    rule's article) — for what is not a step of a workflow (registering a project, opening a plan);
    steps are refused by the workflow core from their declared actors and guards."""
    failures = evaluate_all([not_audit_admin, *rules_], subject, ctx)
    if not failures:
        return
    actor = [f for f in failures if f.actor]
    if actor:
        first = actor[0]
        raise NotPermitted(
            first.message, code=first.code, article=first.citation, details=[f.as_dict() for f in actor]
        )
    raise RuleViolation(failures)


# -- 第三条: funding ---------------------------------------------------------------------------------


@rule(
    "A3-FUNDING",
    citation="第三条",
    message="财政性资金项目须写明列入的财政预算（预算来源）且预算金额大于零",
    summary="财政性资金项目写明所列预算和专项资金",
)
def funding_declared(project: Any, ctx: RuleContext) -> bool | str:
    """市、县（市）、区人民政府和开发区管委会应当……安排信息化发展专项资金，并纳入财政预算。"""
    if project.is_fiscal and not project.budget_source.strip():
        return "使用财政性资金的项目须写明列入哪一级、哪一年度的财政预算"
    if not project.is_fiscal and not project.funding_source.strip():
        return "使用非财政性资金的项目须写明资金来源"
    return (project.budget is not None and project.budget > 0) or "预算金额须大于零"


# -- 第四条: who registers, who plans ----------------------------------------------------------------


@rule(
    "A4-OWN-UNIT",
    citation="第四条第一款",
    message="只能以本单位作为建设单位登记项目",
    summary="建设单位的经办人为本单位登记项目",
    actor=True,
)
def registers_for_own_unit(owner: Any, ctx: RuleContext) -> bool:
    """责任单位对本单位事项负责；其他单位不得代为办理。（subject: the organisation named as 建设单位）"""
    return owner is not None and owner.pk in scope_of(ctx.user).org_ids_with_role(*CREATOR_ROLES)


@rule(
    "A4-EDITOR",
    citation="第四条第一款",
    message="只有建设单位或项目所在辖区的本级信息化主管部门的经办人才能修改项目",
    summary="项目内容由建设单位或本级主管部门修改",
    actor=True,
)
def acts_as_editor(project: Any, ctx: RuleContext) -> bool:
    """责任单位对本单位事项负责；信息化主管部门负责本辖区内信息化建设工作的……监督管理。"""
    return scope_of(ctx.user).can_change(project)


@rule(
    "A4-2-STANDARDS",
    citation="第四条第二款",
    message="只有信息化主管部门（市或县（市）、区、开发区本级）才能维护标准目录",
    summary="标准目录由信息化主管部门维护",
    actor=True,
)
def maintains_standards_catalogue(subject: Any, ctx: RuleContext) -> bool:
    """信息化主管部门……负责本行政区域内信息化建设工作的规划、指导、协调和监督管理：what projects must
    follow (第十二条) is listed by an authority of its own level, not by the departments that build."""
    user = ctx.user
    return bool(getattr(user, "is_authenticated", False) and user.is_authority)


# -- 第九条第二款 (with 第六条's aim): duplicate construction ------------------------------------


@rule(
    "A9-2-DUPLICATES",
    citation="第九条第二款",
    message="信息资源共享评审意见尚未回应查重发现的相似项目或系统，请在“信息资源共享”评审意见中逐一回应",
    summary="评审须回应相似项目，避免重复建设",
)
def duplicates_acknowledged(project: Any, ctx: RuleContext) -> bool | str:
    """列入年度计划的信息化工程项目应当由信息化主管部门对其……信息资源共享以及其他相关内容进行评审，
    提出审查意见。（项目评审的依据是第九条第二款；第六条第一款“避免盲目投资和重复建设”是对编制规划的
    要求，查重把这一目的带到项目评审中，但不是项目评审的条款。）"""
    pending = project.similar_hits.filter(acknowledged=False).count()
    return pending == 0 or f"尚有 {pending} 个相似项目或系统未在信息资源共享评审意见中回应"


@rule(
    "A9-2-ACK-IN-SHARING",
    citation="第九条第二款",
    message="相似项目只能在“信息资源共享”评审意见中回应",
    summary="相似项目在信息资源共享评审意见中回应",
)
def acknowledged_in_sharing(project: Any, ctx: RuleContext) -> bool:
    """……对其规划布局、技术标准、网络与信息安全、信息资源共享……进行评审。（相似项目由信息资源共享方面的
    评审意见回应）"""
    return not given(ctx).acknowledged_hits or given(ctx).dimension == ReviewDimension.SHARING


# -- 第九条: annual plan and review --------------------------------------------------------------------


@rule(
    "A9-1-FISCAL",
    citation="第九条第一款",
    message="只有使用财政性资金的项目才列入年度建设计划；非财政性资金项目请办理备案",
    summary="年度计划只收使用财政性资金的项目",
)
def is_fiscal_project(project: Any, ctx: RuleContext) -> bool:
    """信息化主管部门应当组织编制使用财政性资金的信息化工程项目建设年度计划……"""
    return project.is_fiscal


@rule(
    "A9-1-PLAN-AUTHORITY",
    citation="第九条第一款",
    message="只有本级信息化主管部门才能编制本辖区的年度建设计划；市信息化主管部门不代县（市）、区和开发区编制",
    summary="年度计划由本级信息化主管部门编制",
    actor=True,
)
def plans_for_own_jurisdiction(jurisdiction: Any, ctx: RuleContext) -> bool:
    """信息化主管部门应当组织编制使用财政性资金的信息化工程项目建设年度计划，并报本级人民政府或者开发区管委会批准。
    （subject: the jurisdiction）

    本级: the plan goes to 本级人民政府或者开发区管委会, so it is compiled by the authority of that same
    level — every city, county, county-level city, district and zone has its own (第四条第二款). The city
    authority supervises (第四条第一款) but does not compile a lower level's plan."""
    return jurisdiction is not None and scope_of(ctx.user).is_own_authority_of(jurisdiction.pk)


@rule(
    "A9-1-ONE-PLAN",
    citation="第九条第一款",
    message="本辖区该年度的建设计划已存在，请在已有的计划中增列项目",
    summary="一个辖区一个年度编制一份年度计划",
)
def no_plan_yet(jurisdiction: Any, ctx: RuleContext) -> bool | str:
    """信息化主管部门应当组织编制……建设年度计划。（一个辖区每年一份年度计划；subject: the jurisdiction）"""
    from .models import AnnualConstructionPlan

    year = ctx.payload.get("year")
    if AnnualConstructionPlan.objects.filter(jurisdiction=jurisdiction, year=year).exists():
        return f"{jurisdiction}{year}年度建设计划已存在，请在已有的计划中增列项目"
    return True


@rule(
    "A9-1-PLAN-OPEN",
    citation="第九条第一款",
    message="只能列入本辖区编制中的年度建设计划",
    summary="项目列入本辖区、编制中的年度计划",
)
def plan_open_for_inclusion(project: Any, ctx: RuleContext) -> bool | str:
    """信息化主管部门应当组织编制……年度计划，并报本级人民政府或者开发区管委会批准。
    已报批或已批准的计划不再增列项目：增列须重新报批。"""
    from .models import AnnualConstructionPlan

    plan = AnnualConstructionPlan.objects.filter(pk=given(ctx).plan_id).first()
    if plan is None:
        return "所选年度计划不存在"
    if plan.jurisdiction_id != project.jurisdiction_id:
        return "项目只能列入所在辖区的年度建设计划"
    if plan.state != PlanState.DRAFTING:
        return "该年度计划已报批或已批准，不能再增列项目"
    return True


@rule(
    "A9-1-PLAN-YEAR",
    citation="第九条第一款",
    message="项目只能列入其建设年度的年度建设计划",
    summary="某年度的项目列入该年度的年度计划",
)
def plan_of_the_project_year(project: Any, ctx: RuleContext) -> bool | str | None:
    """信息化主管部门应当组织编制使用财政性资金的信息化工程项目建设年度计划……

    A 建设年度计划 is the plan of one year: a project to be built in year Y belongs to the plan of year
    Y, not to another year's (whose budget and approval are that year's)."""
    from .models import AnnualConstructionPlan

    plan = AnnualConstructionPlan.objects.filter(pk=given(ctx).plan_id).first()
    if plan is None:
        return None  # A9-1-PLAN-OPEN says the plan does not exist
    if plan.year != project.year:
        return f"项目建设年度为 {project.year} 年，不能列入 {plan.year} 年度建设计划"
    return True


@rule(
    "A9-1-PLAN-NONEMPTY",
    citation="第九条第一款",
    message="年度计划中没有项目，不能报批",
    summary="年度计划列有项目方可报批",
)
def plan_has_projects(plan: Any, ctx: RuleContext) -> bool:
    """信息化主管部门应当组织编制使用财政性资金的信息化工程项目建设年度计划，并报本级人民政府或者开发区管委会批准。"""
    return plan.projects.exists()


@rule(
    "A9-1-GOVERNMENT",
    citation="第九条第一款",
    message=(
        "第九条第一款：年度建设计划报本级人民政府或者开发区管委会批准，"
        "只有计划所在辖区的人民政府（管委会）审批人员才能批准或退回，上级人民政府不能代为批准"
    ),
    summary="年度计划由本级人民政府或开发区管委会批准（上级人民政府不代批）",
    actor=True,
)
def acts_as_plan_government(plan: Any, ctx: RuleContext) -> bool:
    """信息化主管部门应当组织编制使用财政性资金的信息化工程项目建设年度计划，并报本级人民政府或者开发区管委会批准。"""
    return approves_for_government_of(ctx, plan.jurisdiction_id)


@rule(
    "A9-1-PLAN-APPROVED",
    citation="第九条第一款",
    message="项目所在的年度建设计划尚未经本级人民政府（管委会）批准，不能进行下一步",
    summary="未列入经批准的年度计划的项目不得推进",
)
def plan_approved(project: Any, ctx: RuleContext) -> bool:
    """……年度计划，并报本级人民政府或者开发区管委会批准。"""
    return project.annual_plan_id is not None and project.annual_plan.state == PlanState.APPROVED


@rule(
    "A9-2-DIMENSIONS",
    citation="第九条第二款",
    message="评审须对规划布局、技术标准、网络与信息安全、信息资源共享逐项提出意见",
    summary="评审覆盖四个法定方面",
)
def four_dimensions_reviewed(project: Any, ctx: RuleContext) -> bool | str:
    """列入年度计划的信息化工程项目应当由信息化主管部门对其规划布局、技术标准、网络与信息安全、
    信息资源共享以及其他相关内容进行评审，提出审查意见。"""
    done = set(project.findings.values_list("dimension", flat=True))
    missing = [str(ReviewDimension(d).label) for d in MANDATORY_DIMENSIONS if d not in done]
    return not missing or "尚未提出评审意见的方面：" + "、".join(missing)


@rule(
    "A9-2-FINDINGS-PASS",
    citation="第九条第二款",
    message="有评审意见为“不符合”的方面，审查不能通过",
    summary="各方面均符合（或附条件）方可通过",
)
def findings_allow_pass(project: Any, ctx: RuleContext) -> bool | str:
    """……提出审查意见。符合规定的方可按照建设项目程序办理相关手续。"""
    conclusions = dict(project.findings.values_list("dimension", "conclusion"))
    failing = [str(ReviewDimension(d).label) for d, c in conclusions.items() if c == FindingConclusion.FAILS]
    if failing:
        return "以下方面评审为不符合，审查不能通过：" + "、".join(failing)
    return True


@rule(
    "A9-2-CONDITIONS-LISTED",
    citation="第九条第二款",
    message="有评审意见为“有条件符合”，须在审查意见中列明整改条件",
    summary="有条件符合的，审查意见列明条件",
)
def conditions_listed(project: Any, ctx: RuleContext) -> bool:
    """……提出审查意见。（评审为有条件符合的，审查意见须写明所附条件，由建设单位落实）"""
    if given(ctx).conditions:
        return True
    return not project.findings.filter(conclusion=FindingConclusion.CONDITIONS).exists()


@rule(
    "A9-2-REVIEW-PASSED",
    citation="第九条第二款",
    message="项目未经信息化主管部门评审通过，不能办理采购等建设手续",
    summary="审查通过后方可办理建设项目手续",
)
def review_passed(project: Any, ctx: RuleContext) -> bool:
    """……提出审查意见。符合规定的方可按照建设项目程序办理相关手续。"""
    return hasattr(project, "review") and project.review.passed


def review_day(project: Any) -> Any:
    """The day the review opinion was given (None before a review)."""
    from django.utils import timezone

    review = getattr(project, "review", None) if hasattr(project, "review") else None
    return timezone.localdate(review.decided_at) if review is not None else None


@rule(
    "A9-2-CONTRACT-AFTER-REVIEW",
    citation="第九条第二款",
    message="采购合同签订日期早于审查意见作出日期：须经评审符合规定后方可办理采购等建设手续",
    summary="审查通过后方签订采购合同",
)
def contract_after_review(project: Any, ctx: RuleContext) -> bool | str | None:
    """……提出审查意见。符合规定的方可按照建设项目程序办理相关手续。

    A contract signed before the review opinion was a procedure taken before the project was found to
    meet the rules — the order the clause forbids."""
    signed = given(ctx).contract_date or ctx.today
    decided = review_day(project)
    if decided is None:
        return None  # no review: A9-2-REVIEW-PASSED refuses
    if signed < decided:
        return f"合同签订日期 {signed.isoformat()} 早于审查意见作出日期 {decided.isoformat()}，请核对"
    return True


@rule(
    "A9-2-CONDITION-OPEN",
    citation="第九条第二款",
    message="该条件已答复，待信息化主管部门核实（或已核实）；被退回的条件方可重新答复",
    summary="每项审查条件答复一次，被退回的重新答复",
)
def condition_open(project: Any, ctx: RuleContext) -> bool | None:
    """……提出审查意见。（建设单位逐项答复审查意见所附条件，答复记入案卷后不再改写；主管部门退回的，重新落实后再答复）"""
    condition = project.conditions.filter(pk=given(ctx).condition_id).first()
    if condition is None:
        return None  # not a condition of this project: the step answers 404
    return condition.status in (ConditionStatus.OPEN, ConditionStatus.RETURNED)


@rule(
    "A9-2-CONDITIONS-ANSWERED",
    citation="第九条第二款",
    message="审查意见所附条件尚未全部经信息化主管部门核实落实，不能验收",
    summary="审查条件经主管部门核实落实后方可验收",
)
def review_conditions_answered(project: Any, ctx: RuleContext) -> bool | str:
    """……提出审查意见。符合规定的方可按照建设项目程序办理相关手续。（审查条件须落实，以主管部门核实为准）"""
    counts: dict[str, int] = {}
    unverified = project.conditions.exclude(status=ConditionStatus.VERIFIED)
    for status in unverified.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    if not counts:
        return True
    parts = "、".join(f"{n} 项{ConditionStatus(s).label}" for s, n in sorted(counts.items()))
    return f"尚有 {sum(counts.values())} 项审查条件未经主管部门核实落实（{parts}）"


# -- 第九条第二款: expert review of a project ----------------------------------------------------------


def owner_member_ids(project: Any) -> set[int]:
    from infogov.org.models import Membership

    return set(Membership.objects.filter(organisation_id=project.owner_id).values_list("user_id", flat=True))


@rule(
    "A9-2-EXPERT-POOL",
    citation="第九条第二款",
    message="评审专家须来自专家库，且不得是建设单位的人员",
    summary="评审专家来自专家库并回避建设单位",
)
def experts_from_pool(project: Any, ctx: RuleContext) -> bool | str:
    """列入年度计划的信息化工程项目应当由信息化主管部门……进行评审，提出审查意见。
    （主管部门可以邀请专家库专家参加评审；与建设单位有关的专家回避）"""
    return pool_refusal(given(ctx).experts, owner_member_ids(project)) or True


@rule(
    "A9-2-EXPERT-DUE",
    citation="第九条第二款",
    message="专家提交评审意见的期限不得早于邀请之日",
    summary="专家评审期限在邀请之后",
)
def expert_due_not_past(project: Any, ctx: RuleContext) -> bool:
    """……进行评审，提出审查意见。（专家须有提交意见的时间）"""
    due = given(ctx).due_date
    return due is None or due >= ctx.today


def _seat(project: Any, user_id: Any) -> Any:
    return project.expert_reviews.filter(expert_id=user_id).first()


@rule(
    "A9-2-EXPERT-OPINION-ONCE",
    citation="第九条第二款",
    message="您已提交本项目的评审意见（或主管部门已记录您未提交的原因），不能再次提交",
    summary="每位专家提交一次评审意见",
)
def expert_opinion_open(project: Any, ctx: RuleContext) -> bool:
    """……进行评审，提出审查意见。（每位受邀专家出具一份评审意见，记入案卷后不再改写）"""
    seat = _seat(project, getattr(ctx.user, "pk", None))
    return seat is not None and not seat.settled


@expert_opinion_open.as_query
def _opinion_awaited(user: Any, model: Any) -> Q:
    from .models import ProjectExpertReview

    seats = ProjectExpertReview.objects.filter(
        project=OuterRef("pk"),
        expert_id=getattr(user, "pk", None),
        submitted_at__isnull=True,
        missing_reason="",
    )
    return Q(Exists(seats))


@rule(
    "A9-2-EXPERT-MISSING",
    citation="第九条第二款",
    message="只能为已邀请、尚未提交意见的专家记录未提交的原因",
    summary="记录专家未提交意见的原因",
)
def expert_missing_applies(project: Any, ctx: RuleContext) -> bool | str:
    """……进行评审，提出审查意见。（受邀专家未提交意见的，主管部门说明原因后作出审查意见）"""
    seat = _seat(project, given(ctx).expert_id)
    if seat is None:
        return "该用户不是本项目邀请的评审专家"
    if seat.submitted_at is not None:
        return "该专家已提交评审意见"
    return not seat.missing_reason or "已记录该专家未提交意见的原因"


@rule(
    "A9-2-EXPERTS-HEARD",
    citation="第九条第二款",
    message="已邀请专家评审的，须全部专家提交评审意见（或记录未提交的原因）后，方可作出审查意见",
    summary="审查意见在受邀专家的意见齐备后作出",
)
def experts_heard(project: Any, ctx: RuleContext) -> bool | str:
    """……由信息化主管部门对其规划布局、技术标准、网络与信息安全、信息资源共享以及其他相关内容进行评审，
    提出审查意见。（邀请专家评审的，审查意见以全部专家的意见为依据）"""
    waiting = [
        s.expert.display_name
        for s in project.expert_reviews.select_related("expert")
        if s.submitted_at is None and not s.missing_reason
    ]
    return not waiting or "以下专家尚未提交评审意见：" + "、".join(waiting)


# -- 第九条第二款: the conditions of a conditional pass, verified by the authority ---------------------


@rule(
    "A9-2-CONDITION-TO-VERIFY",
    citation="第九条第二款",
    message="只能核实或退回建设单位已答复、尚未核实的审查条件",
    summary="主管部门核实已答复的审查条件",
)
def condition_awaits_verification(project: Any, ctx: RuleContext) -> bool | str | None:
    """……提出审查意见。符合规定的方可按照建设项目程序办理相关手续。（审查条件的落实情况由主管部门核实）"""
    condition = project.conditions.filter(pk=given(ctx).condition_id).first()
    if condition is None:
        return None  # not a condition of this project: the step answers 404
    if condition.status == ConditionStatus.ANSWERED:
        return True
    return f"该条件当前为“{ConditionStatus(condition.status).label}”，不能核实或退回"


@condition_awaits_verification.as_query
def _conditions_to_verify(user: Any, model: Any) -> Q:
    from .models import ReviewCondition

    waiting = ReviewCondition.objects.filter(project=OuterRef("pk"), status=ConditionStatus.ANSWERED)
    return Q(Exists(waiting))
