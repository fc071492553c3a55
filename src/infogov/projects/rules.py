"""The rules of 《吉林市信息化促进办法》 that guard informatization projects, in article order.

One function per rule; each docstring quotes the clause it enforces. A rule reads the project (and the
step's typed input, ``ctx.input``), never writes. Codes read ``A{article}-{paragraph}-{NAME}`` (no
paragraph for an article of one: ``A14-FUNDS``); actor rules (who may act) keep the ``A4-`` prefix,
which the core reads as a 403, followed by the clause that names the actor (``A10-FILING-AUTHORITY``).
Read side by side with workflows.py and the regulation; docs/rule-codes.md maps the first codes.

Every refusal of the projects app comes from here: the steps name these rules as their actors and
guards, and what is not a step (registering a project, opening an annual plan) calls ``require()``.

The rules are declared in article order over three modules: rules_approval.py holds 第三条至第九条 (a
project up to its approval) and the helpers; rules_filing.py 第九条第二款's 不重复采集 and 第十条 (the
filing of non-fiscal projects); this module holds 第十一条至第三十一条 (procurement, standards, testing
and acceptance, funds and supervision, security) and re-exports every name of the other two, so that
``rules.X`` reads any rule of the app.
"""

from __future__ import annotations

from typing import Any

from infogov.core.workflow.rules import RuleContext, rule
from infogov.security import selectors as register

from .choices import Category, ProcurementMethod

# every name of rules_approval.py is re-exported here: rules.X reads any rule of the app
from .rules_approval import (  # noqa: F401
    CREATOR_ROLES,
    acknowledged_in_sharing,
    acts_as_editor,
    acts_as_plan_government,
    condition_awaits_verification,
    condition_open,
    conditions_listed,
    contract_after_review,
    duplicates_acknowledged,
    expert_due_not_past,
    expert_missing_applies,
    expert_opinion_open,
    experts_from_pool,
    experts_heard,
    findings_allow_pass,
    four_dimensions_reviewed,
    funding_declared,
    given,
    is_fiscal_project,
    maintains_standards_catalogue,
    no_plan_yet,
    plan_approved,
    plan_has_projects,
    plan_of_the_project_year,
    plan_open_for_inclusion,
    plans_for_own_jurisdiction,
    registers_for_own_unit,
    require,
    review_conditions_answered,
    review_day,
    review_passed,
)

# the rules of 第九条第二款 (不重复采集) and 第十条 (filing), re-exported: rules.X reads any rule of the app
from .rules_filing import (  # noqa: F401
    acts_as_filing_authority,
    filing_applies,
    filing_complete,
    filing_jurisdiction,
    is_non_fiscal_project,
    procedures_completed,
    shared_data_answered,
)

# -- 第十一条: procurement and outsourcing -------------------------------------------------------------


@rule(
    "A11-1-CENTRALIZED",
    citation="第十一条第一款",
    message="须按政府集中采购录入：采购方式为政府采购法规定的方式，合同金额大于零",
    summary="财政性资金项目纳入政府集中采购",
)
def centralized_procurement(project: Any, ctx: RuleContext) -> bool | str:
    """使用财政性资金的信息化工程项目和信息服务外包项目应当纳入政府集中采购。"""
    if given(ctx).method not in ProcurementMethod.values:
        return "采购方式须为政府采购法规定的方式：" + "、".join(str(m.label) for m in ProcurementMethod)
    if given(ctx).contract_amount <= 0:
        return "合同金额须为大于零的数"
    return True


@rule(
    "A11-1-BUDGET",
    citation="第十一条第一款",
    message="合同金额超过批准的预算金额，不能录入",
    summary="合同金额不得超过批准预算",
)
def contract_within_budget(project: Any, ctx: RuleContext) -> bool | str:
    """使用财政性资金的信息化工程项目……应当纳入政府集中采购。（采购合同不得超出批准的预算）"""
    amount = given(ctx).contract_amount
    if amount > project.budget:
        return f"合同金额 {amount:,.2f} 元超过批准的预算 {project.budget:,.2f} 元"
    return True


@rule(
    "A11-1-CONTRACT-DATE",
    citation="第十一条第一款",
    message="合同签订日期不能晚于录入之日（平台规定：采购结果在合同签订后录入）",
    summary="平台规定：不录入未来日期的采购合同",
)
def contract_not_in_future(project: Any, ctx: RuleContext) -> bool | str:
    """使用财政性资金的信息化工程项目……应当纳入政府集中采购。（平台规定：录入的是已签订的合同，
    合同日期不晚于录入之日；第十一条第一款本身未规定日期）"""
    signed = given(ctx).contract_date
    if signed is not None and signed > ctx.today:
        return f"合同签订日期 {signed.isoformat()} 晚于今天（平台规定：采购结果在合同签订后录入）"
    return True


@rule(
    "A11-2-OUTSOURCING-PROJECT",
    citation="第十一条第二款",
    message="只有使用财政性资金的信息服务外包项目需要信息化主管部门审核",
    summary="外包审核适用于财政性资金的信息服务外包项目",
)
def is_fiscal_outsourcing(project: Any, ctx: RuleContext) -> bool:
    """信息化主管部门应当对使用财政性资金的信息服务外包项目进行审核。"""
    return project.needs_outsourcing_review


@rule(
    "A11-2-OUTSOURCING",
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
    "A12-MANDATORY",
    citation="第十二条",
    message="项目未声明执行适用的强制性标准",
    summary="执行强制性标准，不得免除",
)
def mandatory_standards_declared(project: Any, ctx: RuleContext) -> bool | str:
    """信息化工程项目建设应当执行国家、地方和行业强制性标准。

    The standards judged are the project's declared ones, or those of ``standards`` in the context's
    payload when given (the register form judges the standards being declared)."""
    given = ctx.payload.get("standards")
    missing = missing_mandatory_standards(project, None if given is None else set(given))
    if not missing:
        return True
    return f"适用于“{Category(project.category).label}”类项目的强制性标准不得免除：" + "、".join(missing)


@rule(
    "A12-TESTED",
    citation="第十二条",
    message="测试报告未覆盖项目执行的强制性标准",
    summary="按强制性标准测试",
)
def mandatory_standards_tested(project: Any, ctx: RuleContext) -> bool | str:
    """信息化工程项目建设应当执行国家、地方和行业强制性标准。（第十三条：按照国家标准或者行业标准进行测试）"""
    tested = set(given(ctx).standards)
    declared = set(project.standards.filter(mandatory=True).values_list("code", flat=True))
    missing = sorted(declared - tested)
    return not missing or "测试报告未覆盖强制性标准：" + "、".join(missing)


# -- 第十三条: testing, acceptance, delivery, filing of the result -------------------------------------


@rule(
    "A13-1-TEST-PASSED",
    citation="第十三条第一款",
    message="测试结论为不通过，须整改后重新测试",
    summary="竣工后按标准测试通过",
)
def test_passed(project: Any, ctx: RuleContext) -> bool:
    """信息化工程项目竣工后，建设单位应当按照国家标准或者行业标准进行测试……"""
    return bool(given(ctx).passed)  # a form leaves an unticked box out: not passed


@rule(
    "A13-1-TESTED",
    citation="第十三条第一款",
    message="项目尚无通过的测试报告，不能验收",
    summary="测试通过后验收",
)
def has_passed_test(project: Any, ctx: RuleContext) -> bool:
    """……按照国家标准或者行业标准进行测试，并按照国家规定进行验收。"""
    return project.test_reports.filter(passed=True).exists()


def construction_started_on(project: Any) -> Any:
    """The day construction started: the date the start_construction step named, else the day it was
    taken (None before construction)."""
    import datetime as dt

    from django.utils import timezone

    from infogov.core.models import DocketEvent

    event = DocketEvent.objects.for_case(project).filter(action="start_construction").order_by("-seq").first()
    if event is None:
        return None
    named = (event.payload or {}).get("started_on")
    return dt.date.fromisoformat(named) if named else timezone.localdate(event.at)


@rule(
    "A13-1-COMPLETION-AFTER-START",
    citation="第十三条第一款",
    message="竣工日期不能早于开工日期（平台规定：按发生先后记录）",
    summary="平台规定：竣工不早于开工",
)
def completion_after_start(project: Any, ctx: RuleContext) -> bool | str | None:
    """信息化工程项目竣工后，建设单位应当……进行测试……（平台规定：竣工日期不早于开工日期，案卷按发生先后记录）"""
    done = given(ctx).completed_on or ctx.today
    started = construction_started_on(project)
    if started is None:
        return None
    if done < started:
        return f"竣工日期 {done.isoformat()} 早于开工日期 {started.isoformat()}（平台规定：按发生先后记录）"
    return True


def latest_acceptance(project: Any) -> Any:
    """The acceptance recorded last (in the order the docket recorded them, not by the date written
    on it): its conclusion is the project's acceptance result. A13-1-ACCEPTANCE-ORDER keeps the dates
    in the same order."""
    return project.acceptances.order_by("-id").first()


@rule(
    "A13-1-ACCEPTED",
    citation="第十三条第一款",
    message="未经验收或者验收不合格的项目，不得交付使用",
    summary="验收合格方可交付使用",
)
def acceptance_passed(project: Any, ctx: RuleContext) -> bool:
    """未经验收或者验收不合格的项目，不得交付使用。"""
    latest = latest_acceptance(project)
    return latest is not None and latest.passed


@rule(
    "A13-1-ACCEPTANCE-ORDER",
    citation="第十三条第一款",
    message="第十三条第一款：验收日期不得早于已记录的最近一次验收的日期",
    summary="验收按发生先后记录，后一次验收的结论为准",
)
def acceptance_not_backdated(project: Any, ctx: RuleContext) -> bool | str:
    """……并按照国家规定进行验收。未经验收或者验收不合格的项目，不得交付使用。
    （以最近一次验收的结论为准：后记录的验收不得早于已记录的验收日期，否则案卷的先后与验收的先后不一致）"""
    held_on = given(ctx).held_on or ctx.today  # what the step records when no date is given
    latest = latest_acceptance(project)
    if latest is None or held_on >= latest.held_on:
        return True
    outcome = "合格" if latest.passed else "不合格"
    return (
        f"第十三条第一款：验收日期 {held_on.isoformat()} 早于已记录的最近一次验收"
        f"（{latest.held_on.isoformat()}，验收{outcome}），请核对验收日期"
    )


@rule(
    "A13-2-FISCAL",
    citation="第十三条第二款",
    message="只有使用财政性资金的项目须将验收结果报信息化主管部门备案",
    summary="财政性资金项目备案验收结果",
)
def acceptance_filing_applies(project: Any, ctx: RuleContext) -> bool:
    """使用财政性资金的信息化工程项目，建设单位应当将验收结果报信息化主管部门备案。"""
    return project.is_fiscal


@rule(
    "A13-2-NOT-FILED",
    citation="第十三条第二款",
    message="验收结果已备案，不能重复备案",
    summary="验收结果备案一次",
)
def acceptance_not_filed(project: Any, ctx: RuleContext) -> bool:
    """……建设单位应当将验收结果报信息化主管部门备案。（备案一次，以备案的验收结果为准）"""
    from .models import AcceptanceFiling

    return not AcceptanceFiling.objects.filter(project=project).exists()


# -- 第十三条第二款: the acceptance report filed, and the authority's receipt ------------------------------


@rule(
    "A13-2-REPORT",
    citation="第十三条第二款",
    message="验收结果备案须附验收报告：请先上传验收报告，再在备案时选择",
    summary="备案附验收报告",
)
def acceptance_report_attached(project: Any, ctx: RuleContext) -> bool:
    """使用财政性资金的信息化工程项目验收结果应当报信息化主管部门备案。（备案材料为验收报告及其附件）"""
    return bool(given(ctx).attachments)


@rule(
    "A13-2-FILED",
    citation="第十三条第二款",
    message="建设单位尚未报送验收结果备案，无可确认收到的备案",
    summary="确认收到已报送的验收结果备案",
)
def acceptance_filed(project: Any, ctx: RuleContext) -> bool:
    """……验收结果应当报信息化主管部门备案。（主管部门收到备案材料后确认）"""
    from .models import AcceptanceFiling

    return AcceptanceFiling.objects.filter(project=project).exists()


@rule(
    "A13-2-NOT-RECEIVED",
    citation="第十三条第二款",
    message="已确认收到该验收结果备案并编发备案号，不能重复确认",
    summary="每份验收结果备案确认一次",
)
def acceptance_not_received(project: Any, ctx: RuleContext) -> bool:
    """……验收结果应当报信息化主管部门备案。（确认收到一次，备案号一经编发不再改变）"""
    from .models import AcceptanceFiling

    return not AcceptanceFiling.objects.filter(project=project, received_at__isnull=False).exists()


# -- 第十四条: funds and supervision -------------------------------------------------------------------


@rule(
    "A14-STAGE",
    citation="第十四条",
    message="项目尚未进入建设阶段，不能登记资金支付或进度",
    summary="建设阶段方可登记支付和进度",
)
def in_construction_stage(project: Any, ctx: RuleContext) -> bool:
    """……对使用财政性资金的信息化工程项目完成情况和资金使用情况进行监督检查。"""
    from .models import ACTIVE_STATES

    return project.state in ACTIVE_STATES


@rule(
    "A14-FUNDS",
    citation="第十四条",
    message="累计支付超过合同金额（无合同的按批准预算）",
    summary="资金支付不超过合同或预算",
)
def disbursement_within_contract(project: Any, ctx: RuleContext) -> bool | str:
    """信息化主管部门应当会同发展和改革、财政、审计等部门，对使用财政性资金的信息化工程项目完成情况和资金使用情况进行监督检查。"""
    procurement = project.procurement if hasattr(project, "procurement") else None
    ceiling = procurement.contract_amount if procurement is not None else project.budget
    total = project.disbursed_total() + given(ctx).amount
    if total > ceiling:
        return f"累计支付 {total:,.2f} 元将超过{'合同金额' if procurement else '批准预算'} {ceiling:,.2f} 元"
    return True


@rule(
    "A14-PAID-IN-ORDER",
    citation="第十四条",
    message="支付日期不能早于合同签订日期或开工日期（平台规定：资金按合同、在建设中支付）",
    summary="平台规定：支付不早于合同和开工",
)
def payment_in_order(project: Any, ctx: RuleContext) -> bool | str:
    """……对使用财政性资金的信息化工程项目完成情况和资金使用情况进行监督检查。
    （平台规定：支付记录须在合同签订、开工之后，否则资金使用情况无从核对；第十四条本身未规定日期）"""
    paid = given(ctx).paid_on or ctx.today
    procurement = project.procurement if hasattr(project, "procurement") else None
    if procurement is not None and procurement.contract_date and paid < procurement.contract_date:
        return (
            f"支付日期 {paid.isoformat()} 早于合同签订日期 {procurement.contract_date.isoformat()}"
            "（平台规定：资金按合同支付）"
        )
    started = construction_started_on(project)
    if started is not None and paid < started:
        return f"支付日期 {paid.isoformat()} 早于开工日期 {started.isoformat()}（平台规定：资金在建设中支付）"
    return True


@rule(
    "A14-FISCAL",
    citation="第十四条",
    message="第十四条的监督检查针对使用财政性资金的项目",
    summary="监督检查使用财政性资金的项目",
)
def inspection_applies(project: Any, ctx: RuleContext) -> bool:
    """……对使用财政性资金的信息化工程项目完成情况和资金使用情况进行监督检查。"""
    return project.is_fiscal


@rule(
    "A14-COSUPERVISORS",
    citation="第十四条",
    message="协同监督部门须为发展和改革、财政、审计等部门",
    summary="会同发展改革、财政、审计等部门",
)
def cosupervisors_valid(project: Any, ctx: RuleContext) -> bool | str:
    """信息化主管部门应当会同发展和改革、财政、审计等部门……进行监督检查。"""
    from infogov.org.models import Organisation

    wanted = set(given(ctx).cosupervisors)
    if not wanted:
        return True
    found = dict(Organisation.objects.filter(pk__in=wanted).values_list("pk", "cosupervision"))
    if set(found) != wanted:
        return "协同监督部门不存在"
    return all(found.values()) or "协同监督部门须为发展和改革、财政、审计等部门"


@rule(
    "A14-FINDING-OPEN",
    citation="第十四条",
    message="该问题已报告整改，整改情况以已报告的为准",
    summary="每个检查问题报告整改一次",
)
def finding_open(project: Any, ctx: RuleContext) -> bool | None:
    """……进行监督检查。（检查发现的问题限期整改，建设单位报告整改情况，记入案卷后不再改写）"""
    finding = project.inspection_findings.filter(pk=given(ctx).finding_id).first()
    if finding is None:
        return None  # not a finding of this project: the step answers 404
    return finding.rectified_at is None


# -- 第三十一条: security in step (三同步) ----------------------------------------------------------------


@rule(
    "A31-1-PLANNED",
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
    "A31-1-BUILT",
    citation="第三十一条第一款",
    message="没有证明计划的安全措施已建成，验收不能通过",
    summary="同步建设：安全措施建成方可验收",
)
def security_built(project: Any, ctx: RuleContext) -> bool | str:
    """信息安全保障系统应当与信息化工程项目同步规划、同步建设、同步运行。"""
    built = set(given(ctx).security_measures_built)
    missing = [m for m in project.security_measures if m not in built]
    if missing:
        return "以下计划的安全措施未建成：" + "、".join(missing)
    if not given(ctx).security_evidence.strip():
        return "须提供安全措施建设证明（如等级测评报告）"
    return True


@rule(
    "A31-1-GRADED",
    citation="第三十一条第一款",
    message="信息系统登记显示项目建设的第二级以上信息系统尚未确定安全保护等级，验收不能通过",
    summary="同步建设：登记的第二级以上系统已定级方可验收",
)
def register_graded(project: Any, ctx: RuleContext) -> bool | str:
    """信息安全保障系统应当与信息化工程项目同步规划、同步建设、同步运行。（项目新建或改造的系统在信息系统
    登记中为第二级以上的，其安全保护等级须已确定（定级），安全保护措施方能按等级建成）"""
    ungraded = [
        f"{s.title}（第{s.level or project.security_level}级）"
        for s in register.systems_for_project(project.pk, project.owner_id, _system_names(project))
        if (s.level or project.security_level or 0) >= 2 and not s.determined
    ]
    return not ungraded or "信息系统登记中以下系统尚未定级（第三十条第一款）：" + "、".join(ungraded)


def _system_names(project: Any) -> list[str]:
    """The names of the systems the project builds or rebuilds (新建或改造的系统) and its title (the
    name a delivery registers by default)."""
    return [*(str(n) for n in (project.systems or []) if n), project.title]


def operating_level(project: Any, given: Any) -> int | None:
    """The protection level a delivery puts in the register: the one given at delivery, else the
    register's determined level of the system (定级: an existing system rebuilt), else the project's
    planned level."""
    if given and given.protection_level:
        return int(given.protection_level)
    name = (given.system_name if given else "") or project.title
    for s in register.systems_for_project(project.pk, project.owner_id, [name]):
        if s.title == name and s.determined and s.level:
            return s.level
    return project.security_level


@rule(
    "A31-1-RUN",
    citation="第三十一条第一款",
    message="交付使用须确定信息系统的安全保护等级，登记后同步运行",
    summary="同步运行：交付时登记信息系统及其保护等级",
)
def security_level_for_operation(project: Any, ctx: RuleContext) -> bool:
    """信息安全保障系统应当与信息化工程项目同步规划、同步建设、同步运行。（交付时的安全保护等级：交付时填写的，
    否则信息系统登记中已确定的，否则项目拟定的）"""
    level = operating_level(project, ctx.input or None)  # explain(): the register's or the planned level
    return level is not None and 1 <= int(level) <= 5
