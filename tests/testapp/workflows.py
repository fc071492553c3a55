"""The test workflow: draft → submitted → approved/rejected → delivered."""

from decimal import Decimal, InvalidOperation

from infogov.core.workflow.engine import Transition, Workflow
from infogov.core.workflow.obligations import Duty, days
from infogov.core.workflow.permissions import register_case_permissions
from infogov.core.workflow.rules import acts_as_competent_authority, acts_for_owner, rule
from infogov.org.selectors import authority_of

from .models import Widget
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
    ],
)

register_case_permissions(Widget)
