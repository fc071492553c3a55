"""The rules of 《吉林市信息化促进办法》 that guard informatization projects.

One function per rule; each docstring quotes the clause it enforces. A rule reads the project
(and the step's payload), never writes. Read side by side with workflows.py and the regulation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from infogov.core.workflow.rules import RuleContext, approves_for_government_of, rule
from infogov.org.choices import JurisdictionKind

from .choices import MANDATORY_DIMENSIONS, FindingConclusion, PlanState, ProcurementMethod, ReviewDimension
from .payloads import as_bool, as_list


def _decimal(value: Any) -> Decimal | None:
    """A finite amount, or None (NaN and Infinity are not amounts: comparing NaN raises)."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return d if d.is_finite() else None


# -- 第三条: funding ---------------------------------------------------------------------------------


@rule(
    "P3-FUNDING",
    citation="第三条",
    message="财政性资金项目须写明列入的财政预算（预算来源）且预算金额大于零",
    summary="财政性资金项目写明所列预算和专项资金",
)
def funding_declared(project: Any, ctx: RuleContext) -> bool | str:
    """市、县（市）、区人民政府和开发区管委会应当……安排信息化发展专项资金，并纳入财政预算。"""
    if project.budget is None or project.budget <= 0:
        return "预算金额须大于零"
    if project.is_fiscal:
        return bool(project.budget_source.strip())
    return bool(project.funding_source.strip()) or "非财政性资金项目须写明资金来源"


# -- 第九条: annual plan and review --------------------------------------------------------------------


@rule(
    "P9-FISCAL",
    citation="第九条第一款",
    message="只有使用财政性资金的项目才列入年度建设计划；非财政性资金项目请办理备案",
    summary="年度计划只收使用财政性资金的项目",
)
def is_fiscal_project(project: Any, ctx: RuleContext) -> bool:
    """信息化主管部门应当组织编制使用财政性资金的信息化工程项目建设年度计划……"""
    return project.is_fiscal


@rule(
    "P9-PLAN-OPEN",
    citation="第九条第一款",
    message="只能列入本辖区编制中的年度建设计划",
    summary="项目列入本辖区、编制中的年度计划",
)
def plan_open_for_inclusion(project: Any, ctx: RuleContext) -> bool | str | None:
    """信息化主管部门应当组织编制……年度计划，并报本级人民政府或者开发区管委会批准。
    已报批或已批准的计划不再增列项目：增列须重新报批。"""
    from .models import AnnualConstructionPlan

    plan_id = ctx.payload.get("plan_id")
    if plan_id is None:
        return None  # explain(): cannot judge before the authority picks a plan
    try:
        plan = AnnualConstructionPlan.objects.filter(pk=int(plan_id)).first()
    except (TypeError, ValueError):
        return "所选年度计划不存在"
    if plan is None:
        return "所选年度计划不存在"
    if plan.jurisdiction_id != project.jurisdiction_id:
        return "项目只能列入所在辖区的年度建设计划"
    if plan.state != PlanState.DRAFTING:
        return "该年度计划已报批或已批准，不能再增列项目"
    return True


@rule(
    "P9-PLAN-APPROVED",
    citation="第九条第一款",
    message="项目所在的年度建设计划尚未经本级人民政府（管委会）批准，不能进行下一步",
    summary="未列入经批准的年度计划的项目不得推进",
)
def plan_approved(project: Any, ctx: RuleContext) -> bool:
    """……年度计划，并报本级人民政府或者开发区管委会批准。"""
    return project.annual_plan_id is not None and project.annual_plan.state == PlanState.APPROVED


@rule(
    "P9-DIMENSIONS",
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
    "P9-FINDINGS-PASS",
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
    "P9-REVIEW-PASSED",
    citation="第九条第二款",
    message="项目未经信息化主管部门评审通过，不能办理采购等建设手续",
    summary="审查通过后方可办理建设项目手续",
)
def review_passed(project: Any, ctx: RuleContext) -> bool:
    """……提出审查意见。符合规定的方可按照建设项目程序办理相关手续。"""
    return hasattr(project, "review") and project.review.passed


@rule(
    "P9-CONDITIONS-ANSWERED",
    citation="第九条第二款",
    message="审查意见所附条件尚未全部落实，不能验收",
    summary="审查条件落实后方可验收",
)
def review_conditions_answered(project: Any, ctx: RuleContext) -> bool | str:
    """……提出审查意见。符合规定的方可按照建设项目程序办理相关手续。（审查条件须落实）"""
    open_ = project.conditions.filter(answered_at__isnull=True).count()
    return open_ == 0 or f"尚有 {open_} 项审查条件未落实"


# -- 第六条: duplicate construction ---------------------------------------------------------------------


@rule(
    "P6-DUPLICATES",
    citation="第六条第一款",
    message="信息资源共享评审意见尚未回应查重发现的相似项目或系统",
    summary="评审须回应相似项目，避免重复建设",
)
def duplicates_acknowledged(project: Any, ctx: RuleContext) -> bool | str:
    """编制信息化发展规划应当……避免盲目投资和重复建设。（第九条第二款：评审信息资源共享）"""
    pending = project.similar_hits.filter(acknowledged=False).count()
    return pending == 0 or f"尚有 {pending} 个相似项目或系统未在信息资源共享评审意见中回应"


# -- 第十条: filing of non-fiscal public-infrastructure and security projects --------------------------


@rule(
    "P10-NONFISCAL",
    citation="第十条",
    message="使用财政性资金的项目应列入年度建设计划并经评审，不适用备案",
    summary="备案适用于非财政性资金项目",
)
def is_non_fiscal_project(project: Any, ctx: RuleContext) -> bool:
    """使用非财政性资金的公共基础性信息化工程和信息安全工程项目，建设单位应当……备案。"""
    return not project.is_fiscal


@rule(
    "P10-PROCEDURES",
    citation="第十条",
    message="须先依法办理建设相关手续，再报信息化主管部门备案",
    summary="办理建设手续后备案",
)
def procedures_completed(project: Any, ctx: RuleContext) -> bool:
    """建设单位应当在依法办理建设相关手续后，报所在地的市或者县（市）信息化主管部门备案。"""
    return bool(project.procedures_completed.strip())


@rule("P10-COMPLETE", citation="第十条", message="备案材料不完整", summary="备案材料完整性审核")
def filing_complete(project: Any, ctx: RuleContext) -> bool | str:
    """……报所在地的市或者县（市）信息化主管部门备案。（主管部门核对材料齐全后发给备案号）"""
    missing = []
    if not project.content.strip():
        missing.append("建设内容")
    if not project.procedures_completed.strip():
        missing.append("已办理的建设手续")
    if not project.funding_source.strip():
        missing.append("资金来源")
    if project.planned_start is None or project.planned_completion is None:
        missing.append("计划工期")
    if not project.security_plan.strip():
        missing.append("信息安全保障方案")
    return not missing or "备案材料不完整，缺少：" + "、".join(missing)


def filing_jurisdiction(project: Any) -> Any:
    """第十条: filing goes to the city or the county(-level city) authority where the project is;
    districts and development zones file with the city."""
    j = project.jurisdiction
    while (
        j.kind not in (JurisdictionKind.CITY, JurisdictionKind.COUNTY, JurisdictionKind.COUNTY_CITY)
        and j.parent_id
    ):
        j = j.parent
    return j


@rule(
    "A4-FILING-AUTHORITY",
    citation="第十条",
    message="只有项目所在地的市或者县（市）信息化主管部门才能办理备案",
    summary="由所在地的市或者县（市）信息化主管部门受理备案",
)
def acts_as_filing_authority(project: Any, ctx: RuleContext) -> bool:
    """……报所在地的市或者县（市）信息化主管部门备案。"""
    return ctx.user is not None and ctx.user.scope.is_authority_for(filing_jurisdiction(project).pk)


# -- 第十一条: procurement and outsourcing -------------------------------------------------------------


@rule(
    "P11-CENTRALIZED",
    citation="第十一条第一款",
    message="须录入政府集中采购记录：采购方式、采购公告编号、中标供应商和合同金额",
    summary="财政性资金项目纳入政府集中采购",
)
def centralized_procurement(project: Any, ctx: RuleContext) -> bool | str | None:
    """使用财政性资金的信息化工程项目和信息服务外包项目应当纳入政府集中采购。"""
    if not ctx.payload:
        return None  # explain(): judged on the record the user enters
    p = ctx.payload
    labels = {str(c.label) for c in ProcurementMethod}
    if p.get("method") not in ProcurementMethod.values and p.get("method") not in labels:
        return "采购方式须为政府采购法规定的方式"
    if not str(p.get("notice_number", "")).strip() or not str(p.get("supplier", "")).strip():
        return "须填写采购公告编号和中标（成交）供应商"
    amount = _decimal(p.get("contract_amount"))
    if amount is None or amount <= 0:
        return "合同金额须为大于零的数"
    return True


@rule(
    "P11-BUDGET",
    citation="第十一条第一款",
    message="合同金额超过批准的预算金额，不能录入",
    summary="合同金额不得超过批准预算",
)
def contract_within_budget(project: Any, ctx: RuleContext) -> bool | str | None:
    """使用财政性资金的信息化工程项目……应当纳入政府集中采购。（采购合同不得超出批准的预算）"""
    amount = _decimal(ctx.payload.get("contract_amount"))
    if amount is None:
        return None
    if amount > project.budget:
        return f"合同金额 {amount:,.2f} 元超过批准的预算 {project.budget:,.2f} 元"
    return True


@rule(
    "P11-OUTSOURCING",
    citation="第十一条第二款",
    message="使用财政性资金的信息服务外包项目须经信息化主管部门审核通过后方可采购",
    summary="财政性资金外包项目采购前经主管部门审核",
)
def outsourcing_reviewed(project: Any, ctx: RuleContext) -> bool:
    """信息化主管部门应当对使用财政性资金的信息服务外包项目进行审核。"""
    if not project.needs_outsourcing_review:
        return True
    from .models import OutsourcingReview

    return OutsourcingReview.objects.filter(project=project, approved=True).exists()


# -- 第十二条: standards --------------------------------------------------------------------------------


def missing_mandatory_standards(project: Any, declared_codes: set[str] | None = None) -> list[str]:
    from .models import Standard

    if declared_codes is None:
        declared_codes = set(project.standards.values_list("code", flat=True))
    return [
        s.code
        for s in Standard.objects.filter(mandatory=True)
        if s.applies_to(project.category) and s.code not in declared_codes
    ]


@rule(
    "P12-MANDATORY",
    citation="第十二条",
    message="项目未声明执行适用的强制性标准",
    summary="执行强制性标准，不得免除",
)
def mandatory_standards_declared(project: Any, ctx: RuleContext) -> bool | str:
    """信息化工程项目建设应当执行国家、地方和行业强制性标准。"""
    missing = missing_mandatory_standards(project)
    return not missing or "未声明执行的强制性标准：" + "、".join(missing)


@rule(
    "P12-TESTED",
    citation="第十二条",
    message="测试报告未覆盖项目执行的强制性标准",
    summary="按强制性标准测试",
)
def mandatory_standards_tested(project: Any, ctx: RuleContext) -> bool | str | None:
    """信息化工程项目建设应当执行国家、地方和行业强制性标准。（第十三条：按照国家标准或者行业标准进行测试）"""
    if not ctx.payload:
        return None  # explain(): judged on the report the user enters
    tested = ctx.payload.get("standards")
    declared = set(project.standards.filter(mandatory=True).values_list("code", flat=True))
    missing = sorted(declared - set(as_list(tested)))
    return not missing or "测试报告未覆盖强制性标准：" + "、".join(missing)


# -- 第十三条: testing, acceptance, delivery -----------------------------------------------------------


@rule(
    "P13-TEST-PASSED",
    citation="第十三条第一款",
    message="测试结论为不通过，须整改后重新测试",
    summary="竣工后按标准测试通过",
)
def test_passed(project: Any, ctx: RuleContext) -> bool | None:
    """信息化工程项目竣工后，建设单位应当按照国家标准或者行业标准进行测试……"""
    if not ctx.payload:
        return None  # explain(): judged on the report the user enters
    return as_bool(ctx.payload.get("passed", False))  # a form leaves an unticked box out: not passed


@rule(
    "P13-TESTED",
    citation="第十三条第一款",
    message="项目尚无通过的测试报告，不能验收",
    summary="测试通过后验收",
)
def has_passed_test(project: Any, ctx: RuleContext) -> bool:
    """……按照国家标准或者行业标准进行测试，并按照国家规定进行验收。"""
    return project.test_reports.filter(passed=True).exists()


def latest_acceptance(project: Any) -> Any:
    """The acceptance recorded last (in the order the docket recorded them, not by the date written
    on it): its conclusion is the project's acceptance result. P13-ACCEPTANCE-ORDER keeps the dates
    in the same order."""
    return project.acceptances.order_by("-id").first()


@rule(
    "P13-ACCEPTED",
    citation="第十三条第一款",
    message="未经验收或者验收不合格的项目，不得交付使用",
    summary="验收合格方可交付使用",
)
def acceptance_passed(project: Any, ctx: RuleContext) -> bool:
    """未经验收或者验收不合格的项目，不得交付使用。"""
    latest = latest_acceptance(project)
    return latest is not None and latest.passed


@rule(
    "P13-ACCEPTANCE-ORDER",
    citation="第十三条第一款",
    message="第十三条第一款：验收日期不得早于已记录的最近一次验收的日期",
    summary="验收按发生先后记录，后一次验收的结论为准",
)
def acceptance_not_backdated(project: Any, ctx: RuleContext) -> bool | str | None:
    """……并按照国家规定进行验收。未经验收或者验收不合格的项目，不得交付使用。
    （以最近一次验收的结论为准：后记录的验收不得早于已记录的验收日期，否则案卷的先后与验收的先后不一致）"""
    if not ctx.payload:
        return None  # explain(): judged on the date the user enters
    raw = ctx.payload.get("held_on")
    if raw in (None, ""):
        held_on = timezone.localdate()  # what the step records when no date is given
    elif isinstance(raw, dt.date):
        held_on = raw
    else:
        try:
            held_on = dt.date.fromisoformat(str(raw))
        except ValueError:
            return None  # not a date: the step's input check refuses it (422 on held_on)
    latest = latest_acceptance(project)
    if latest is None or held_on >= latest.held_on:
        return True
    outcome = "合格" if latest.passed else "不合格"
    return (
        f"第十三条第一款：验收日期 {held_on.isoformat()} 早于已记录的最近一次验收"
        f"（{latest.held_on.isoformat()}，验收{outcome}），请核对验收日期"
    )


# -- 第三十一条: security in step (三同步) ----------------------------------------------------------------


@rule(
    "P31-PLANNED",
    citation="第三十一条第一款",
    message="项目没有信息安全保障方案（含拟定安全保护等级和安全措施），审查不能通过",
    summary="同步规划：有安全方案方可通过审查",
)
def security_planned(project: Any, ctx: RuleContext) -> bool | str:
    """信息安全保障系统应当与信息化工程项目同步规划、同步建设、同步运行。"""
    missing = []
    if not project.security_plan.strip():
        missing.append("信息安全保障方案")
    if not project.security_level:
        missing.append("拟定安全保护等级")
    if not project.security_measures:
        missing.append("计划建设的安全措施")
    return not missing or "未同步规划信息安全（第三十一条）：缺少" + "、".join(missing)


@rule(
    "P31-BUILT",
    citation="第三十一条第一款",
    message="没有证明计划的安全措施已建成，验收不能通过",
    summary="同步建设：安全措施建成方可验收",
)
def security_built(project: Any, ctx: RuleContext) -> bool | str | None:
    """信息安全保障系统应当与信息化工程项目同步规划、同步建设、同步运行。"""
    if not ctx.payload:
        return None
    built = set(as_list(ctx.payload.get("security_measures_built")))
    missing = [m for m in project.security_measures if m not in built]
    if missing:
        return "以下计划的安全措施未建成：" + "、".join(missing)
    if not str(ctx.payload.get("security_evidence", "")).strip():
        return "须提供安全措施建设证明（如等级测评报告）"
    return True


@rule(
    "P31-RUN",
    citation="第三十一条第一款",
    message="交付使用须确定信息系统的安全保护等级，登记后同步运行",
    summary="同步运行：交付时登记信息系统及其保护等级",
)
def security_level_for_operation(project: Any, ctx: RuleContext) -> bool:
    """信息安全保障系统应当与信息化工程项目同步规划、同步建设、同步运行。"""
    level = ctx.payload.get("protection_level", project.security_level)
    try:
        return 1 <= int(level) <= 5
    except (TypeError, ValueError):
        return False


# -- 第十四条: funds -------------------------------------------------------------------------------------


@rule(
    "P14-FUNDS",
    citation="第十四条",
    message="累计支付超过合同金额（无合同的按批准预算）",
    summary="资金支付不超过合同或预算",
)
def disbursement_within_contract(project: Any, ctx: RuleContext) -> bool | str | None:
    """信息化主管部门应当会同发展和改革、财政、审计等部门，对使用财政性资金的信息化工程项目完成情况和资金使用情况进行监督检查。"""
    amount = _decimal(ctx.payload.get("amount"))
    if amount is None:
        return None
    procurement = project.procurement if hasattr(project, "procurement") else None
    ceiling = procurement.contract_amount if procurement is not None else project.budget
    total = project.disbursed_total() + amount
    if total > ceiling:
        return f"累计支付 {total:,.2f} 元将超过{'合同金额' if procurement else '批准预算'} {ceiling:,.2f} 元"
    return True


@rule(
    "P14-STAGE",
    citation="第十四条",
    message="项目尚未进入建设阶段，不能登记资金支付或进度",
    summary="建设阶段方可登记支付和进度",
)
def in_construction_stage(project: Any, ctx: RuleContext) -> bool:
    """……对使用财政性资金的信息化工程项目完成情况和资金使用情况进行监督检查。"""
    from .models import ACTIVE_STATES

    return project.state in ACTIVE_STATES


# -- annual plan -----------------------------------------------------------------------------------------


@rule(
    "P9-PLAN-NONEMPTY",
    citation="第九条第一款",
    message="年度计划中没有项目，不能报批",
    summary="年度计划列有项目方可报批",
)
def plan_has_projects(plan: Any, ctx: RuleContext) -> bool:
    """信息化主管部门应当组织编制使用财政性资金的信息化工程项目建设年度计划，并报本级人民政府或者开发区管委会批准。"""
    return plan.projects.exists()


@rule(
    "A4-P9-GOVERNMENT",
    citation="第九条第一款",
    message=(
        "第九条第一款：年度建设计划报本级人民政府或者开发区管委会批准，"
        "只有计划所在辖区的人民政府（管委会）审批人员才能批准或退回，上级人民政府不能代为批准"
    ),
    summary="年度计划由本级人民政府或开发区管委会批准（上级人民政府不代批）",
)
def acts_as_plan_government(plan: Any, ctx: RuleContext) -> bool:
    """信息化主管部门应当组织编制使用财政性资金的信息化工程项目建设年度计划，并报本级人民政府或者开发区管委会批准。"""
    return approves_for_government_of(ctx, plan.jurisdiction_id)
