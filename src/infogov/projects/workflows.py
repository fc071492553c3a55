"""The procedures of an informatization project and of the annual construction plan, as declared
transitions: who acts (第四条), which rules guard each step (with their articles), which duties
each step opens or closes. Read beside rules.py and the regulation; what each step writes is in
effects.py.

Fiscal projects (第九、十一、十三、十四条):
    草稿 → 已申报 → 已列入年度计划 → 审查通过 / 审查未通过 → 已完成采购 → 建设中
    → 已竣工 → 已测试 → 验收合格 → 已交付使用
Non-fiscal projects (第十条):
    草稿 → 备案审核中 → 已备案 (or back to 草稿 with reasons) → 建设中 → … → 已交付使用
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from infogov.core.workflow.engine import Transition, Workflow
from infogov.core.workflow.obligations import Duty
from infogov.core.workflow.permissions import register_case_permissions
from infogov.core.workflow.rules import acts_as_assigned_expert, acts_as_competent_authority, acts_for_owner
from infogov.core.workflow.steps import Record
from infogov.org.selectors import authority_of

from . import documents as doc
from . import payloads as P
from . import rules as r
from .choices import ACTIVE_OPEN_STATES, ConditionStatus, ReviewOpinion
from .choices import PlanState as PS
from .choices import ProjectState as S
from .deadlines import (
    ACCEPTANCE_APPLY_DAYS,
    ACCEPTANCE_FILING_DAYS,
    ACCEPTANCE_RECEIPT_DAYS,
    REVIEW_DAYS,
    days_after,
)
from .effects import (
    complete,
    declare_standards,
    include_in_plan,
    inspect,
    note_similar,
    override_risk,
    record_acceptance,
    record_disbursement,
    record_finding,
    record_procurement,
    record_test,
    rectify,
    register_system,
    report_progress,
    review_decision,
    review_outsourcing,
)
from .models import AnnualConstructionPlan, Project


def acceptance_apply_days(on: dt.date | None = None) -> int:
    """Days after completion by which the construction unit tests and accepts: platform policy
    (deadlines.ACCEPTANCE_APPLY_DAYS, by the value in force on the completion date)."""
    return int(ACCEPTANCE_APPLY_DAYS.on(on))


def acceptance_filing_days(on: dt.date | None = None) -> int:
    return int(ACCEPTANCE_FILING_DAYS.on(on))


# -- duties ------------------------------------------------------------------------------------------------


def _owner(p: Project) -> Any:
    return p.owner


def _authority(p: Project) -> Any:
    return authority_of(p.jurisdiction)


def _completion_day(p: Project, today: dt.date) -> dt.date:
    return p.completed_on or today


# 第十三条第一款: the construction unit tests and accepts its completed project (建设单位应当……进行测试，并……
# 进行验收) — the duty is the construction unit's own, owed to nobody else; the deadline is platform policy.
ACCEPTANCE_APPLY = Duty(
    "acceptance-apply",
    f"竣工后申请验收（期限为{ACCEPTANCE_APPLY_DAYS.note}）",
    "第十三条第一款",
    owed_by=_owner,
    owed_to=None,
    due=lambda p, today: (
        _completion_day(p, today) + dt.timedelta(days=acceptance_apply_days(_completion_day(p, today)))
    ),
)
ACCEPTANCE_FILING = Duty(
    "acceptance-filing",
    f"验收结果报信息化主管部门备案（期限为{ACCEPTANCE_FILING_DAYS.note}）",
    "第十三条第二款",
    owed_by=_owner,
    owed_to=_authority,
    due=lambda p, today: today + dt.timedelta(days=acceptance_filing_days(today)),
    when=lambda p: p.is_fiscal,
)
REVIEW_CONDITIONS = Duty(
    "review-conditions",
    "落实审查意见所附条件",
    "第九条第二款",
    owed_by=_owner,
    owed_to=_authority,
    due=lambda p, today: max(
        (c.due_date for c in p.conditions.filter(status=ConditionStatus.OPEN)), default=today
    ),
    when=lambda p: p.conditions.filter(status=ConditionStatus.OPEN).exists(),
)
# 第十三条第二款: the filing is received by the authority, which confirms it with a 备案号 (platform policy)
ACCEPTANCE_RECEIPT = Duty(
    "acceptance-receipt",
    f"确认收到验收结果备案并编发备案号（期限为{ACCEPTANCE_RECEIPT_DAYS.note}）",
    "第十三条第二款",
    owed_by=_authority,
    owed_to=_owner,
    due=lambda p, today: days_after(ACCEPTANCE_RECEIPT_DAYS, today),
)
REVIEW_DUTY = Duty(
    "project-review",
    f"评审已列入年度计划的项目（期限为{REVIEW_DAYS.note}）",
    "第九条第二款",
    owed_by=_authority,
    owed_to=_owner,
    due=lambda p, today: days_after(REVIEW_DAYS, today),
)

owner = (acts_for_owner,)
authority = (acts_as_competent_authority,)
# where the conditions of a conditional pass are verified: from the pass until acceptance (which needs
# them all verified, A9-2-CONDITIONS-ANSWERED)
CONDITION_STATES = (S.REVIEWED, S.PROCURED, S.CONSTRUCTION, S.COMPLETED, S.TESTED)

PROJECT_TRANSITIONS = [
    Transition(
        "submit",
        S.DRAFT,
        S.PROPOSED,
        "申报列入年度计划",
        by=owner,
        guards=(r.is_fiscal_project, r.funding_declared),
        citation="第九条第一款",
        effects=(note_similar,),
    ),
    Transition(
        "return_proposal",
        S.PROPOSED,
        S.DRAFT,
        "退回申报",
        by=authority,
        citation="第九条第一款",
        comment_required=True,
        style="secondary",
    ),
    Transition(
        "include_in_plan",
        S.PROPOSED,
        S.PLANNED,
        "列入年度计划",
        by=authority,
        guards=(r.is_fiscal_project, r.plan_open_for_inclusion, r.plan_of_the_project_year),
        payload=P.IncludeInPlanIn,
        citation="第九条第一款",
        effects=(include_in_plan,),
        opens=(REVIEW_DUTY,),
    ),
    Transition(
        "review_pass",
        S.PLANNED,
        S.REVIEWED,
        "审查通过",
        by=authority,
        guards=(
            r.plan_approved,
            r.four_dimensions_reviewed,
            r.findings_allow_pass,
            r.conditions_listed,
            r.security_planned,
            r.mandatory_standards_declared,
            r.duplicates_acknowledged,
            r.experts_heard,
        ),
        payload=P.ReviewPassIn,
        act_date="decided_on",
        citation="第九条第二款",
        effects=(review_decision(ReviewOpinion.PASS), doc.cite_expert_opinions, doc.number_review_approval),
        opens=(REVIEW_CONDITIONS,),
        closes=("project-review",),
        confirm="审查意见作出后记入案卷且不可撤销，确定通过吗？",
    ),
    Transition(
        "review_fail",
        S.PLANNED,
        S.REJECTED,
        "审查不通过",
        by=authority,
        guards=(r.plan_approved, r.four_dimensions_reviewed, r.experts_heard),
        citation="第九条第二款",
        effects=(review_decision(ReviewOpinion.FAIL), doc.cite_expert_opinions),
        closes=("project-review",),
        comment_required=True,
        style="danger",
    ),
    Transition(
        "record_procurement",
        (S.PLANNED, S.REVIEWED),
        S.PROCURED,
        "录入政府采购结果",
        by=owner,
        guards=(
            r.review_passed,
            r.outsourcing_reviewed,
            r.centralized_procurement,
            r.contract_within_budget,
            r.contract_after_review,
            r.contract_not_in_future,
        ),
        payload=P.ProcurementIn,
        act_date="contract_date",
        citation="第十一条第一款",
        effects=(record_procurement,),
    ),
    Transition(
        "submit_filing",
        S.DRAFT,
        S.FILING,
        "报送备案",
        by=owner,
        guards=(
            r.is_non_fiscal_project,
            r.filing_applies,
            r.funding_declared,
            r.procedures_completed,
            r.mandatory_standards_declared,
        ),
        citation="第十条",
        effects=(note_similar,),
    ),
    Transition(
        "issue_filing",
        S.FILING,
        S.FILED,
        "予以备案",
        by=(r.acts_as_filing_authority,),
        guards=(r.filing_applies, r.filing_complete, r.mandatory_standards_declared),
        citation="第十条",
        effects=(doc.number_filing,),
        confirm="予以备案后将编发备案号，项目即可开工建设，确定予以备案吗？",
    ),
    Transition(
        "return_filing",
        S.FILING,
        S.DRAFT,
        "退回备案",
        by=(r.acts_as_filing_authority,),
        citation="第十条",
        comment_required=True,
        style="secondary",
    ),
    Transition(
        "start_construction",
        (S.PROCURED, S.FILED),
        S.CONSTRUCTION,
        "开工建设",
        by=owner,
        payload=P.StartIn,
        act_date="started_on",
        citation="第九条第二款",
    ),
    Transition(
        "complete",
        S.CONSTRUCTION,
        S.COMPLETED,
        "竣工",
        by=owner,
        payload=P.CompleteIn,
        guards=(r.completion_after_start,),
        act_date="completed_on",
        citation="第十三条第一款",
        effects=(complete,),
        opens=(ACCEPTANCE_APPLY,),
    ),
    Transition(
        "record_test",
        S.COMPLETED,
        S.TESTED,
        "录入测试报告",
        by=owner,
        guards=(r.test_passed, r.mandatory_standards_tested),
        payload=P.TestIn,
        act_date="tested_on",
        citation="第十三条第一款",
        effects=(record_test,),
    ),
    Transition(
        "accept",
        S.TESTED,
        S.ACCEPTED,
        "验收合格",
        by=owner,
        guards=(
            r.has_passed_test,
            r.review_conditions_answered,
            r.security_built,
            r.register_graded,
            r.acceptance_not_backdated,
        ),
        payload=P.AcceptanceIn,
        act_date="held_on",
        citation="第十三条第一款",
        effects=(record_acceptance(True),),
        opens=(ACCEPTANCE_FILING,),
        closes=("acceptance-apply",),
    ),
    Transition(
        "fail_acceptance",
        S.TESTED,
        S.COMPLETED,
        "验收不合格",
        by=owner,
        guards=(r.acceptance_not_backdated,),
        payload=P.AcceptanceIn,
        act_date="held_on",
        citation="第十三条第一款",
        effects=(record_acceptance(False),),
        comment_required=True,
        style="danger",
    ),
    Transition(
        "deliver",
        (S.TESTED, S.ACCEPTED),
        S.DELIVERED,
        "交付使用",
        by=owner,
        guards=(r.acceptance_passed, r.security_level_for_operation),
        payload=P.DeliverIn,
        citation="第十三条第一款",
        effects=(register_system,),
        confirm="交付后将登记信息系统并同步运行安全保障，确定交付吗？",
    ),
]

# Records: steps that keep the project's state and add or change a record under it.
PROJECT_RECORDS = [
    Record(
        name="standards",
        label="声明执行标准",
        states=(S.DRAFT,),
        by=(r.acts_as_editor,),
        payload=P.StandardsIn,
        effects=(declare_standards,),
        citation="第十二条",
    ),
    Record(
        name="review_finding",
        label="录入评审意见",
        states=(S.PLANNED,),
        by=authority,
        guards=(r.acknowledged_in_sharing, r.shared_data_answered),
        payload=P.FindingIn,
        effects=(record_finding,),
        citation="第九条第二款",
    ),
    Record(
        name="condition_answer",
        label="答复审查条件",
        by=owner,
        guards=(r.condition_open,),
        payload=P.ConditionAnswerIn,
        effects=(doc.answer_condition,),
        citation="第九条第二款",
    ),
    Record(
        name="condition_verify",
        label="核实审查条件已落实",
        states=CONDITION_STATES,
        by=authority,
        guards=(r.condition_awaits_verification,),
        payload=P.ConditionVerifyIn,
        effects=(doc.verify_condition,),
        citation="第九条第二款",
        inbox=True,
    ),
    Record(
        name="condition_return",
        label="退回审查条件",
        states=CONDITION_STATES,
        by=authority,
        guards=(r.condition_awaits_verification,),
        payload=P.ConditionReturnIn,
        effects=(doc.return_condition,),
        citation="第九条第二款",
        style="secondary",
    ),
    Record(
        name="experts_convene",
        label="邀请专家评审",
        states=(S.PLANNED,),
        by=authority,
        guards=(r.experts_from_pool, r.expert_due_not_past),
        payload=P.ExpertsConveneIn,
        effects=(doc.convene_experts,),
        citation="第九条第二款",
        style="secondary",
    ),
    Record(
        name="expert_opinion",
        label="提交专家评审意见",
        states=(S.PLANNED,),
        by=(acts_as_assigned_expert,),
        guards=(r.expert_opinion_open,),
        payload=P.ExpertOpinionIn,
        effects=(doc.give_expert_opinion,),
        citation="第九条第二款",
        inbox=True,
    ),
    Record(
        name="expert_missing",
        label="记录专家未提交意见的原因",
        states=(S.PLANNED,),
        by=authority,
        guards=(r.expert_missing_applies,),
        payload=P.ExpertMissingIn,
        effects=(doc.note_expert_missing,),
        citation="第九条第二款",
        style="secondary",
    ),
    Record(
        name="outsourcing_review",
        label="外包项目审核",
        states=(S.PLANNED, S.REVIEWED),
        by=authority,
        guards=(r.is_fiscal_outsourcing,),
        payload=P.OutsourcingIn,
        effects=(review_outsourcing,),
        citation="第十一条第二款",
    ),
    Record(
        name="progress",
        label="报告建设进度",
        by=owner,
        guards=(r.in_construction_stage,),
        payload=P.ProgressIn,
        act_date="reported_on",
        effects=(report_progress,),
        citation="第十四条",
        touch=False,
    ),
    Record(
        name="disbursement",
        label="登记资金支付",
        by=owner,
        guards=(r.in_construction_stage, r.disbursement_within_contract, r.payment_in_order),
        payload=P.DisbursementIn,
        act_date="paid_on",
        effects=(record_disbursement,),
        citation="第十四条",
        touch=False,
        confirm="资金支付登记后记入案卷，不能修改或删除，确定登记吗？",
    ),
    Record(
        name="inspection",
        label="监督检查",
        states=ACTIVE_OPEN_STATES,
        by=authority,
        guards=(r.inspection_applies, r.cosupervisors_valid),
        payload=P.InspectionIn,
        act_date="opened_on",
        effects=(inspect,),
        citation="第十四条",
    ),
    Record(
        name="rectify",
        label="报告整改情况",
        by=owner,
        guards=(r.finding_open,),
        payload=P.RectifyIn,
        effects=(rectify,),
        citation="第十四条",
    ),
    Record(
        name="acceptance_filing",
        label="验收结果备案",
        by=owner,
        guards=(
            r.acceptance_filing_applies,
            r.acceptance_passed,
            r.acceptance_not_filed,
            r.acceptance_report_attached,
        ),
        payload=P.AcceptanceFilingIn,
        act_date="report_date",
        effects=(doc.file_acceptance,),
        citation="第十三条第二款",
        closes=("acceptance-filing",),
        opens=(ACCEPTANCE_RECEIPT,),
        confirm="验收结果备案报送后不能修改，确定报送吗？",
    ),
    Record(
        name="acceptance_receipt",
        label="确认收到验收结果备案",
        states=(S.ACCEPTED, S.DELIVERED),
        by=authority,
        guards=(r.acceptance_filed, r.acceptance_not_received),
        effects=(doc.receive_acceptance_filing,),
        citation="第十三条第二款",
        closes=("acceptance-receipt",),
        inbox=True,
    ),
    Record(
        name="risk_override",
        label="调整风险等级",
        by=authority,
        payload=P.RiskOverrideIn,
        effects=(override_risk,),
        citation="第十四条",
    ),
]

PROJECT_WORKFLOW = Workflow(
    Project,
    states=S,
    initial=S.DRAFT,
    transitions=[*PROJECT_TRANSITIONS, *PROJECT_RECORDS],
    title="信息化工程项目",
)

PLAN_WORKFLOW = Workflow(
    AnnualConstructionPlan,
    states=PS,
    initial=PS.DRAFTING,
    title="年度建设计划",
    transitions=[
        Transition(
            "submit_plan",
            PS.DRAFTING,
            PS.SUBMITTED,
            "报本级人民政府批准",
            by=authority,
            guards=(r.plan_has_projects,),
            citation="第九条第一款",
        ),
        Transition(
            "approve_plan",
            PS.SUBMITTED,
            PS.APPROVED,
            "批准年度计划",
            by=(r.acts_as_plan_government,),
            citation="第九条第一款",
            effects=(doc.number_plan_approval,),
            confirm="批准后计划内项目即可进入评审，确定批准吗？",
        ),
        Transition(
            "return_plan",
            PS.SUBMITTED,
            PS.DRAFTING,
            "退回修改",
            by=(r.acts_as_plan_government,),
            citation="第九条第一款",
            comment_required=True,
            style="secondary",
        ),
    ],
)

WORKFLOW = PROJECT_WORKFLOW

register_case_permissions(Project)
register_case_permissions(AnnualConstructionPlan)
