"""The rules of 第五条 as checks, with the reads they share with the rules of 第六条、第七条 (rules.py):
who owns, approves and files which plan, what a plan rests on, when it is published, filed and put in
force. Each rule reads a plan version (or, for the register rules, a plan) and the context; none
writes. Import them from rules.py, which re-exports every name here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import Rule, RuleContext, evaluate_all, not_audit_admin, rule
from infogov.org.choices import AUTHORITY_ROLES, JurisdictionKind, OrganisationKind, Role
from infogov.org.models import Organisation
from infogov.org.selectors import authority_of, city, government_of

from .choices import PlanLevel, PlanState

MAX_PLAN_PERIOD = 15  # platform policy: a plan period spans at most 15 years


# -- helpers (reads only) ----------------------------------------------------------------------------


def enforce(
    rules_: list[Rule], case: Any, *, user: Any, input: Any = None, today: dt.date | None = None
) -> None:
    """Check `rules_` for an act that is not a step of one plan version (registering a plan, sampling
    and scoring every plan of a year): 三员分立 first, then who may act (the first refusal is a 403 with
    its article), then the guards (a 422 with every failure and its article). The steps of a version
    are checked by the workflow engine itself."""
    ctx = RuleContext(user=user, input=input)
    if today is not None:
        ctx.today = today
    failures = evaluate_all([not_audit_admin, *(x for x in rules_ if x.is_actor)], case, ctx)
    if failures:
        first = failures[0]
        raise NotPermitted(
            first.message, code=first.code, article=first.citation, details=[f.as_dict() for f in failures]
        )
    failures = evaluate_all([x for x in rules_ if not x.is_actor], case, ctx)
    if failures:
        raise RuleViolation(failures)


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


def roles_in(ctx: RuleContext, org_id: int | None) -> frozenset[str]:
    if ctx.user is None or org_id is None or not getattr(ctx.user, "is_authenticated", False):
        return frozenset()
    return scope_of(ctx.user).roles_by_org.get(org_id, frozenset())


def current_opinions(version: Any) -> list[Any]:
    return list(version.opinions.filter(round=version.review_round).select_related("expert"))


def owner_member_ids(version: Any) -> set[int]:
    from infogov.org.models import Membership

    ids = set(Membership.objects.filter(organisation_id=version.owner_id).values_list("user_id", flat=True))
    ids |= set(
        version.owner.members.values_list("id", flat=True)  # users whose home organisation it is
    )
    return ids


# -- 第五条: the register ------------------------------------------------------------------------


@rule("A5-1-OWNER", citation="第五条第一款", message="全市信息化发展规划由市信息化主管部门组织编制")
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
    "A5-2-OWNER",
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


@rule("A5-3-OWNER", citation="第五条第三款", message="专项规划由本区域的有关部门编制")
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
    "A5-PERIOD",
    citation="第五条",
    message=f"规划期无效：起始年不得晚于终止年，跨度不超过 {MAX_PLAN_PERIOD} 年",
    summary="规划期起止年份合理（平台规定）",
)
def period_valid(case: Any, ctx: RuleContext) -> bool:
    """市、县（市）、区……编制信息化发展规划：规划有明确的规划期（起止年份，平台规定最长十五年）。"""
    given = ctx.input
    start = given.period_start if given.period_start is not None else getattr(case, "period_start", None)
    end = given.period_end if given.period_end is not None else getattr(case, "period_end", None)
    if start is None or end is None:
        return False
    return start <= end <= start + MAX_PLAN_PERIOD


@rule(
    "A5-1-BASIS",
    citation="第五条第一款",
    message="全市信息化发展规划须注明所依照的全市国民经济和社会发展规划及省信息化发展规划",
)
def city_plan_based_on_provincial(case: Any, ctx: RuleContext) -> bool | None:
    """……依照全市国民经济和社会发展规划和省信息化发展规划，组织编制全市信息化发展规划。"""
    plan = getattr(case, "plan", case)
    if plan.level != PlanLevel.CITY:
        return None
    return bool(plan.parent_reference.strip())


@rule("A5-2-BASIS", citation="第五条第二款", message="本辖区信息化发展规划须依照施行中的市信息化发展规划编制")
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


@rule("A5-3-BASIS", citation="第五条第三款", message="专项规划须根据本区域施行中的信息化发展规划编制")
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


@rule("A5-1-APPROVER", citation="第五条第一款", message="全市信息化发展规划须报市人民政府批准", actor=True)
def approves_city_plan(case: Any, ctx: RuleContext) -> bool | None:
    """……组织编制全市信息化发展规划，报市人民政府批准后公布实施。"""
    if case.plan.level != PlanLevel.CITY:
        return None
    return Role.GOV_APPROVER in roles_in(ctx, approving_body(case).pk)


@rule(
    "A5-2-APPROVER",
    citation="第五条第二款",
    message="本辖区信息化发展规划须经本级人民政府或者开发区管委会批准",
    actor=True,
)
def approves_local_plan(case: Any, ctx: RuleContext) -> bool | None:
    """……经本级人民政府或者开发区管委会批准后公布实施。"""
    if case.plan.level != PlanLevel.LOCAL:
        return None
    return Role.GOV_APPROVER in roles_in(ctx, approving_body(case).pk)


@rule(
    "A5-3-APPROVER",
    citation="第五条第三款",
    message="专项规划由编制部门（本单位）负责人批准（本级信息化主管部门编制的由其负责人批准，其他部门由经办人记录负责人签发）",
    actor=True,
)
def approves_special_plan(case: Any, ctx: RuleContext) -> bool | None:
    """其他有关部门……编制本系统、本部门信息化发展专项规划 —— 由本部门领导批准后报备案。"""
    if case.plan.level != PlanLevel.SPECIAL:
        return None
    roles = roles_in(ctx, case.owner_id)
    if case.owner.kind == OrganisationKind.AUTHORITY:
        return Role.AUTHORITY_LEADER in roles
    return Role.DEPT_STAFF in roles  # with the leader's sign-off recorded (P5-3-SIGNOFF)


@rule(
    "A5-3-SIGNOFF",
    citation="第五条第三款",
    message="部门专项规划须记录本部门负责人签发（姓名及签发文号）后方可批准",
)
def special_plan_signed_off(case: Any, ctx: RuleContext) -> bool | None:
    """专项规划代表本部门意志：批准须有本部门负责人的签发记录。"""
    if case.plan.level != PlanLevel.SPECIAL or case.owner.kind == OrganisationKind.AUTHORITY:
        return None
    # the step's typed input (ApproveIn): before it is given explain() offers the form with this field
    return bool(ctx.input.leader_signoff.strip())


@rule(
    "A5-2-FILING", citation="第五条第二款", message="本辖区信息化发展规划报市信息化主管部门备案", actor=True
)
def receives_local_filing(case: Any, ctx: RuleContext) -> bool | None:
    """……并报市信息化主管部门备案。"""
    if case.plan.level != PlanLevel.LOCAL:
        return None
    authority = filing_authority(case)
    return bool(roles_in(ctx, authority.pk if authority else None) & AUTHORITY_ROLES)


@rule("A5-3-FILING", citation="第五条第三款", message="专项规划报本级人民政府信息化主管部门备案", actor=True)
def receives_special_filing(case: Any, ctx: RuleContext) -> bool | None:
    """……编制本系统、本部门信息化发展专项规划，报本级人民政府信息化主管部门备案。"""
    if case.plan.level != PlanLevel.SPECIAL:
        return None
    authority = filing_authority(case)
    return bool(roles_in(ctx, authority.pk if authority else None) & AUTHORITY_ROLES)


@rule(
    "A5-1-NO-FILING",
    citation="第五条第一款",
    message="全市信息化发展规划经市人民政府批准后公布实施，不办理备案",
)
def city_plan_not_filed(case: Any, ctx: RuleContext) -> bool:
    """……报市人民政府批准后公布实施。"""
    return case.plan.level != PlanLevel.CITY


@rule(
    "A5-3-NOT-PUBLISHED",
    citation="第五条第三款",
    message="部门专项规划报信息化主管部门备案，不在门户网站公布",
)
def special_plan_not_published(case: Any, ctx: RuleContext) -> bool:
    """其他有关部门……编制……专项规划，报本级人民政府信息化主管部门备案。"""
    return case.plan.level != PlanLevel.SPECIAL


@rule(
    "A5-2-PUBLISH-FIRST",
    citation="第五条第二款",
    message="本辖区信息化发展规划须先公布，再报市信息化主管部门备案",
)
def local_plan_published_before_filing(case: Any, ctx: RuleContext) -> bool | None:
    """……经本级人民政府或者开发区管委会批准后公布实施，并报市信息化主管部门备案。"""
    if case.plan.level != PlanLevel.LOCAL:
        return None
    return case.published_at is not None


@rule("A5-1-PUBLISHED", citation="第五条第一款", message="全市信息化发展规划须经批准并公布后方可实施")
def city_plan_published(case: Any, ctx: RuleContext) -> bool | None:
    """……报市人民政府批准后公布实施。"""
    if case.plan.level != PlanLevel.CITY:
        return None
    return case.approved_at is not None and case.published_at is not None


@rule("A5-2-FILED", citation="第五条第二款", message="本辖区信息化发展规划未报市信息化主管部门备案，不得施行")
def local_plan_filed(case: Any, ctx: RuleContext) -> bool | None:
    """……经本级人民政府或者开发区管委会批准后公布实施，并报市信息化主管部门备案。"""
    if case.plan.level != PlanLevel.LOCAL:
        return None
    return case.published_at is not None and case.filed_at is not None


@rule("A5-3-FILED", citation="第五条第三款", message="专项规划未报本级信息化主管部门备案，不得施行")
def special_plan_filed(case: Any, ctx: RuleContext) -> bool | None:
    """……编制本系统、本部门信息化发展专项规划，报本级人民政府信息化主管部门备案。"""
    if case.plan.level != PlanLevel.SPECIAL:
        return None
    return case.filed_at is not None
