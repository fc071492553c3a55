"""The procedures of information security as declarations on the workflow core (第三十条至第三十二条).

- 信息系统 (InformationSystem): 登记 → 定级 → 专家评审 → 备案; then the periodic records under it —
  等级测评 with its findings, 风险评估, 容灾备份, 应急预案, 应急演练, 隐患整改 — each a Record step.
- 网络安全事件 (Incident): 处置中 (updates, reports to the competent authority) → 已结案.
- 安全检查 (Inspection, 第三十二条): the city authority's plan → 检查中 (hidden dangers, verification)
  → 已完成.
- 安全责任制 (Responsibility): 草拟 → 施行中, reviewed yearly.
- 通信基础设施安全保障方案备案 (TelecomPlanFiling, 第三十一条第二款): filed with the city authority."""

from __future__ import annotations

from infogov.core.workflow.engine import Transition, Workflow
from infogov.core.workflow.permissions import register_case_permissions
from infogov.core.workflow.rules import acts_for_owner
from infogov.core.workflow.steps import Record

from . import duties, effects
from . import payloads as p
from . import rules as r
from .choices import FilingState, IncidentState, InspectionState, ResponsibilityState, SystemState
from .models import (
    Drill,
    EmergencyPlan,
    Incident,
    IncidentUpdate,
    InformationSystem,
    Inspection,
    Responsibility,
    TelecomPlanFiling,
)

S = SystemState
A30_1 = "第三十条第一款"
A30_2 = "第三十条第二款"
LIVE = (S.REGISTERED, S.GRADED, S.REVIEWED, S.FILED)
OWNER = (acts_for_owner,)

SYSTEM_WORKFLOW = Workflow(
    InformationSystem,
    states=S,
    initial=S.REGISTERED,
    transitions=[
        Transition(
            "determine_level",
            LIVE,
            S.GRADED,
            "确定安全保护等级",
            by=OWNER,
            guards=(r.act_not_in_future, r.level_not_below_matrix),
            payload=p.GradingIn,
            act_date="determined_on",
            citation=A30_1,
            effects=(effects.grade,),
            opens=(duties.FILING, duties.RISK_ASSESSMENT),
        ),
        Transition(
            "review_grading",
            S.GRADED,
            S.REVIEWED,
            "登记定级专家评审",
            by=OWNER,
            guards=(r.act_not_in_future, r.override_has_reasons),
            payload=p.GradingReviewIn,
            act_date="reviewed_on",
            citation=A30_1,
            effects=(effects.review_grading,),
        ),
        Transition(
            "file_record",
            (S.GRADED, S.REVIEWED),
            S.FILED,
            "登记公安机关备案",
            by=OWNER,
            guards=(
                r.act_not_in_future,
                r.filing_needs_level_two,
                r.reviewed_before_filing,
                r.filed_after_grading,
            ),
            payload=p.FilingIn,
            act_date="filed_on",
            citation=A30_1,
            effects=(effects.file_record,),
            closes=("sec-filing",),
            opens=(duties.EVALUATION,),
        ),
        Transition(
            "retire",
            LIVE,
            S.RETIRED,
            "系统下线",
            by=OWNER,
            citation=A30_1,
            comment_required=True,
            style="danger",
            confirm="系统下线后不再登记测评和评估，确定下线吗？",
        ),
        Record(
            name="record_evaluation",
            label="登记等级测评",
            states=(S.FILED,),
            by=OWNER,
            guards=(r.act_not_in_future, r.result_matches_score),
            payload=p.EvaluationIn,
            act_date="evaluated_on",
            citation=A30_1,
            effects=(effects.evaluate,),
            closes=("sec-evaluation",),
            opens=(duties.EVALUATION,),
        ),
        Record(
            name="rectify_finding",
            label="登记问题整改",
            states=LIVE,
            by=OWNER,
            guards=(r.act_not_in_future, r.finding_open),
            payload=p.RectifyIn,
            act_date="rectified_on",
            citation=A30_1,
            effects=(effects.rectify,),
        ),
        Record(
            name="record_backup",
            label="登记容灾备份措施",
            states=LIVE,
            by=OWNER,
            guards=(r.restore_test_done,),
            payload=p.BackupIn,
            citation=A30_1,
            effects=(effects.backup,),
        ),
        Record(
            name="record_risk_assessment",
            label="登记风险评估",
            states=LIVE,
            by=OWNER,
            guards=(r.act_not_in_future, r.risks_treated),
            payload=p.RiskAssessmentIn,
            act_date="assessed_on",
            citation=A30_1,
            effects=(effects.assess_risks,),
            closes=("sec-risk-assessment",),
            opens=(duties.RISK_ASSESSMENT,),
        ),
        Record(
            name="treat_risk",
            label="登记风险处置",
            states=LIVE,
            by=OWNER,
            guards=(r.act_not_in_future, r.risk_open),
            payload=p.TreatRiskIn,
            act_date="treated_on",
            citation=A30_1,
            effects=(effects.treat_risk,),
        ),
        Record(
            name="record_emergency_plan",
            label="登记应急预案",
            states=LIVE,
            by=OWNER,
            guards=(r.act_not_in_future,),
            payload=p.EmergencyPlanIn,
            act_date="approved_on",
            creates=EmergencyPlan,
            citation=A30_1,
            closes=("sec-plan-review",),
            opens=(duties.PLAN_REVIEW,),
        ),
        Record(
            name="record_drill",
            label="登记应急演练",
            states=LIVE,
            by=OWNER,
            guards=(r.act_not_in_future,),
            payload=p.DrillIn,
            act_date="held_on",
            creates=Drill,
            citation=A30_1,
            closes=("sec-drill",),
            opens=(duties.DRILL,),
        ),
        Record(
            name="answer_danger",
            label="报告隐患整改情况",
            states=LIVE,
            by=OWNER,
            guards=(r.act_not_in_future, r.danger_open),
            payload=p.DangerAnswerIn,
            act_date="answered_on",
            citation="第三十二条",
            effects=(effects.answer_danger,),
        ),
    ],
)

INCIDENT_WORKFLOW = Workflow(
    Incident,
    states=IncidentState,
    initial=IncidentState.HANDLING,
    transitions=[
        Record(
            name="add_update",
            label="登记处置进展",
            states=(IncidentState.HANDLING,),
            by=OWNER,
            guards=(r.after_detection,),
            payload=p.IncidentUpdateIn,
            creates=IncidentUpdate,
            citation=A30_2,
        ),
        Record(
            name="report",
            label="登记向主管部门的报告",
            by=OWNER,
            guards=(r.after_detection,),
            payload=p.IncidentReportIn,
            citation=A30_2,
            effects=(effects.report_incident,),
        ),
        Transition(
            "close",
            IncidentState.HANDLING,
            IncidentState.CLOSED,
            "结案",
            by=OWNER,
            guards=(r.act_not_in_future, r.reported_before_closing),
            payload=p.IncidentCloseIn,
            act_date="closed_on",
            citation=A30_2,
            effects=(effects.close_incident,),
            confirm="结案后不能再登记处置进展，确定结案吗？",
        ),
    ],
)

CITY = (r.acts_as_city_authority,)

INSPECTION_WORKFLOW = Workflow(
    Inspection,
    states=InspectionState,
    initial=InspectionState.PLANNED,
    transitions=[
        Transition(
            "start",
            InspectionState.PLANNED,
            InspectionState.UNDERWAY,
            "开始检查",
            by=CITY,
            citation="第三十二条",
        ),
        Record(
            name="record_danger",
            label="登记安全隐患",
            states=(InspectionState.UNDERWAY,),
            by=CITY,
            guards=(r.act_not_in_future, r.danger_system_registered, r.deadline_after_finding),
            payload=p.DangerIn,
            act_date="found_on",
            citation="第三十二条",
            effects=(effects.record_danger,),
            confirm="隐患登记后即向该系统的所属单位开启整改义务，不能删除，确定登记吗？",
        ),
        Record(
            name="verify_danger",
            label="核验隐患整改",
            states=(InspectionState.UNDERWAY, InspectionState.COMPLETED),
            by=CITY,
            guards=(r.act_not_in_future, r.danger_answered),
            payload=p.VerifyIn,
            act_date="verified_on",
            citation="第三十二条",
            effects=(effects.verify_danger,),
        ),
        Transition(
            "complete",
            InspectionState.UNDERWAY,
            InspectionState.COMPLETED,
            "完成检查",
            by=CITY,
            payload=p.InspectionCompleteIn,
            citation="第三十二条",
            effects=(effects.complete_inspection,),
        ),
    ],
)

RESPONSIBILITY_WORKFLOW = Workflow(
    Responsibility,
    states=ResponsibilityState,
    initial=ResponsibilityState.DRAFT,
    transitions=[
        Transition(
            "establish",
            ResponsibilityState.DRAFT,
            ResponsibilityState.IN_FORCE,
            "建立责任制",
            by=OWNER,
            guards=(r.act_not_in_future,),
            payload=p.ResponsibilityIn,
            act_date="reviewed_on",
            citation=A30_1,
            effects=(effects.set_responsibility,),
            opens=(duties.RESPONSIBILITY_REVIEW,),
        ),
        Record(
            name="review",
            label="年度复核责任制",
            states=(ResponsibilityState.IN_FORCE,),
            by=OWNER,
            guards=(r.act_not_in_future,),
            payload=p.ResponsibilityIn,
            act_date="reviewed_on",
            citation=A30_1,
            effects=(effects.set_responsibility,),
            closes=("sec-responsibility-review",),
            opens=(duties.RESPONSIBILITY_REVIEW,),
        ),
    ],
)

F = FilingState
TELECOM_WORKFLOW = Workflow(
    TelecomPlanFiling,
    states=F,
    initial=F.DRAFT,
    transitions=[
        Transition(
            "submit",
            (F.DRAFT, F.RETURNED),
            F.SUBMITTED,
            "报市信息化主管部门备案",
            by=OWNER,
            guards=(r.act_not_in_future,),
            payload=p.TelecomSubmitIn,
            act_date="submitted_on",
            citation="第三十一条第二款",
            effects=(effects.submit_telecom,),
            opens=(duties.TELECOM_FILING,),
        ),
        Transition(
            "file",
            F.SUBMITTED,
            F.FILED,
            "备案",
            by=(r.acts_as_city_authority_for_telecom,),
            guards=(r.act_not_in_future,),
            payload=p.TelecomFileIn,
            act_date="filed_on",
            citation="第三十一条第二款",
            effects=(effects.file_telecom,),
            closes=("sec-telecom-filing",),
        ),
        Transition(
            "return_filing",
            F.SUBMITTED,
            F.RETURNED,
            "退回补正",
            by=(r.acts_as_city_authority_for_telecom,),
            citation="第三十一条第二款",
            closes=("sec-telecom-filing",),
            comment_required=True,
            style="danger",
        ),
    ],
)

WORKFLOW = SYSTEM_WORKFLOW
for _model in (InformationSystem, Incident, Inspection, Responsibility, TelecomPlanFiling):
    register_case_permissions(_model)
