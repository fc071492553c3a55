"""The typed input of each security step (Core v2): the API body, the web form's validation and what the
rules read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import timezone
from pydantic import AfterValidator, Field

from infogov.core.workflow.payloads import (
    EARLIEST_DATE,
    LATEST_DATE,
    ActDate,
    RequiredText,
    StepInput,
    Text,
)


def _moment(value: dt.datetime) -> dt.datetime:
    """A time of day in the window of dates; a time without a zone is Beijing time."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    if not EARLIEST_DATE <= timezone.localtime(value).date() <= LATEST_DATE:
        raise ValueError(f"应在 {EARLIEST_DATE.isoformat()} 至 {LATEST_DATE.isoformat()} 之间")
    return value


ActTime = Annotated[dt.datetime, AfterValidator(_moment)]
Short = Annotated[RequiredText, Field(max_length=100)]
Level = Annotated[int, Field(ge=1, le=5)]
Scale = Annotated[int, Field(ge=1, le=5)]
RecordId = Annotated[int, Field(ge=1, le=2**62)]

# -- the system register and classified protection (第三十条第一款) -----------------------------------


class GradingIn(StepInput):
    object_harmed: Literal["citizens", "society", "state"] = Field(
        title="受侵害客体",
        description="citizens 公民法人和其他组织合法权益；society 社会秩序和公共利益；state 国家安全",
    )
    harm_degree: Literal["general", "serious", "grave"] = Field(
        title="侵害程度", description="general 一般损害；serious 严重损害；grave 特别严重损害"
    )
    declared_level: Level = Field(title="拟定安全保护等级")
    reasoning: RequiredText = Field(title="定级理由")
    determined_on: ActDate = Field(title="定级日期")


class GradingReviewIn(StepInput):
    reviewed_on: ActDate = Field(title="评审日期")
    experts: RequiredText = Field(title="评审专家")
    opinion: RequiredText = Field(title="评审意见")
    reviewed_level: Level = Field(title="评审确定的等级")
    override_reasons: Text = Field(
        "", title="低于定级矩阵的理由", description="评审确定的等级低于定级矩阵时必填"
    )


class FilingIn(StepInput):
    filed_on: ActDate = Field(title="备案日期")
    filing_number: Annotated[RequiredText, Field(max_length=64)] = Field(title="备案证明编号")
    filing_organ: Short = Field(title="受理备案的公安机关")


class IssueIn(StepInput):
    description: RequiredText = Field(title="问题描述")
    severity: Literal["高", "中", "低"] = Field("中", title="风险程度")
    due_date: ActDate = Field(title="整改期限")


class EvaluationIn(StepInput):
    evaluated_on: ActDate = Field(title="测评日期")
    agency: Short = Field(title="测评机构")
    report_number: Annotated[RequiredText, Field(max_length=64)] = Field(title="测评报告编号")
    result: Literal["优", "良", "中", "差"] = Field(title="测评结论")
    score: Decimal = Field(title="综合得分", ge=0, le=100, max_digits=5, decimal_places=2)
    issues: list[IssueIn] = Field(default_factory=list, title="发现的问题", max_length=100)


class RectifyIn(StepInput):
    finding_id: RecordId = Field(title="测评问题")
    rectified_on: ActDate = Field(title="整改完成日期")
    rectification: RequiredText = Field(title="整改措施")


class BackupIn(StepInput):
    backup_scope: RequiredText = Field(title="备份内容")
    backup_frequency: Short = Field(title="备份频率")
    backup_location: Short = Field(title="备份地点")
    last_restore_test: ActDate | None = Field(None, title="最近恢复测试日期")


class RiskIn(StepInput):
    name: Annotated[RequiredText, Field(max_length=200)] = Field(title="风险")
    likelihood: Scale = Field(title="可能性（1–5）")
    impact: Scale = Field(title="影响（1–5）")
    treatment: Literal["", "accept", "reduce", "transfer", "avoid"] = Field("", title="处置方式")
    treatment_owner: Annotated[Text, Field(max_length=50)] = Field("", title="处置责任人")
    due_date: ActDate | None = Field(None, title="处置期限")
    residual_likelihood: Scale | None = Field(None, title="残余可能性")
    residual_impact: Scale | None = Field(None, title="残余影响")


class RiskAssessmentIn(StepInput):
    assessed_on: ActDate = Field(title="评估日期")
    assets: RequiredText = Field(title="资产")
    threats: RequiredText = Field(title="威胁")
    vulnerabilities: RequiredText = Field(title="脆弱性")
    existing_measures: Text = Field("", title="已有安全措施")
    risks: list[RiskIn] = Field(default_factory=list, title="风险", max_length=200)


class TreatRiskIn(StepInput):
    risk_id: RecordId = Field(title="风险")
    treated_on: ActDate = Field(title="处置完成日期")
    residual_likelihood: Scale = Field(title="残余可能性")
    residual_impact: Scale = Field(title="残余影响")


class EmergencyPlanIn(StepInput):
    approved_on: ActDate = Field(title="批准（修订）日期")
    scenarios: RequiredText = Field(title="应急场景")
    roles: RequiredText = Field(title="职责分工")
    contacts: RequiredText = Field(title="联系人及联系方式")
    rto_hours: Decimal = Field(title="恢复时间目标（小时）", ge=0, le=99999, max_digits=7, decimal_places=2)
    rpo_hours: Decimal = Field(title="恢复点目标（小时）", ge=0, le=99999, max_digits=7, decimal_places=2)


class DrillIn(StepInput):
    held_on: ActDate = Field(title="演练日期")
    scenario: RequiredText = Field(title="演练场景")
    participants: RequiredText = Field(title="参演单位和人员")
    findings: Text = Field("", title="发现的问题")


class DangerAnswerIn(StepInput):
    danger_id: RecordId = Field(title="安全隐患")
    answered_on: ActDate = Field(title="整改完成日期")
    answer: RequiredText = Field(title="整改情况")


# -- incidents (第三十条第二款) ----------------------------------------------------------------------


class IncidentOpenIn(StepInput):
    """登记网络安全事件 (第三十条第二款): the API body and the page's form."""

    title: Short = Field(title="事件名称")
    grade: Literal["特别重大", "重大", "较大", "一般"] = Field(
        title="事件级别", description="按《国家网络安全事件应急预案》分级"
    )
    critical_operator: bool = Field(
        False, title="关键信息基础设施运营者", description="勾选后按关键信息基础设施运营者的报告时限计算"
    )
    detected_at: ActTime = Field(title="发现时间", description="如 2026-12-03 09:30（北京时间）")
    system_ids: list[RecordId] = Field(default_factory=list, title="受影响的系统", max_length=100)
    description: Text = Field("", title="事件经过", description="发生和发现的经过，记入案卷")
    affected_data: Text = Field("", title="受影响的数据")
    measures: Text = Field("", title="已采取的处置措施")


class IncidentUpdateIn(StepInput):
    at: ActTime = Field(title="时间", description="如 2026-12-03 09:30（北京时间）")
    kind: Literal["处置", "进展", "恢复", "取证"] = Field("进展", title="类别")
    content: RequiredText = Field(title="内容")


class IncidentReportIn(StepInput):
    reported_at: ActTime = Field(title="报告时间", description="如 2026-12-03 09:30（北京时间）")
    recipient: Short = Field(title="报告对象")
    content: RequiredText = Field(title="报告内容")


class IncidentCloseIn(StepInput):
    closed_on: ActDate = Field(title="结案日期")
    root_cause: RequiredText = Field(title="事件原因")
    lessons: RequiredText = Field(title="经验教训和整改")


# -- inspections (第三十二条) -----------------------------------------------------------------------


class InspectionPlanIn(StepInput):
    """制定安全检查计划 (第三十二条): the API body and the page's form."""

    title: Short = Field(title="检查名称")
    scope: RequiredText = Field(title="检查范围", description="通信基础信息网络、重点领域信息网络与信息系统")
    sectors: Annotated[Text, Field(max_length=200)] = Field("", title="重点领域")
    planned_start: ActDate | None = Field(None, title="计划开始日期")
    planned_end: ActDate | None = Field(None, title="计划结束日期")
    inspectors: Text = Field("", title="检查组成员及所在部门")
    unit_ids: list[RecordId] = Field(default_factory=list, title="被检查单位", max_length=500)
    system_ids: list[RecordId] = Field(default_factory=list, title="被检查的信息系统", max_length=1000)


class DangerIn(StepInput):
    system_id: RecordId = Field(title="信息系统")
    found_on: ActDate = Field(title="发现日期")
    description: RequiredText = Field(title="隐患描述")
    severity: Literal["一般", "较大", "重大"] = Field("一般", title="隐患等级")
    deadline: ActDate | None = Field(None, title="整改期限", description="不填时按平台规定的默认期限")


class VerifyIn(StepInput):
    danger_id: RecordId = Field(title="安全隐患")
    verified_on: ActDate = Field(title="核验日期")
    conclusion: Literal["verified", "returned"] = Field(
        title="核验结论", description="verified 通过；returned 退回"
    )
    comment: Text = Field("", title="核验意见")


class InspectionCompleteIn(StepInput):
    summary: RequiredText = Field(title="检查结论")


# -- security responsibility (第三十条第一款) and telecom filings (第三十一条第二款) ------------------


class ResponsibilityIn(StepInput):
    leader: Short = Field(title="责任领导")
    officer: Short = Field(title="安全管理负责人")
    officer_contact: Short = Field(title="联系方式")
    responsibilities: RequiredText = Field(title="责任内容")
    reviewed_on: ActDate = Field(title="复核日期")


class TelecomSubmitIn(StepInput):
    project_name: Annotated[RequiredText, Field(max_length=200)] = Field(title="建设项目")
    plan_summary: RequiredText = Field(title="安全保障方案摘要")
    submitted_on: ActDate = Field(title="报送日期")


class TelecomFileIn(StepInput):
    filed_on: ActDate = Field(title="备案日期")
    filing_number: Annotated[RequiredText, Field(max_length=64)] = Field(title="备案编号")
    receipt: RequiredText = Field(title="备案回执")
