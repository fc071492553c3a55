"""The typed input of each project step (the step's ``payload=`` schema): what the API body, the web
form and the guards read, validated once by the workflow core (core.workflow.payloads.validate), bad
input answered as one Chinese 422 naming each field.

Web forms send strings (a list as "甲、乙", a checkbox as "true" or nothing), the API sends JSON:
the field types below take both, so the rules and the docket see one shape. Limits that are law or
platform policy are rules (rules.py), not here: a schema says only what a well-formed input is.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.db import models
from pydantic import AfterValidator, BeforeValidator, Field

from infogov.core.workflow.payloads import ActDate, Amount, RequiredText, StepInput, Text

from .choices import FindingConclusion, ProcurementMethod, ReviewDimension, Severity

_SPLIT = re.compile(r"[,，、;；\n]+")
_TRUE = {"1", "on", "true", "yes", "y", "t", "是", "通过", "合格"}
_FALSE = {"0", "off", "false", "no", "n", "f", "否", "不通过", "不合格", ""}


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE


def as_list(value: Any) -> list[str]:
    """A list from a JSON array or from one text with separators (、，；or new lines)."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):  # a form's ticked options and its typed text ("甲、乙") together
        return [p.strip() for v in value for p in _SPLIT.split(str(v)) if p.strip()]
    return [v.strip() for v in _SPLIT.split(str(value)) if v.strip()]


def _list(value: Any) -> Any:
    return as_list(value) if isinstance(value, str | list | tuple) or value is None else value


def _bool(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return value


def _not_empty(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("至少填写一项")
    return value


def _blank_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _choice(choices: type[models.TextChoices], label: str) -> Any:
    """A value of `choices`, given as the value or its Chinese label; refused naming the labels."""

    def check(value: str) -> str:
        if value in choices.values:
            return value
        by_label = {str(c.label): c.value for c in choices}
        if value in by_label:
            return str(by_label[value])
        raise ValueError(f"{label}须为：" + "、".join(str(c.label) for c in choices))

    return AfterValidator(check)


def _value_of(choices: type[models.TextChoices]) -> Any:
    """A choice given by its Chinese label read as its value; anything else is left for the rules."""

    def read(value: str) -> str:
        return str({str(c.label): c.value for c in choices}.get(value, value))

    return AfterValidator(read)


TextList = Annotated[
    list[Annotated[str, Field(max_length=200)]], BeforeValidator(_list), Field(max_length=100)
]
FormBool = Annotated[bool, BeforeValidator(_bool)]


def _catalogue(codes: list[str]) -> list[str]:
    """ "GB18030" as the catalogue spells it ("GB 18030-2022"); see standards.canonical."""
    from .standards import canonical

    return canonical(codes)


CatalogueCodes = Annotated[TextList, AfterValidator(_catalogue)]
OptionalDate = Annotated[ActDate | None, BeforeValidator(_blank_none)]
PositiveAmount = Annotated[Amount, Field(gt=0)]


# -- transitions ------------------------------------------------------------------------------------


class IncludeInPlanIn(StepInput):
    """列入年度计划 (第九条第一款)."""

    plan_id: int = Field(title="年度建设计划")


class ConditionIn(StepInput):
    text: RequiredText = Field(title="整改条件", max_length=2000)
    due_date: OptionalDate = Field(None, title="答复期限")


def _conditions(value: Any) -> Any:
    """Conditions as a list of {text, due_date}: a form's one text ("甲；乙"), a list of texts, one
    object or a list of objects."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = as_list(value)
    elif isinstance(value, dict):
        value = [value]
    if isinstance(value, list | tuple):
        return [
            {"text": v} if isinstance(v, str) else v
            for v in value
            if not (isinstance(v, str) and not v.strip())
        ]
    return value


class ReviewPassIn(StepInput):
    """审查通过 (第九条第二款): the conditions of a conditional pass, each with its deadline (or one
    deadline for all, from the form)."""

    conditions: Annotated[list[ConditionIn], BeforeValidator(_conditions), Field(max_length=50)] = Field(
        default_factory=list, title="审查条件"
    )
    due_date: OptionalDate = Field(None, title="条件答复期限")
    decided_on: OptionalDate = Field(None, title="审查意见作出日期")  # the act's date; today when not given


class StartIn(StepInput):
    """开工建设: the day construction started (the act's date; today when not given)."""

    started_on: OptionalDate = Field(None, title="开工日期")


class ProcurementIn(StepInput):
    """政府集中采购结果 (第十一条第一款)."""

    # which methods are 政府集中采购 is the law's (A11-1-CENTRALIZED), not the input's shape
    method: Annotated[RequiredText, _value_of(ProcurementMethod)] = Field(title="采购方式", max_length=16)
    notice_number: RequiredText = Field(title="采购公告编号", max_length=60)
    supplier: RequiredText = Field(title="中标（成交）供应商", max_length=200)
    contract_amount: Amount = Field(title="合同金额（元）")
    contract_date: OptionalDate = Field(None, title="合同签订日期")


class CompleteIn(StepInput):
    completed_on: OptionalDate = Field(None, title="竣工日期")


class TestIn(StepInput):
    """测试报告 (第十三条第一款)."""

    tester: RequiredText = Field(title="测试机构", max_length=200)
    tested_on: OptionalDate = Field(None, title="测试日期")
    passed: FormBool = Field(False, title="测试通过")
    standards: CatalogueCodes = Field(default_factory=list, title="测试依据的标准")
    summary: Text = Field("", title="测试结论说明", max_length=2000)


class AcceptanceIn(StepInput):
    """验收 (第十三条第一款) with the evidence that security was built (第三十一条)."""

    held_on: OptionalDate = Field(None, title="验收日期")
    committee: Annotated[TextList, AfterValidator(_not_empty)] = Field(title="验收组成员")
    security_measures_built: TextList = Field(default_factory=list, title="已建成的安全措施")
    security_evidence: Text = Field("", title="安全措施建设证明", max_length=2000)


class DeliverIn(StepInput):
    protection_level: Annotated[int | None, BeforeValidator(_blank_none)] = Field(
        None, ge=1, le=5, title="安全保护等级"
    )
    system_name: Text = Field("", title="信息系统名称", max_length=200)


# -- records ----------------------------------------------------------------------------------------


class StandardsIn(StepInput):
    """声明执行的标准 (第十二条)."""

    standards: CatalogueCodes = Field(default_factory=list, title="执行的标准")


class FindingIn(StepInput):
    """一个方面的评审意见 (第九条第二款); the sharing finding answers similar projects (第六条)."""

    dimension: Annotated[str, _choice(ReviewDimension, "评审内容")] = Field(title="评审内容")
    conclusion: Annotated[str, _choice(FindingConclusion, "结论")] = Field(title="结论")
    text: RequiredText = Field(title="评审意见")
    acknowledged_hits: list[int] = Field(default_factory=list, title="回应的相似项目", max_length=200)


class ConditionAnswerIn(StepInput):
    condition_id: int = Field(title="审查条件")
    answer: RequiredText = Field(title="落实情况")


class OutsourcingIn(StepInput):
    approved: FormBool = Field(title="审核通过")
    opinion: RequiredText = Field(title="审核意见")


class ProgressIn(StepInput):
    percent: int = Field(ge=0, le=100, title="完成比例（%）")
    reported_on: OptionalDate = Field(None, title="报告日期")
    note: Text = Field("", title="进展说明")


class DisbursementIn(StepInput):
    amount: PositiveAmount = Field(title="金额（元）")
    purpose: RequiredText = Field(title="资金用途", max_length=200)
    paid_on: OptionalDate = Field(None, title="支付日期")


class InspectionFindingIn(StepInput):
    text: RequiredText = Field(title="检查问题")
    severity: Annotated[str, _choice(Severity, "严重程度")] = Field(Severity.MEDIUM.value, title="严重程度")
    due_date: ActDate = Field(title="整改期限")


class InspectionIn(StepInput):
    """监督检查 (第十四条) with the co-supervising departments and the findings to rectify."""

    cosupervisors: list[int] = Field(default_factory=list, title="协同监督部门", max_length=20)
    summary: Text = Field("", title="检查情况")
    findings: list[InspectionFindingIn] = Field(default_factory=list, title="检查问题", max_length=100)
    opened_on: OptionalDate = Field(None, title="检查日期")


class RectifyIn(StepInput):
    finding_id: int = Field(title="检查问题")
    rectification: RequiredText = Field(title="整改情况")


class RiskOverrideIn(StepInput):
    level: Annotated[int | None, BeforeValidator(_blank_none)] = Field(None, ge=1, le=5, title="风险等级")
    reason: RequiredText = Field(title="调整理由")


# -- decisions as documents: conditions verified, acceptance filed and received, experts convened -----


def _ids(value: Any) -> Any:
    """Record ids from a JSON array, one form value (a number) or several (a list), or "1、2"."""
    if value is None or value == "":
        return []
    if isinstance(value, int | str):
        return as_list(str(value))
    return value


IdList = Annotated[list[int], BeforeValidator(_ids), Field(max_length=50)]
Conclusion = Annotated[str, _choice(FindingConclusion, "结论")]


class ConditionVerifyIn(StepInput):
    """核实审查条件的落实情况 (第九条第二款)."""

    condition_id: int = Field(title="审查条件")


class ConditionReturnIn(StepInput):
    """退回审查条件 (第九条第二款): the condition is not met as answered; the reason says what is missing."""

    condition_id: int = Field(title="审查条件")
    reason: RequiredText = Field(title="退回理由", max_length=2000)


class AcceptanceFilingIn(StepInput):
    """验收结果备案 (第十三条第二款): the acceptance report's summary and its attachments."""

    report_date: OptionalDate = Field(None, title="验收报告日期")
    organiser: RequiredText = Field(title="组织验收单位", max_length=200)
    participants: Annotated[TextList, AfterValidator(_not_empty)] = Field(title="参加验收的单位和人员")
    conclusion: RequiredText = Field(title="验收结论", max_length=2000)
    issues: Text = Field("", title="遗留问题及处理意见", max_length=2000)
    attachments: IdList = Field(default_factory=list, title="验收报告及附件")


class ExpertsConveneIn(StepInput):
    """邀请专家评审项目 (第九条第二款)."""

    experts: Annotated[IdList, AfterValidator(_not_empty)] = Field(title="评审专家")
    due_date: OptionalDate = Field(None, title="提交意见期限")


class ExpertOpinionIn(StepInput):
    """专家评审意见: a conclusion and a comment on each of the four dimensions of 第九条第二款."""

    layout_conclusion: Conclusion = Field(title="规划布局结论")
    layout_comment: RequiredText = Field(title="规划布局意见", max_length=2000)
    standards_conclusion: Conclusion = Field(title="技术标准结论")
    standards_comment: RequiredText = Field(title="技术标准意见", max_length=2000)
    security_conclusion: Conclusion = Field(title="网络与信息安全结论")
    security_comment: RequiredText = Field(title="网络与信息安全意见", max_length=2000)
    sharing_conclusion: Conclusion = Field(title="信息资源共享结论")
    sharing_comment: RequiredText = Field(title="信息资源共享意见", max_length=2000)
    summary: Text = Field("", title="综合意见", max_length=2000)


class ExpertMissingIn(StepInput):
    """受邀专家未提交意见的原因 (第九条第二款), recorded by the authority before it decides."""

    expert_id: int = Field(title="专家")
    reason: RequiredText = Field(title="未提交意见的原因", max_length=2000)
