"""The test workflow: draft → submitted → approved/rejected → delivered, and one Record step
(监督检查) that adds a record under the case without changing its state."""

from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import Field

from infogov.core.workflow.engine import Transition, Workflow
from infogov.core.workflow.obligations import Duty, days
from infogov.core.workflow.payloads import ActDate, RequiredText, StepInput
from infogov.core.workflow.permissions import register_case_permissions
from infogov.core.workflow.rules import acts_as_competent_authority, acts_for_owner, rule
from infogov.core.workflow.steps import Record
from infogov.org.selectors import authority_of

from .models import Widget, WidgetInspection
from .models import WidgetState as S


@rule("TEST-SECURITY-PLAN", citation="第三十一条第一款", message="未提交信息安全方案，不能提交")
def has_security_plan(case, ctx):
    """信息安全保障系统应当与信息化工程项目同步规划。"""
    return case.has_security_plan


@rule("TEST-BUDGET", citation="第十一条第一款", message="合同金额超过批准预算")
def contract_within_budget(case, ctx):
    """合同金额不得超过批准预算。"""
    amount = ctx.payload.get("contract_amount")
    if amount is None:
        return None
    try:
        return Decimal(str(amount)) <= case.budget
    except InvalidOperation:
        return "合同金额必须是数字"


@rule("TEST-NOT-FUTURE", citation="第十四条", message="检查日期不能晚于今天")
def checked_not_in_future(case, ctx):
    """检查记录记载已经发生的检查。"""
    return ctx.input.checked_on <= ctx.today


class InspectIn(StepInput):
    checked_on: ActDate = Field(title="检查日期")
    finding: RequiredText = Field(title="检查发现")
    severity: Literal["一般", "严重"] = Field("一般", title="性质")


follow_up = Duty(
    "widget-follow-up",
    "检查后跟踪整改",
    "第十四条",
    owed_by=lambda c: c.owner,
    owed_to=lambda c: authority_of(c.jurisdiction),
    due=days(30),
)

review_duty = Duty(
    "widget-review",
    "审查测试事项",
    "第九条第二款",
    owed_by=lambda c: authority_of(c.jurisdiction),
    owed_to=lambda c: c.owner,
    due=days(20),
)

WORKFLOW = Workflow(
    Widget,
    states=S,
    initial=S.DRAFT,
    transitions=[
        Transition(
            "submit",
            S.DRAFT,
            S.SUBMITTED,
            "提交",
            by=(acts_for_owner,),
            guards=(has_security_plan,),
            citation="第九条第一款",
            opens=(review_duty,),
        ),
        Transition(
            "approve",
            S.SUBMITTED,
            S.APPROVED,
            "批准",
            by=(acts_as_competent_authority,),
            guards=(contract_within_budget,),
            citation="第九条第二款",
            closes=("widget-review",),
            confirm="批准后不可撤销，确定批准吗？",
        ),
        Transition(
            "reject",
            S.SUBMITTED,
            S.REJECTED,
            "退回",
            by=(acts_as_competent_authority,),
            citation="第九条第二款",
            closes=("widget-review",),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "deliver", S.APPROVED, S.DELIVERED, "交付", by=(acts_for_owner,), citation="第十三条第一款"
        ),
        Record(
            name="inspect",
            label="登记监督检查",
            states=(S.SUBMITTED, S.APPROVED),
            by=(acts_as_competent_authority,),
            guards=(checked_not_in_future,),
            payload=InspectIn,
            act_date="checked_on",
            creates=WidgetInspection,
            citation="第十四条",
            opens=(follow_up,),
        ),
    ],
)

register_case_permissions(Widget)
