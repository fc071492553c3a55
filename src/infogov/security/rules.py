"""The rules of information security, in article order: 第三十条第一款 (responsibility, classified
protection, risk assessment, backups, emergency plans), 第三十条第二款 (incidents), 第三十一条第二款 (telecom
security plans filed with the city authority), 第三十二条 (the city authority's inspections).

A rule reads the case and the step's typed input; it never writes. Actor rules (who may act) name the
level: the unit itself (本单位), or 市信息化主管部门."""

from __future__ import annotations

from typing import Any

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import RuleContext, evaluate_all, not_audit_admin, rule
from infogov.org.choices import OrganisationKind, Role
from infogov.org.models import Organisation

from .choices import HIGH_RISK, RESULT_FLOOR, DangerStatus, SystemState, Treatment, matrix_level
from .models import Finding, HiddenDanger, InformationSystem, Risk

STAFF_ROLES = (Role.DEPT_STAFF, Role.AUTHORITY_STAFF, Role.AUTHORITY_LEADER)


def require(subject: Any, ctx: RuleContext, *rules_: Any) -> None:
    """Refuse with the failing rules (an actor rule first: a 403; otherwise a 422 naming each article) —
    for what is not a step of a workflow (registering a system, opening an incident, planning an
    inspection); steps are refused by the workflow core from their declared actors and guards."""
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


def is_city_authority(user: Any) -> bool:
    """The user acts for 市信息化主管部门 (the authority of the city itself, not of a county or district)."""
    if not getattr(user, "is_authenticated", False):
        return False
    ids = scope_of(user).org_ids_with_role(Role.AUTHORITY_STAFF, Role.AUTHORITY_LEADER)
    return (
        bool(ids)
        and Organisation.objects.filter(
            pk__in=ids, kind=OrganisationKind.AUTHORITY, jurisdiction__parent__isnull=True
        ).exists()
    )


# -- 第三十条第一款 ----------------------------------------------------------------------------------


@rule(
    "A30-1-OWN-UNIT",
    citation="第三十条第一款",
    message="只能由本单位（信息系统的所属单位）的经办人登记本单位的信息系统和安全责任制",
    actor=True,
)
def registers_for_own_unit(owner: Any, ctx: RuleContext) -> bool:
    """信息网络与信息系统的所属单位或者运行维护单位应当建立信息安全保障工作责任制：本单位登记，本单位负责。"""
    return owner is not None and owner.pk in scope_of(ctx.user).org_ids_with_role(*STAFF_ROLES)


@rule("A30-1-NOT-FUTURE", citation="第三十条第一款", message="记录的日期不能晚于今天，请填写实际发生的日期")
def act_not_in_future(case: Any, ctx: RuleContext) -> bool:
    """……定期进行信息安全风险评估……：登记的是已经完成的定级、评审、备案、测评、评估、演练。"""
    return ctx.act_date is None or ctx.act_date <= ctx.today


@rule(
    "A30-1-GRADING",
    citation="第三十条第一款",
    message=(
        "拟定的安全保护等级低于 GB/T 22240-2020 定级矩阵给出的等级；请按矩阵定级，或经专家评审后说明理由调整"
    ),
)
def level_not_below_matrix(case: Any, ctx: RuleContext) -> bool | str:
    """……实行信息安全等级保护：等级由受侵害客体和侵害程度确定（GB/T 22240-2020 表1），不得自行降低。"""
    given = matrix_level(ctx.input.object_harmed, ctx.input.harm_degree)
    if ctx.input.declared_level < given:
        return (
            f"按受侵害客体和侵害程度，定级矩阵给出第{given}级，拟定的第{ctx.input.declared_level}级低于它；"
            "请按矩阵定级，或在专家评审中说明理由后调整"
        )
    return True


@rule(
    "A30-1-OVERRIDE",
    citation="第三十条第一款",
    message="专家评审确定的等级低于定级矩阵给出的等级时，须写明理由",
)
def override_has_reasons(case: Any, ctx: RuleContext) -> bool:
    """……实行信息安全等级保护：低于定级矩阵的等级只能由专家评审说明理由后确定。"""
    below = case.matrix_level is not None and ctx.input.reviewed_level < case.matrix_level
    return not below or bool(ctx.input.override_reasons.strip())


@rule(
    "A30-1-REVIEWED",
    citation="第三十条第一款",
    message="第二级以上信息系统的定级须经专家评审后才能备案",
)
def reviewed_before_filing(case: Any, ctx: RuleContext) -> bool:
    """……实行信息安全等级保护：第二级以上系统的定级结果经专家评审后向公安机关备案。"""
    return (case.level or 0) < 2 or case.state == SystemState.REVIEWED


@rule(
    "A30-1-FILING-LEVEL",
    citation="第三十条第一款",
    message="第一级信息系统由所属单位自主保护，无需向公安机关备案",
)
def filing_needs_level_two(case: Any, ctx: RuleContext) -> bool:
    """……实行信息安全等级保护：第二级以上信息系统备案。"""
    return (case.level or 0) >= 2


@rule("A30-1-FILED-AFTER", citation="第三十条第一款", message="备案日期不能早于定级日期")
def filed_after_grading(case: Any, ctx: RuleContext) -> bool:
    """……实行信息安全等级保护：先定级，后备案。"""
    return case.determined_on is None or ctx.input.filed_on >= case.determined_on


@rule(
    "A30-1-EVAL-RESULT",
    citation="第三十条第一款",
    message="测评结论与综合得分不符：优不低于90分，良不低于80分，中不低于70分",
)
def result_matches_score(case: Any, ctx: RuleContext) -> bool | str:
    """……实行信息安全等级保护：等级测评结论按综合得分确定（测评报告：优≥90，良≥80，中≥70，差<70）。"""
    result, score = ctx.input.result, ctx.input.score
    floor = RESULT_FLOOR[result]
    higher = [r for r, f in RESULT_FLOOR.items() if f > floor]
    ceiling = min((RESULT_FLOOR[r] for r in higher), default=None)
    if score < floor or (ceiling is not None and score >= ceiling):
        return f"综合得分 {score} 分对应的结论不是“{result}”：优不低于90分，良不低于80分，中不低于70分"
    return True


@rule("A30-1-FINDING-OPEN", citation="第三十条第一款", message="该问题不属于本系统，或已经整改完成")
def finding_open(case: Any, ctx: RuleContext) -> bool:
    """……实行信息安全等级保护：测评发现的问题由所属单位整改，整改完成后登记一次。"""
    return Finding.objects.filter(
        pk=ctx.input.finding_id, system_id=case.pk, rectified_on__isnull=True
    ).exists()


@rule(
    "A30-1-RISK-TREATMENT",
    citation="第三十条第一款",
    message="高风险须确定处置方式；降低、转移、规避的处置须有责任人和期限",
)
def risks_treated(case: Any, ctx: RuleContext) -> bool | str:
    """……定期进行信息安全风险评估（GB/T 20984-2022）：每项风险确定处置方式、责任人和期限。"""
    for risk in ctx.input.risks:
        if risk.likelihood * risk.impact >= HIGH_RISK and not risk.treatment:
            return f"高风险“{risk.name}”须确定处置方式（接受、降低、转移或规避）"
        if (
            risk.treatment
            and risk.treatment != Treatment.ACCEPT
            and not (risk.treatment_owner and risk.due_date)
        ):
            return f"风险“{risk.name}”的处置须写明责任人和期限"
    return True


@rule("A30-1-RISK-OPEN", citation="第三十条第一款", message="该风险不属于本系统，或已经处置完成")
def risk_open(case: Any, ctx: RuleContext) -> bool:
    """……定期进行信息安全风险评估：风险处置完成后登记残余风险，一次。"""
    return Risk.objects.filter(pk=ctx.input.risk_id, system_id=case.pk, treated_on__isnull=True).exists()


@rule("A30-1-RESTORE-TEST", citation="第三十条第一款", message="最近恢复测试日期不能晚于今天")
def restore_test_done(case: Any, ctx: RuleContext) -> bool:
    """……制定本单位信息安全保护和容灾备份措施……增强……灾后恢复能力：恢复测试是已经做过的测试。"""
    day = ctx.input.last_restore_test
    return day is None or day <= ctx.today


# -- 第三十条第二款 ----------------------------------------------------------------------------------


@rule(
    "A30-2-OWN-UNIT",
    citation="第三十条第二款",
    message="只能由发生事件的信息系统所属单位（本单位）登记和报告安全事件",
    actor=True,
)
def reports_for_own_unit(owner: Any, ctx: RuleContext) -> bool:
    """信息网络与信息系统发生安全事故的，（所属单位）应当……按照规定向有关主管部门报告。"""
    return owner is not None and owner.pk in scope_of(ctx.user).org_ids_with_role(*STAFF_ROLES)


@rule(
    "A30-2-SYSTEMS",
    citation="第三十条第二款",
    message="受影响的系统须是本单位登记的信息系统",
)
def affected_systems_own(owner: Any, ctx: RuleContext) -> bool:
    """信息网络与信息系统发生安全事故的……：事件登记在发生事件的系统所属单位名下。"""
    ids = set(ctx.payload.get("system_ids") or [])
    return len(ids) == InformationSystem.objects.filter(pk__in=ids, owner_id=owner.pk).count()


@rule(
    "A30-2-DETECTED",
    citation="第三十条第二款",
    message="发现时间不能晚于现在，请填写实际发现事件的时间",
)
def detected_not_in_future(owner: Any, ctx: RuleContext) -> bool:
    """信息网络与信息系统发生安全事故的，应当……及时采取有效措施……并按照规定……报告：报告时限从实际发现时起算。"""
    from django.utils import timezone

    return ctx.input.detected_at <= timezone.now()


@rule(
    "A30-2-TIME",
    citation="第三十条第二款",
    message="时间不能早于事件发现时间，也不能晚于现在",
)
def after_detection(case: Any, ctx: RuleContext) -> bool:
    """……及时采取有效措施……保存相关记录：记录的时间在发现之后、当下之前。"""
    from django.utils import timezone

    at = getattr(ctx.input, "reported_at", None) or ctx.input.at
    return case.detected_at <= at <= timezone.now()


@rule(
    "A30-2-REPORTED",
    citation="第三十条第二款",
    message="事件尚未向有关主管部门报告，不能结案；请先登记报告",
)
def reported_before_closing(case: Any, ctx: RuleContext) -> bool:
    """……并按照规定向有关主管部门报告：报告后才能结案。"""
    return case.first_reported_at is not None


# -- 第三十一条第二款 --------------------------------------------------------------------------------


@rule(
    "A31-2-CITY",
    citation="第三十一条第二款",
    message="通信基础设施建设项目的信息安全保障方案只能由市信息化主管部门备案（不论项目所在县（市）区）",
    actor=True,
)
def acts_as_city_authority_for_telecom(case: Any, ctx: RuleContext) -> bool:
    """通信基础设施建设项目的信息安全保障方案应当报市信息化主管部门备案。"""
    return is_city_authority(ctx.user)


# -- 第三十二条 ------------------------------------------------------------------------------------


@rule(
    "A32-1-CITY",
    citation="第三十二条",
    message="安全检查由市信息化主管部门组织；县（市）区主管部门和其他单位不能办理",
    actor=True,
)
def acts_as_city_authority(case: Any, ctx: RuleContext) -> bool:
    """市信息化主管部门应当组织有关部门定期对通信基础信息网络和重点领域信息网络与信息系统进行安全检查。"""
    return is_city_authority(ctx.user)


@rule("A32-1-SCHEDULE", citation="第三十二条", message="计划结束日期不能早于计划开始日期")
def schedule_in_order(case: Any, ctx: RuleContext) -> bool:
    """市信息化主管部门应当组织有关部门定期……进行安全检查：检查计划的起止日期先后有序。"""
    start, end = ctx.input.planned_start, ctx.input.planned_end
    return start is None or end is None or end >= start


@rule(
    "A32-1-OBJECTS",
    citation="第三十二条",
    message="被检查的信息系统须是已登记且未下线的系统，被检查单位须是登记了信息系统的单位",
)
def inspected_objects_registered(case: Any, ctx: RuleContext) -> bool:
    """……对通信基础信息网络和重点领域信息网络与信息系统进行安全检查：检查对象取自信息系统登记。"""
    systems = set(ctx.input.system_ids)
    units = set(ctx.input.unit_ids)
    live = InformationSystem.objects.exclude(state=SystemState.RETIRED)
    return len(systems) == live.filter(pk__in=systems).count() and len(units) == (
        live.filter(owner_id__in=units).values("owner_id").distinct().count()
    )


@rule("A32-1-SYSTEM", citation="第三十二条", message="隐患所在的信息系统未登记或已下线")
def danger_system_registered(case: Any, ctx: RuleContext) -> bool:
    """……对……信息网络与信息系统进行安全检查，及时查找隐患：隐患记在登记的系统上。"""
    return (
        InformationSystem.objects.filter(pk=ctx.input.system_id).exclude(state=SystemState.RETIRED).exists()
    )


@rule("A32-1-DEADLINE", citation="第三十二条", message="整改期限不能早于发现日期")
def deadline_after_finding(case: Any, ctx: RuleContext) -> bool:
    """……及时查找隐患，保障……正常运行：整改期限在发现之后。"""
    return ctx.input.deadline is None or ctx.input.deadline >= ctx.input.found_on


@rule("A32-1-DANGER-OPEN", citation="第三十二条", message="该隐患不属于本系统，或不在待整改状态")
def danger_open(case: Any, ctx: RuleContext) -> bool:
    """……及时查找隐患：所属单位对待整改（含被退回）的隐患报告整改情况。"""
    return HiddenDanger.objects.filter(
        pk=ctx.input.danger_id, system_id=case.pk, status__in=(DangerStatus.OPEN, DangerStatus.RETURNED)
    ).exists()


@rule("A32-1-ANSWERED", citation="第三十二条", message="该隐患不属于本次检查，或所属单位尚未报告整改情况")
def danger_answered(case: Any, ctx: RuleContext) -> bool:
    """……及时查找隐患，保障……正常运行：所属单位报告整改后，由检查组织者核验。"""
    return HiddenDanger.objects.filter(
        pk=ctx.input.danger_id, inspection_id=case.pk, status=DangerStatus.ANSWERED
    ).exists()
