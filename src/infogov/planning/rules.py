"""The rules of 第五条至第七条 as checks: who approves and files which plan, what a plan rests on,
what consultation and expert review must have happened, and what an approved plan may not do.

Each rule reads a plan version (or, for the register rules, a plan) and the context; none writes.
Actor rules have codes starting with ROLE- so that a refusal is a 403 (not permitted), guards a 422.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from typing import Any

from infogov.core.workflow.rules import RuleContext, rule
from infogov.org.choices import AUTHORITY_ROLES, JurisdictionKind, OrganisationKind, Role
from infogov.org.models import Organisation
from infogov.org.selectors import authority_of, city, government_of

from .choices import PASSING_CONCLUSIONS, PlanLevel, PlanState

MIN_EXPERTS = 3
CONSULTATION_MIN_DAYS = 7  # platform policy for 广泛征求意见: a window of at least a week


# -- helpers (reads only) ----------------------------------------------------------------------------


def level_of(case: Any) -> str:
    return case.level if hasattr(case, "level") else case.plan.level


def approving_body(version: Any) -> Organisation:
    """第五条: city and local plans — their government (or zone committee); special plans — the owner."""
    if version.plan.level in (PlanLevel.CITY, PlanLevel.LOCAL):
        return government_of(version.jurisdiction)
    return version.owner


def filing_authority(version: Any) -> Organisation | None:
    """第五条第二款: local plans file with the city authority; 第五条第三款: special plans at their level."""
    level = version.plan.level
    if level == PlanLevel.LOCAL:
        return authority_of(city())
    if level == PlanLevel.SPECIAL:
        return authority_of(version.jurisdiction)
    return None


def in_force_version(plan: Any) -> Any:
    if plan is None:
        return None
    return plan.versions.filter(state=PlanState.IN_FORCE).order_by("-number").first()


def _roles_in(ctx: RuleContext, org_id: int | None) -> frozenset[str]:
    if ctx.user is None or org_id is None or not getattr(ctx.user, "is_authenticated", False):
        return frozenset()
    return ctx.user.scope.roles_by_org.get(org_id, frozenset())


def current_opinions(version: Any) -> list[Any]:
    return list(version.opinions.filter(round=version.review_round).select_related("expert"))


def owner_member_ids(version: Any) -> set[int]:
    from infogov.org.models import Membership

    ids = set(Membership.objects.filter(organisation_id=version.owner_id).values_list("user_id", flat=True))
    ids |= set(
        version.owner.members.values_list("id", flat=True)  # users whose home organisation it is
    )
    return ids


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


# -- 第五条: the register ------------------------------------------------------------------------


@rule("P5-1-OWNER", citation="第五条第一款", message="全市信息化发展规划由市信息化主管部门组织编制")
def city_plan_owned_by_city_authority(plan: Any, ctx: RuleContext) -> bool | None:
    """市信息化主管部门应当会同有关部门……组织编制全市信息化发展规划。"""
    if plan.level != PlanLevel.CITY:
        return None
    return (
        plan.jurisdiction.parent_id is None
        and plan.owner.kind == OrganisationKind.AUTHORITY
        and (plan.owner.jurisdiction_id == plan.jurisdiction_id)
    )


@rule(
    "P5-2-OWNER",
    citation="第五条第二款",
    message="县（市）、区和开发区信息化发展规划由本辖区信息化主管部门编制",
)
def local_plan_owned_by_local_authority(plan: Any, ctx: RuleContext) -> bool | None:
    """县（市）、区和开发区信息化主管部门应当会同有关部门……编制本辖区信息化发展规划。"""
    if plan.level != PlanLevel.LOCAL:
        return None
    return (
        plan.jurisdiction.kind != JurisdictionKind.CITY
        and plan.owner.kind == OrganisationKind.AUTHORITY
        and plan.owner.jurisdiction_id == plan.jurisdiction_id
    )


@rule("P5-3-OWNER", citation="第五条第三款", message="专项规划由本区域的有关部门编制")
def special_plan_owned_by_department(plan: Any, ctx: RuleContext) -> bool | None:
    """其他有关部门应当……编制本系统、本部门信息化发展专项规划。"""
    if plan.level != PlanLevel.SPECIAL:
        return None
    return (
        plan.owner.kind
        in (OrganisationKind.DEPARTMENT, OrganisationKind.PUBLIC_SERVICE, OrganisationKind.AUTHORITY)
        and plan.owner.jurisdiction_id == plan.jurisdiction_id
    )


@rule(
    "P5-1-BASIS",
    citation="第五条第一款",
    message="全市信息化发展规划须注明所依照的全市国民经济和社会发展规划及省信息化发展规划",
)
def city_plan_based_on_provincial(case: Any, ctx: RuleContext) -> bool | None:
    """……依照全市国民经济和社会发展规划和省信息化发展规划，组织编制全市信息化发展规划。"""
    plan = getattr(case, "plan", case)
    if plan.level != PlanLevel.CITY:
        return None
    return bool(plan.parent_reference.strip())


@rule("P5-2-BASIS", citation="第五条第二款", message="本辖区信息化发展规划须依照施行中的市信息化发展规划编制")
def local_plan_based_on_city_plan(case: Any, ctx: RuleContext) -> bool | str | None:
    """……依照本辖区国民经济和社会发展规划和市信息化发展规划，编制本辖区信息化发展规划。"""
    plan = getattr(case, "plan", case)
    if plan.level != PlanLevel.LOCAL:
        return None
    if plan.parent is None or plan.parent.level != PlanLevel.CITY:
        return "本辖区信息化发展规划须以市信息化发展规划为依据（请选择依据规划）"
    if in_force_version(plan.parent) is None:
        return f"所依据的《{plan.parent.title}》尚未施行"
    return True


@rule("P5-3-BASIS", citation="第五条第三款", message="专项规划须根据本区域施行中的信息化发展规划编制")
def special_plan_based_on_area_plan(case: Any, ctx: RuleContext) -> bool | str | None:
    """其他有关部门应当根据本区域信息化发展规划……编制本系统、本部门信息化发展专项规划。"""
    plan = getattr(case, "plan", case)
    if plan.level != PlanLevel.SPECIAL:
        return None
    expected = PlanLevel.CITY if plan.jurisdiction.parent_id is None else PlanLevel.LOCAL
    parent = plan.parent
    if parent is None or parent.level != expected or parent.jurisdiction_id != plan.jurisdiction_id:
        return "专项规划须以本区域（本级）信息化发展规划为依据（请选择依据规划）"
    if in_force_version(parent) is None:
        return f"所依据的《{parent.title}》尚未施行"
    return True


# -- 第五条: who approves, who receives the filing -------------------------------------------------


@rule("ROLE-P5-1-APPROVER", citation="第五条第一款", message="全市信息化发展规划须报市人民政府批准")
def approves_city_plan(case: Any, ctx: RuleContext) -> bool | None:
    """……组织编制全市信息化发展规划，报市人民政府批准后公布实施。"""
    if case.plan.level != PlanLevel.CITY:
        return None
    return Role.GOV_APPROVER in _roles_in(ctx, approving_body(case).pk)


@rule(
    "ROLE-P5-2-APPROVER",
    citation="第五条第二款",
    message="本辖区信息化发展规划须经本级人民政府或者开发区管委会批准",
)
def approves_local_plan(case: Any, ctx: RuleContext) -> bool | None:
    """……经本级人民政府或者开发区管委会批准后公布实施。"""
    if case.plan.level != PlanLevel.LOCAL:
        return None
    return Role.GOV_APPROVER in _roles_in(ctx, approving_body(case).pk)


@rule(
    "ROLE-P5-3-APPROVER",
    citation="第五条第三款",
    message="专项规划由编制部门负责人批准（主管部门为负责人，其他部门由经办人记录负责人签发）",
)
def approves_special_plan(case: Any, ctx: RuleContext) -> bool | None:
    """其他有关部门……编制本系统、本部门信息化发展专项规划 —— 由本部门领导批准后报备案。"""
    if case.plan.level != PlanLevel.SPECIAL:
        return None
    roles = _roles_in(ctx, case.owner_id)
    if case.owner.kind == OrganisationKind.AUTHORITY:
        return Role.AUTHORITY_LEADER in roles
    return Role.DEPT_STAFF in roles  # with the leader's sign-off recorded (P5-3-SIGNOFF)


@rule(
    "P5-3-SIGNOFF",
    citation="第五条第三款",
    message="部门专项规划须记录本部门负责人签发（姓名及签发文号）后方可批准",
)
def special_plan_signed_off(case: Any, ctx: RuleContext) -> bool | None:
    """专项规划代表本部门意志：批准须有本部门负责人的签发记录。"""
    if case.plan.level != PlanLevel.SPECIAL or case.owner.kind == OrganisationKind.AUTHORITY:
        return None
    return bool(str(ctx.payload.get("leader_signoff", "")).strip())


@rule("ROLE-P5-2-FILING", citation="第五条第二款", message="本辖区信息化发展规划报市信息化主管部门备案")
def receives_local_filing(case: Any, ctx: RuleContext) -> bool | None:
    """……并报市信息化主管部门备案。"""
    if case.plan.level != PlanLevel.LOCAL:
        return None
    authority = filing_authority(case)
    return bool(_roles_in(ctx, authority.pk if authority else None) & AUTHORITY_ROLES)


@rule("ROLE-P5-3-FILING", citation="第五条第三款", message="专项规划报本级人民政府信息化主管部门备案")
def receives_special_filing(case: Any, ctx: RuleContext) -> bool | None:
    """……编制本系统、本部门信息化发展专项规划，报本级人民政府信息化主管部门备案。"""
    if case.plan.level != PlanLevel.SPECIAL:
        return None
    authority = filing_authority(case)
    return bool(_roles_in(ctx, authority.pk if authority else None) & AUTHORITY_ROLES)


@rule(
    "P5-1-NO-FILING",
    citation="第五条第一款",
    message="全市信息化发展规划经市人民政府批准后公布实施，不办理备案",
)
def city_plan_not_filed(case: Any, ctx: RuleContext) -> bool:
    """……报市人民政府批准后公布实施。"""
    return case.plan.level != PlanLevel.CITY


@rule(
    "P5-3-NOT-PUBLISHED",
    citation="第五条第三款",
    message="部门专项规划报信息化主管部门备案，不在门户网站公布",
)
def special_plan_not_published(case: Any, ctx: RuleContext) -> bool:
    """其他有关部门……编制……专项规划，报本级人民政府信息化主管部门备案。"""
    return case.plan.level != PlanLevel.SPECIAL


@rule(
    "P5-2-PUBLISH-FIRST",
    citation="第五条第二款",
    message="本辖区信息化发展规划须先公布，再报市信息化主管部门备案",
)
def local_plan_published_before_filing(case: Any, ctx: RuleContext) -> bool | None:
    """……经本级人民政府或者开发区管委会批准后公布实施，并报市信息化主管部门备案。"""
    if case.plan.level != PlanLevel.LOCAL:
        return None
    return case.published_at is not None


@rule("P5-1-PUBLISHED", citation="第五条第一款", message="全市信息化发展规划须经批准并公布后方可实施")
def city_plan_published(case: Any, ctx: RuleContext) -> bool | None:
    """……报市人民政府批准后公布实施。"""
    if case.plan.level != PlanLevel.CITY:
        return None
    return case.approved_at is not None and case.published_at is not None


@rule("P5-2-FILED", citation="第五条第二款", message="本辖区信息化发展规划未报市信息化主管部门备案，不得施行")
def local_plan_filed(case: Any, ctx: RuleContext) -> bool | None:
    """……经本级人民政府或者开发区管委会批准后公布实施，并报市信息化主管部门备案。"""
    if case.plan.level != PlanLevel.LOCAL:
        return None
    return case.published_at is not None and case.filed_at is not None


@rule("P5-3-FILED", citation="第五条第三款", message="专项规划未报本级信息化主管部门备案，不得施行")
def special_plan_filed(case: Any, ctx: RuleContext) -> bool | None:
    """……编制本系统、本部门信息化发展专项规划，报本级人民政府信息化主管部门备案。"""
    if case.plan.level != PlanLevel.SPECIAL:
        return None
    return case.filed_at is not None


# -- 第六条第一款: consultation and expert review --------------------------------------------------


@rule(
    "P6-1-CONTENT",
    citation="第六条第一款",
    message="规划须列明发展目标和重点任务，每项任务须有责任单位、目标指标（数值和单位）和目标年度",
)
def has_goals_and_measurable_tasks(case: Any, ctx: RuleContext) -> bool | str:
    """……使信息化建设规模、建设水平同经济和社会发展水平相适应：目标和任务须可衡量。"""
    if not case.goals.exists():
        return "规划尚未列明发展目标"
    tasks = list(case.tasks.all())
    if not tasks:
        return "规划尚未列明重点任务"
    for t in tasks:
        if not (t.responsible_id and t.indicator and t.target_value is not None and t.unit and t.target_year):
            return f"任务“{t.text[:30]}”缺少责任单位、目标指标、数值、单位或目标年度"
        if not case.period_start <= t.target_year <= case.period_end:
            return f"任务“{t.text[:30]}”的目标年度 {t.target_year} 不在规划期 {case.period} 内"
    return True


@rule(
    "P6-1-WINDOW",
    citation="第六条第一款",
    message=f"征求意见须设定起止日期，期限不少于 {CONSULTATION_MIN_DAYS} 日，且不早于今天开始",
)
def consultation_window_valid(case: Any, ctx: RuleContext) -> bool | str:
    """编制信息化发展规划应当广泛征求意见。"""
    start = _parse_date(ctx.payload.get("start", case.consultation_start))
    end = _parse_date(ctx.payload.get("end", case.consultation_end))
    if start is None or end is None:
        return "请填写征求意见的开始日期和截止日期（YYYY-MM-DD）"
    if start < ctx.today:
        return "征求意见开始日期不能早于今天"
    if (end - start).days < CONSULTATION_MIN_DAYS:
        return f"征求意见期限不少于 {CONSULTATION_MIN_DAYS} 日"
    return True


@rule("P6-1-WINDOW-ENDED", citation="第六条第一款", message="征求意见期限届满前不能结束征求意见")
def consultation_window_ended(case: Any, ctx: RuleContext) -> bool:
    """编制信息化发展规划应当广泛征求意见：公众须有完整的征求意见期限。"""
    return case.consultation_end is not None and ctx.today > case.consultation_end


@rule(
    "P6-1-CONSULTED",
    citation="第六条第一款",
    message="征求意见尚未办结：须逐条答复并公布公众意见，形成征求意见情况说明后方可报批",
)
def consultation_closed(case: Any, ctx: RuleContext) -> bool | str:
    """编制信息化发展规划应当广泛征求意见。"""
    if case.consultation_end is None or ctx.today <= case.consultation_end:
        return "尚未完成征求意见（征求意见期限未届满）"
    unanswered = case.comments.filter(answer_published_at__isnull=True).count()
    if unanswered:
        return f"尚有 {unanswered} 条公众意见未答复或答复未公布"
    if not case.consultation_summary.strip():
        return "尚未形成征求意见情况说明"
    return True


@rule(
    "P6-1-EXPERT-COUNT",
    citation="第六条第一款",
    message=f"专家论证须有不少于 {MIN_EXPERTS} 名专家提交论证意见",
)
def enough_experts(case: Any, ctx: RuleContext) -> bool | str:
    """编制信息化发展规划应当……组织专家论证。"""
    n = len(current_opinions(case))
    return True if n >= MIN_EXPERTS else f"专家论证须有不少于 {MIN_EXPERTS} 名专家提交论证意见（现有 {n} 名）"


@rule(
    "P6-1-EXPERT-INDEPENDENT", citation="第六条第一款", message="论证专家须来自专家库，且不得是编制单位人员"
)
def experts_independent(case: Any, ctx: RuleContext) -> bool | str:
    """……组织专家论证：专家独立于编制单位。"""
    insiders = owner_member_ids(case)
    for op in current_opinions(case):
        if op.expert_id in insiders:
            return f"专家 {op.expert} 是编制单位人员，不能参加论证"
    return True


@rule(
    "P6-1-EXPERT-MAJORITY",
    citation="第六条第一款",
    message="专家论证未通过：多数专家的结论须为通过或修改后通过",
)
def experts_majority_pass(case: Any, ctx: RuleContext) -> bool | str | None:
    """……组织专家论证，使信息化建设规模、建设水平同经济和社会发展水平相适应。"""
    opinions = current_opinions(case)
    if not opinions:
        return None  # counted by P6-1-EXPERT-COUNT
    passed = sum(1 for op in opinions if op.conclusion in PASSING_CONCLUSIONS)
    return True if passed * 2 > len(opinions) else f"专家论证未通过（{passed}/{len(opinions)} 名专家通过）"


def is_expert_of_pool(user: Any) -> bool:
    return user.memberships.filter(role=Role.EXPERT, organisation__kind=OrganisationKind.EXPERT_POOL).exists()


# -- 第六条第二款: change control -------------------------------------------------------------------


@rule("P6-2-REASON", citation="第六条第二款", message="变更、调整经批准的规划须说明特殊情况")
def change_has_reason(case: Any, ctx: RuleContext) -> bool | None:
    """经批准的信息化发展规划不得擅自变更、调整。因特殊情况确需变更、调整的，应当按照原编制程序重新批准、备案。"""
    if case.supersedes_id is None:
        return None
    return bool(case.change_reason.strip())


# Set only while a successor enters into force: the predecessor is superseded as a consequence of
# that step, never on its own (an approved plan cannot be set aside except by the original procedure).
SUCCESSOR_IN_FORCE: contextvars.ContextVar[Any] = contextvars.ContextVar("planning_successor", default=None)


@rule(
    "ROLE-P6-2-SUPERSEDE",
    citation="第六条第二款",
    message="施行中的规划只能由按原编制程序重新批准、备案的新版本替代",
)
def superseded_by_successor(case: Any, ctx: RuleContext) -> bool:
    """因特殊情况确需变更、调整的，应当按照原编制程序重新批准、备案。"""
    successor = SUCCESSOR_IN_FORCE.get()
    return successor is not None and successor.supersedes_id == case.pk


@rule("P6-2-ONE-CHANGE", citation="第六条第二款", message="该规划已有正在办理的变更，不能重复发起")
def no_open_change(case: Any, ctx: RuleContext) -> bool:
    """因特殊情况确需变更、调整的，应当按照原编制程序重新批准、备案：一次一个变更。"""
    from .choices import APPROVED_STATES

    return not case.plan.versions.exclude(state__in=APPROVED_STATES).exists()


@rule("P6-2-FROZEN", citation="第六条第二款", message="经批准的信息化发展规划不得擅自变更、调整")
def not_frozen(case: Any, ctx: RuleContext) -> bool:
    """经批准的信息化发展规划不得擅自变更、调整。"""
    return not case.is_frozen


# -- 第七条: execution and assessment ----------------------------------------------------------------


@rule(
    "P7-SUPERVISED",
    citation="第七条",
    message="年度执行情况只针对施行中的县（市）区、开发区信息化发展规划和部门专项规划",
)
def execution_supervised(case: Any, ctx: RuleContext) -> bool:
    """市信息化主管部门应当对县（市）、区和开发区信息化发展规划以及有关部门信息化发展专项规划的年度执行情况进行监督检查。"""
    return case.plan.level in (PlanLevel.LOCAL, PlanLevel.SPECIAL) and case.state == PlanState.IN_FORCE


@rule(
    "ROLE-P7-CITY-AUTHORITY", citation="第七条", message="规划执行情况的监督检查和考核由市信息化主管部门负责"
)
def acts_as_city_authority(case: Any, ctx: RuleContext) -> bool:
    """市信息化主管部门应当……进行监督检查，检查结果纳入市人民政府年度绩效考核评价指标体系。"""
    if ctx.user is None or not getattr(ctx.user, "is_authenticated", False):
        return False
    return bool(_roles_in(ctx, authority_of(city()).pk) & AUTHORITY_ROLES)
