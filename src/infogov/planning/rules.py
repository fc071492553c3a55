"""The rules of 第五条至第七条 as checks: who approves and files which plan, what a plan rests on,
what consultation and expert review must have happened, and what an approved plan may not do.

Each rule reads a plan version (or, for the register rules, a plan) and the context; none writes.
Codes read A{article}-{paragraph}-{NAME} (A7-NAME where the article has one paragraph); actor rules
(who may act) keep the core's "A4-" prefix before that code (A5-1-APPROVER), so that a refusal is a
403 (not permitted), a guard's a 422. docs/rule-codes.md maps the earlier codes to these.

The rules are declared in article order over two modules: rules_approval.py holds the shared reads
and 第五条 (the register, approval, publication and filing); this module holds 第六条 and 第七条 and
re-exports every name of rules_approval.py, so that ``rules.X`` reads any rule of the app.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from typing import Any

from infogov.core.workflow.experts import pool_refusal
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import RuleContext, acts_as_competent_authority, acts_for_owner, rule
from infogov.org.choices import AUTHORITY_ROLES
from infogov.org.selectors import authority_of, city

from .choices import PASSING_CONCLUSIONS, PlanLevel, PlanState
from .deadlines import CONSULTATION_MIN_DAYS as CONSULTATION_POLICY

# every name of rules_approval.py is re-exported here: rules.X reads any rule of the app
from .rules_approval import (  # noqa: F401
    MAX_PLAN_PERIOD,
    approves_city_plan,
    approves_local_plan,
    approves_special_plan,
    approving_body,
    city_plan_based_on_provincial,
    city_plan_not_filed,
    city_plan_owned_by_city_authority,
    city_plan_published,
    current_opinions,
    enforce,
    filing_authority,
    in_force_version,
    level_of,
    local_plan_based_on_city_plan,
    local_plan_filed,
    local_plan_owned_by_local_authority,
    local_plan_published_before_filing,
    owner_member_ids,
    period_valid,
    receives_local_filing,
    receives_special_filing,
    roles_in,
    special_plan_based_on_area_plan,
    special_plan_filed,
    special_plan_not_published,
    special_plan_owned_by_department,
    special_plan_signed_off,
)

MIN_EXPERTS = 3
CONSULTATION_MIN_DAYS = CONSULTATION_POLICY.on(dt.date(2015, 1, 1))  # the value since 2015 (for messages)
COMMENT_RATE_LIMIT = 5  # platform policy: comments per client per hour on the public page


# -- 第六条第一款: consultation and expert review --------------------------------------------------


@rule(
    "A6-1-CONTENT",
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
    "A6-1-DRAFT-ONLY",
    citation="第六条第一款",
    message="规划内容只能在起草阶段修改；征求意见或论证后修改须退回起草（重新征求意见、论证）",
)
def draft_only(case: Any, ctx: RuleContext) -> bool | None:
    """编制信息化发展规划应当广泛征求意见，并组织专家论证：征求意见、论证的是同一文本。"""
    if case.is_frozen:
        return None  # refused by A6-2-FROZEN (第六条第二款)
    return case.state == PlanState.DRAFT


@rule(
    "A6-1-WINDOW",
    citation="第六条第一款",
    message=(
        f"征求意见须设定起止日期，期限不少于 {CONSULTATION_MIN_DAYS} 日（{CONSULTATION_POLICY.note}），"
        "且不早于今天开始"
    ),
)
def consultation_window_valid(case: Any, ctx: RuleContext) -> bool | str:
    """编制信息化发展规划应当广泛征求意见。"""
    # the step's typed input (ConsultationIn): while the step is only explained there is none yet, and
    # reading it passes the rule for now — the page then shows the date fields this rule checks
    start = ctx.input.start or case.consultation_start
    end = ctx.input.end or case.consultation_end
    if start is None or end is None:
        return "请填写征求意见的开始日期和截止日期（YYYY-MM-DD）"
    if start < ctx.today:
        return "征求意见开始日期不能早于今天"
    minimum = int(CONSULTATION_POLICY.on(start))  # the value in force on the day the window opens
    if (end - start).days < minimum:
        return f"征求意见期限不少于 {minimum} 日（{CONSULTATION_POLICY.note}）"
    return True


@rule("A6-1-WINDOW-OPEN", citation="第六条第一款", message="该规划不在征求意见期限内，不能提交意见")
def consultation_open(case: Any, ctx: RuleContext) -> bool:
    """编制信息化发展规划应当广泛征求意见：公众在征求意见期限内提出意见。"""
    start, end = case.consultation_start, case.consultation_end
    return (
        case.state == PlanState.CONSULTATION
        and start is not None
        and end is not None
        and start <= ctx.today <= end
    )


@rule(
    "A6-1-PUBLIC",
    citation="第六条第一款",
    message="公众意见请通过门户公开页面（/public/plans/）提交；工作人员账号不能以公众身份提交意见",
    summary="公众意见经门户公开页面提交（访问者指纹由平台生成，不由请求提供）",
    actor=True,
)
def comment_from_the_public(case: Any, ctx: RuleContext) -> bool:
    """制定信息化发展规划……应当广泛征求社会公众意见。(The public page and the public API take the
    comment and fingerprint the visitor themselves; a signed-in account calling the step directly
    could choose its own fingerprint and so pass the rate limit.)"""
    return not getattr(ctx.user, "is_authenticated", False)


@rule(
    "A6-1-RATE-LIMIT",
    citation="第六条第一款",
    message="提交过于频繁，请稍后再试（平台规定：同一访问者每小时至多提交 5 条意见）",
    summary="公众意见限频（平台规定）",
)
def comment_rate_limit(case: Any, ctx: RuleContext) -> bool | None:
    """广泛征求意见：平台限制同一访问者的提交频率，使意见渠道不被刷屏占用。"""
    from django.utils import timezone

    from .models import PublicComment

    client = ctx.input.client
    if not client:
        return None
    since = timezone.now() - dt.timedelta(hours=1)
    return (
        PublicComment.objects.filter(client_hash=client, created_at__gte=since).count() < COMMENT_RATE_LIMIT
    )


@rule(
    "A6-1-ANSWER-REASON",
    citation="第六条第一款",
    message="部分采纳或不予采纳的意见须说明理由",
)
def answer_has_reason(case: Any, ctx: RuleContext) -> bool:
    """编制信息化发展规划应当广泛征求意见：不采纳的意见须向意见人说明理由。"""
    given = ctx.input
    status, text = given.resolved()
    return status == "accepted" or bool(given.template) or bool(given.reason.strip()) or len(text) >= 10


@rule("A6-1-ANSWERS-DRAFTED", citation="第六条第一款", message="没有待公布的答复：请先起草意见答复")
def answers_drafted(case: Any, ctx: RuleContext) -> bool:
    """广泛征求意见：答复起草后统一公布。"""
    return case.comments.filter(answer_published_at__isnull=True).exclude(answer_status="").exists()


@rule(
    "A6-1-SUMMARY-STAGE",
    citation="第六条第一款",
    message="只能在征求意见或专家论证阶段填写征求意见情况说明",
)
def summary_stage(case: Any, ctx: RuleContext) -> bool | None:
    """编制信息化发展规划应当广泛征求意见：情况说明记载本轮征求意见的结果。"""
    if case.is_frozen:
        return None  # refused by A6-2-FROZEN (第六条第二款)
    return case.state in (PlanState.CONSULTATION, PlanState.EXPERT_REVIEW)


@rule("A6-1-WINDOW-ENDED", citation="第六条第一款", message="征求意见期限届满前不能结束征求意见")
def consultation_window_ended(case: Any, ctx: RuleContext) -> bool:
    """编制信息化发展规划应当广泛征求意见：公众须有完整的征求意见期限。"""
    return case.consultation_end is not None and ctx.today > case.consultation_end


@rule(
    "A6-1-CONSULTED",
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
    "A6-1-EXPERT-COUNT",
    citation="第六条第一款",
    message=f"专家论证须有不少于 {MIN_EXPERTS} 名专家提交论证意见",
)
def enough_experts(case: Any, ctx: RuleContext) -> bool | str:
    """编制信息化发展规划应当……组织专家论证。"""
    n = len(current_opinions(case))
    return True if n >= MIN_EXPERTS else f"专家论证须有不少于 {MIN_EXPERTS} 名专家提交论证意见（现有 {n} 名）"


@rule(
    "A6-1-EXPERT-INDEPENDENT", citation="第六条第一款", message="论证专家须来自专家库，且不得是编制单位人员"
)
def experts_independent(case: Any, ctx: RuleContext) -> bool | str:
    """……组织专家论证：专家独立于编制单位。"""
    insiders = owner_member_ids(case)
    if ctx.transition == "experts_assign":  # the experts about to be invited
        return pool_refusal(ctx.input.experts, insiders, insider="是编制单位人员，不能参加论证") or True
    for op in current_opinions(case):
        if op.expert_id in insiders:
            return f"专家 {op.expert} 是编制单位人员，不能参加论证"
    return True


@rule(
    "A6-1-EXPERT-DUE",
    citation="第六条第一款",
    message="专家提交论证意见的期限不得早于邀请之日",
    summary="论证期限在邀请之后",
)
def expert_due_not_past(case: Any, ctx: RuleContext) -> bool:
    """……组织专家论证。（专家须有提交论证意见的时间）"""
    due = ctx.input.due_date  # explain(): not judged before the date is typed
    return due is None or due >= ctx.today


@rule(
    "A6-1-EXPERT-MAJORITY",
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


@rule(
    "A6-1-ORGANISER",
    citation="第六条第一款",
    message="只有规划编制单位或规划所在辖区的本级信息化主管部门才能组织专家论证",
    actor=True,
)
def organises_review(case: Any, ctx: RuleContext) -> bool:
    """编制信息化发展规划应当……组织专家论证：由编制单位（或其本级主管部门）组织。

    本级: 第五条 has each level's authority compile its level's plan; the city authority supervises
    (第四条第一款, 第七条) but does not organise a lower level's expert review (A4-AUTHORITY is own-level)."""
    return (
        acts_for_owner.evaluate(case, ctx) is None or acts_as_competent_authority.evaluate(case, ctx) is None
    )


@rule("A6-1-OPINION-ONCE", citation="第六条第一款", message="您已提交本轮论证意见，不能重复提交")
def one_opinion_per_round(case: Any, ctx: RuleContext) -> bool:
    """组织专家论证：每位专家每轮出具一份论证意见。"""
    return not case.opinions.filter(expert_id=getattr(ctx.user, "pk", None), round=case.review_round).exists()


# -- 第六条第二款: change control -------------------------------------------------------------------


@rule("A6-2-REASON", citation="第六条第二款", message="变更、调整经批准的规划须说明特殊情况")
def change_has_reason(case: Any, ctx: RuleContext) -> bool | None:
    """经批准的信息化发展规划不得擅自变更、调整。因特殊情况确需变更、调整的，应当按照原编制程序重新批准、备案。"""
    if ctx.transition == "change_request":  # the reason stated for the change being asked for
        return bool(ctx.input.reason.strip())
    if case.supersedes_id is None:
        return None
    return bool(case.change_reason.strip())


# Set only while a successor enters into force: the predecessor is superseded as a consequence of
# that step, never on its own (an approved plan cannot be set aside except by the original procedure).
SUCCESSOR_IN_FORCE: contextvars.ContextVar[Any] = contextvars.ContextVar("planning_successor", default=None)


@rule(
    "A6-2-SUPERSEDE",
    citation="第六条第二款",
    message="施行中的规划只能由按原编制程序重新批准、备案的新版本替代",
    actor=True,
)
def superseded_by_successor(case: Any, ctx: RuleContext) -> bool:
    """因特殊情况确需变更、调整的，应当按照原编制程序重新批准、备案。"""
    successor = SUCCESSOR_IN_FORCE.get()
    return successor is not None and successor.supersedes_id == case.pk


@rule("A6-2-ONE-CHANGE", citation="第六条第二款", message="该规划已有正在办理的变更，不能重复发起")
def no_open_change(case: Any, ctx: RuleContext) -> bool:
    """因特殊情况确需变更、调整的，应当按照原编制程序重新批准、备案：一次一个变更。"""
    from .choices import APPROVED_STATES

    return not case.plan.versions.exclude(state__in=APPROVED_STATES).exists()


@rule("A6-2-FROZEN", citation="第六条第二款", message="经批准的信息化发展规划不得擅自变更、调整")
def not_frozen(case: Any, ctx: RuleContext) -> bool:
    """经批准的信息化发展规划不得擅自变更、调整。"""
    return not case.is_frozen


# -- 第七条: execution and assessment ----------------------------------------------------------------


@rule(
    "A7-SUPERVISED",
    citation="第七条",
    message="年度执行情况只针对施行中的县（市）区、开发区信息化发展规划和部门专项规划",
)
def execution_supervised(case: Any, ctx: RuleContext) -> bool:
    """市信息化主管部门应当对县（市）、区和开发区信息化发展规划以及有关部门信息化发展专项规划的年度执行情况进行监督检查。"""
    return case.plan.level in (PlanLevel.LOCAL, PlanLevel.SPECIAL) and case.state == PlanState.IN_FORCE


@rule(
    "A7-CITY-AUTHORITY",
    citation="第七条",
    message="规划执行情况的监督检查和考核由市信息化主管部门负责",
    actor=True,
)
def acts_as_city_authority(case: Any, ctx: RuleContext) -> bool:
    """市信息化主管部门应当……进行监督检查，检查结果纳入市人民政府年度绩效考核评价指标体系。"""
    if ctx.user is None or not getattr(ctx.user, "is_authenticated", False):
        return False
    return bool(roles_in(ctx, authority_of(city()).pk) & AUTHORITY_ROLES)


@rule(
    "A7-ASSESSMENT-READER",
    citation="第七条",
    message="年度考核结果由市信息化主管部门和各级人民政府查阅",
    actor=True,
)
def reads_assessment(case: Any, ctx: RuleContext) -> bool:
    """检查结果纳入市人民政府年度绩效考核评价指标体系：考核表供主管部门和人民政府使用。"""
    return acts_as_city_authority.evaluate(case, ctx) is None or bool(
        scope_of(ctx.user).government_jurisdictions
    )


@rule("A7-REPORT-YEAR", citation="第七条", message="报告年度须在规划期内")
def report_year_in_period(case: Any, ctx: RuleContext) -> bool | str:
    """……信息化发展规划……的年度执行情况：规划期内的年度。"""
    year = ctx.input.year
    return case.period_start <= year <= case.period_end or f"{year} 年不在规划期 {case.period} 内"


@rule("A7-REPORT-ONCE", citation="第七条", message="该年度执行情况已报送")
def report_once(case: Any, ctx: RuleContext) -> bool | str:
    """……年度执行情况：每年度报送一次。"""
    year = ctx.input.year
    return not case.execution_reports.filter(year=year).exists() or f"{year}年度执行情况已报送"


@rule("A7-SAMPLE-ONCE", citation="第七条", message="该规划已列入本年度监督检查")
def sampled_once(case: Any, ctx: RuleContext) -> bool:
    """市信息化主管部门应当对……年度执行情况进行监督检查：每年度一次。"""
    return not case.inspections.filter(year=ctx.input.year).exists()
