"""The typed input of the plan steps (第五条至第七条): one pydantic schema per step that takes input.

The limits of a field's shape live here (text stripped, no NUL, lengths, numbers, choices); every
refusal about the measures or platform policy is a rule in rules.py that reads these typed values.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator

from infogov.core.workflow.payloads import ActDate, Amount, StepInput

from .choices import ANSWER_TEMPLATES


def _ids(value: list[int]) -> list[int]:
    """A list of record ids as a set: each once, in order (the docket keeps them sorted)."""
    if not value:
        raise ValueError("请至少选择一项")
    return sorted(set(value))


def _at_most(n: int) -> AfterValidator:
    """A list of at most `n` items (the message in Chinese: pydantic's own is not translated)."""

    def check(value: list[Any]) -> list[Any]:
        if len(value) > n:
            raise ValueError(f"最多 {n} 项")
        return value

    return AfterValidator(check)


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("含有不允许的空字符（NUL），请删除后重试")
    return value


# Text of at most N characters (stripped by StepInput), no NUL; the "Required" ones refuse blank. The
# length is checked on the string itself, so that its message is the translated one (core's Text and
# RequiredText fix 5000 characters, and check them after their validator: an untranslated message).
NoNul = AfterValidator(_no_nul)
Text20 = Annotated[str, Field(max_length=20), NoNul]
Text50 = Annotated[str, Field(max_length=50), NoNul]
Text64 = Annotated[str, Field(max_length=64), NoNul]
Text100 = Annotated[str, Field(max_length=100), NoNul]
Text200 = Annotated[str, Field(max_length=200), NoNul]
Text2000 = Annotated[str, Field(max_length=2000), NoNul]
Text5000 = Annotated[str, Field(max_length=5000), NoNul]
Text20000 = Annotated[str, Field(max_length=20000), NoNul]
Required2000 = Annotated[str, Field(min_length=1, max_length=2000), NoNul]
Required5000 = Annotated[str, Field(min_length=1, max_length=5000), NoNul]
Required20000 = Annotated[str, Field(min_length=1, max_length=20000), NoNul]
Title = Annotated[str, Field(min_length=1, max_length=200), NoNul]
Remark = Annotated[str, Field(min_length=5, max_length=2000), NoNul]  # a public comment
Opinion = Annotated[str, Field(min_length=5, max_length=20000), NoNul]  # an expert's opinion


Ids = Annotated[list[int], AfterValidator(_ids), _at_most(500)]
Year = Annotated[int, Field(ge=2000, le=2100)]

PlanLevelName = Literal["city", "local", "special"]
AnswerStatusName = Literal["", "accepted", "partly", "not_accepted"]
TemplateName = Literal["", "accepted", "partly", "not_accepted_scope", "not_accepted_covered"]
if set(get_args(TemplateName)) != {"", *ANSWER_TEMPLATES}:  # one list of templates (choices.py)
    raise ImportError("payloads.TemplateName must name every answer template of choices.ANSWER_TEMPLATES")
ConclusionName = Literal["pass", "conditional", "fail"]
SeverityName = Literal["general", "serious"]


# -- 第五条: the register and the draft -------------------------------------------------------------


class PlanCreateIn(StepInput):
    """编制规划: what the register needs (the plan's rules read it before the plan exists)."""

    level: PlanLevelName = Field(title="规划层级")
    title: Title = Field(title="规划名称")
    period_start: Year = Field(title="规划期起始年")
    period_end: Year = Field(title="规划期终止年")
    parent_reference: Text200 = Field("", title="依据的上级规划（名称）")
    body: Text20000 = Field("", title="规划说明")


class DraftEditIn(StepInput):
    """修改规划草稿: only the fields given change."""

    title: Title | None = Field(None, title="规划名称")
    period_start: Year | None = Field(None, title="规划期起始年")
    period_end: Year | None = Field(None, title="规划期终止年")
    body: Text20000 | None = Field(None, title="规划说明")
    change_reason: Text5000 | None = Field(None, title="变更、调整的特殊情况")


class GoalIn(StepInput):
    text: Required2000 = Field(title="发展目标")


class TaskFields(StepInput):
    goal_id: int | None = Field(None, title="所属目标")
    responsible_id: int | None = Field(None, title="责任单位")
    indicator: Text200 = Field("", title="目标指标")
    target_value: Amount | None = Field(None, title="目标值")
    unit: Text20 = Field("", title="单位")
    target_year: Year | None = Field(None, title="目标年度")
    parent_task_id: int | None = Field(None, title="对应的上级规划任务")


class TaskIn(TaskFields):
    """增加重点任务 (第五条): task, responsible organisation, indicator (value, unit), target year."""

    text: Required2000 = Field(title="重点任务")


class TaskUpdateIn(TaskFields):
    """修改重点任务: the task and the fields given (a field left out keeps its value)."""

    task_id: int = Field(title="任务")
    text: Required2000 | None = Field(None, title="重点任务")


class TaskRemoveIn(StepInput):
    task_id: int = Field(title="任务")


# -- the transitions that take input -----------------------------------------------------------------


class ConsultationIn(StepInput):
    """发布征求意见: the window (A6-1-WINDOW says what a valid window is; left out, it asks for it)."""

    start: ActDate | None = Field(None, title="征求意见开始日期")
    end: ActDate | None = Field(None, title="征求意见截止日期")


class ApproveIn(StepInput):
    document: Text100 = Field("", title="批准文号", description="留空由平台按批准机关的文号格式编号")
    leader_signoff: Text100 = Field("", title="部门负责人签发")


class FileIn(StepInput):
    filing_number: Text100 = Field("", title="备案号", description="留空由平台按备案机关的备案号格式编号")


# -- 第六条第一款: consultation and expert review ------------------------------------------------------


class CommentIn(StepInput):
    """公众意见. The contact details and the client's fingerprint are kept on the comment but not in
    the docket (个人信息 of the public: excluded from the stored payload)."""

    body: Remark = Field(title="意见内容")
    goal_id: int | None = Field(None, title="针对目标")
    task_id: int | None = Field(None, title="针对任务")
    name: Text50 = Field("", title="姓名")
    contact: Text100 = Field("", title="联系方式", exclude=True)
    client: Text64 = Field("", title="客户端", exclude=True)


class AnswerIn(StepInput):
    """起草意见答复: for one or many comments, from a template or as a conclusion with free text."""

    comments: Ids = Field(title="意见")
    template: TemplateName = Field("", title="答复模板")
    status: AnswerStatusName = Field("", title="答复结论")
    text: Text5000 = Field("", title="答复意见", validate_default=True)
    reason: Text5000 = Field("", title="理由")

    @field_validator("text")
    @classmethod
    def _status_and_text(cls, value: str, info: ValidationInfo) -> str:
        if not info.data.get("template") and (not info.data.get("status") or not value):
            raise ValueError("未填写：请选择答复结论并填写答复意见，或选用答复模板")
        return value

    def resolved(self) -> tuple[str, str]:
        """The answer's conclusion and text (a template filled in with the reason)."""
        if self.template:
            tpl = ANSWER_TEMPLATES[self.template]
            return tpl["status"], tpl["text"].format(reason=self.reason).strip()
        return self.status, self.text


class SummaryIn(StepInput):
    summary: Required20000 = Field(title="征求意见情况说明")


def _blank_none(value: Any) -> Any:
    """An empty date input is no date (the form sends "")."""
    return None if isinstance(value, str) and not value.strip() else value


OptionalDate = Annotated[ActDate | None, BeforeValidator(_blank_none)]


class ExpertsIn(StepInput):
    experts: Ids = Field(title="专家")
    due_date: OptionalDate = Field(None, title="提交论证意见期限")


class OpinionIn(StepInput):
    conclusion: ConclusionName = Field(title="论证结论")
    opinion: Opinion = Field(title="论证意见")


# -- 第六条第二款: change control -------------------------------------------------------------------


class ChangeIn(StepInput):
    reason: Text5000 = Field("", title="变更、调整的特殊情况")


# -- 第七条: execution reports and inspections -------------------------------------------------------


class ProgressIn(StepInput):
    task_id: int = Field(title="任务")
    actual_value: Amount | None = Field(None, title="完成值")
    note: Text2000 = Field("", title="说明")


class ReportIn(StepInput):
    year: Year = Field(title="报告年度")
    summary: Text20000 = Field("", title="执行情况综述")
    progress: Annotated[list[ProgressIn], _at_most(500)] = Field(default_factory=list, title="任务进展")


class SampleIn(StepInput):
    year: Year = Field(title="检查年度")


class FindingIn(StepInput):
    severity: SeverityName = Field(title="性质")
    text: Required5000 = Field(title="问题描述")


class InspectionIn(StepInput):
    inspection: int = Field(title="检查")
    conclusion: Text5000 = Field("", title="检查结论")
    findings: Annotated[list[FindingIn], _at_most(200)] = Field(default_factory=list, title="检查发现的问题")
