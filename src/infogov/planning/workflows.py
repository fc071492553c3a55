"""The procedure of a plan version (第五条、第六条), read side by side with the regulation:

起草 → 征求意见 → 专家论证 → 报批 → 已批准 → 已公布（全市、本辖区规划）→ 已备案（本辖区、专项规划）→ 实施中
→ 已被替代（由按原编制程序批准、备案的新版本替代，第六条第二款）.

Besides these transitions, the records under a version are Record steps of the same engine (one lock,
one docket event with the before and after of every write): the draft's text, goals and tasks
(第五条), public comments, their answers, the consultation summary, the experts and their opinions
(第六条第一款), the change request (第六条第二款), the annual execution report, the inspection sample
and its findings (第七条). Their typed input is in payloads.py, their refusals in rules.py,
their writes in effects.py.
"""

from __future__ import annotations

from infogov.core.workflow.engine import Transition, Workflow
from infogov.core.workflow.obligations import Duty, days
from infogov.core.workflow.permissions import register_case_permissions
from infogov.core.workflow.rules import acts_as_assigned_expert, acts_for_owner
from infogov.core.workflow.steps import Record

from . import payloads as p
from . import rules as r
from .choices import PlanLevel
from .choices import PlanState as S
from .deadlines import APPROVAL_DAYS, FILING_DAYS
from .effects import (
    add_comment,
    add_execution_report,
    add_goal,
    add_opinion,
    add_task,
    add_to_sample,
    answer_comments,
    assign_experts,
    create_successor,
    edit_draft,
    next_round,
    publish_answers,
    record_approval,
    record_filing,
    record_inspection,
    record_publication,
    record_supersession,
    remove_task,
    save_summary,
    set_window,
    snapshot_findings,
    take_effect,
    update_task,
)
from .models import PlanVersion

# -- duties ---------------------------------------------------------------------------------------

approval_duty = Duty(
    "plan-approval",
    f"审批信息化发展规划（期限为{APPROVAL_DAYS.note}）",
    "第五条",
    owed_by=r.approving_body,
    owed_to=lambda v: v.owner,
    due=lambda v, today: today + days(int(APPROVAL_DAYS.on(today))),
)
local_filing_duty = Duty(
    "plan-filing",
    f"报送规划备案（期限为{FILING_DAYS.note}）",
    "第五条第二款",
    owed_by=lambda v: v.owner,
    owed_to=r.filing_authority,
    due=lambda v, today: today + days(int(FILING_DAYS.on(today))),
    when=lambda v: v.plan.level == PlanLevel.LOCAL,
)
special_filing_duty = Duty(
    "plan-filing",
    f"报送专项规划备案（期限为{FILING_DAYS.note}）",
    "第五条第三款",
    owed_by=lambda v: v.owner,
    owed_to=r.filing_authority,
    due=lambda v, today: today + days(int(FILING_DAYS.on(today))),
    when=lambda v: v.plan.level == PlanLevel.SPECIAL,
)

APPROVERS = (r.approves_city_plan, r.approves_local_plan, r.approves_special_plan)
FILING = (r.receives_local_filing, r.receives_special_filing)
DRAFTING = (r.not_frozen, r.draft_only)  # the draft's content changes only while drafting (第六条)
CONSULTING = (S.CONSULTATION, S.EXPERT_REVIEW)
BASIS = (r.city_plan_based_on_provincial, r.local_plan_based_on_city_plan, r.special_plan_based_on_area_plan)

WORKFLOW = Workflow(
    PlanVersion,
    states=S,
    initial=S.DRAFT,
    title="信息化发展规划",
    transitions=[
        Transition(
            "open_consultation",
            S.DRAFT,
            S.CONSULTATION,
            "发布征求意见",
            by=(acts_for_owner,),
            guards=(
                *BASIS,
                r.has_goals_and_measurable_tasks,
                r.change_has_reason,
                r.consultation_window_valid,
            ),
            citation="第六条第一款",
            payload=p.ConsultationIn,
            effects=(set_window,),
        ),
        Transition(
            "close_consultation",
            S.CONSULTATION,
            S.EXPERT_REVIEW,
            "结束征求意见，组织专家论证",
            by=(acts_for_owner,),
            guards=(r.consultation_window_ended,),
            citation="第六条第一款",
        ),
        Transition(
            "revise",
            S.EXPERT_REVIEW,
            S.DRAFT,
            "退回修改",
            by=(acts_for_owner,),
            citation="第六条第一款",
            effects=(next_round,),
            comment_required=True,
            style="secondary",
        ),
        Transition(
            "submit",
            S.EXPERT_REVIEW,
            S.SUBMITTED,
            "报请批准",
            by=(acts_for_owner,),
            guards=(
                *BASIS,
                r.change_has_reason,
                r.consultation_closed,
                r.enough_experts,
                r.experts_independent,
                r.experts_majority_pass,
            ),
            citation="第六条第一款",
            effects=(snapshot_findings,),
            opens=(approval_duty,),
            confirm="报请批准后草稿冻结，征求意见和专家论证结论随之报送，确定报请批准吗？",
        ),
        Transition(
            "return",
            S.SUBMITTED,
            S.DRAFT,
            "退回",
            by=APPROVERS,
            citation="第五条",
            effects=(next_round,),
            closes=("plan-approval",),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "approve",
            S.SUBMITTED,
            S.APPROVED,
            "批准",
            by=APPROVERS,
            guards=(r.special_plan_signed_off,),
            citation="第五条",
            payload=p.ApproveIn,
            effects=(record_approval,),
            closes=("plan-approval",),
            opens=(special_filing_duty,),
            confirm="批准后规划内容不得擅自变更、调整（第六条第二款），确定批准吗？",
        ),
        Transition(
            "publish",
            S.APPROVED,
            S.PUBLISHED,
            "公布",
            by=(acts_for_owner,),
            guards=(r.special_plan_not_published,),
            citation="第五条",
            effects=(record_publication,),
            opens=(local_filing_duty,),
            confirm="公布后规划向社会公开，不能撤回，确定公布吗？",
        ),
        Transition(
            "file",
            (S.APPROVED, S.PUBLISHED),
            S.FILED,
            "备案",
            by=FILING,
            guards=(r.city_plan_not_filed, r.local_plan_published_before_filing),
            citation="第五条",
            payload=p.FileIn,
            effects=(record_filing,),
            closes=("plan-filing",),
        ),
        Transition(
            "enact",
            # From 已批准 too: the button is then shown greyed with the article that is missing
            # (公布 for the city plan, 备案 for local and special plans) instead of not at all.
            (S.APPROVED, S.PUBLISHED, S.FILED),
            S.IN_FORCE,
            "施行",
            by=(acts_for_owner,),
            guards=(r.city_plan_published, r.local_plan_filed, r.special_plan_filed),
            citation="第五条",
            effects=(take_effect,),
        ),
        Transition(
            "supersede",
            S.IN_FORCE,
            S.SUPERSEDED,
            "由新版本替代",
            by=(r.superseded_by_successor,),
            citation="第六条第二款",
            effects=(record_supersession,),
            style="secondary",
        ),
        # -- 第五条: the draft (in every state, so that a frozen plan shows why it cannot change) ----
        Record(
            name="draft_edit",
            label="修改规划草稿",
            by=(acts_for_owner,),
            guards=(*DRAFTING, r.period_valid),
            payload=p.DraftEditIn,
            citation="第五条",
            effects=(edit_draft,),
            style="secondary",
        ),
        Record(
            name="goal_add",
            label="增加发展目标",
            by=(acts_for_owner,),
            guards=DRAFTING,
            payload=p.GoalIn,
            citation="第五条",
            effects=(add_goal,),
            style="secondary",
        ),
        Record(
            name="task_add",
            label="增加重点任务",
            by=(acts_for_owner,),
            guards=DRAFTING,
            payload=p.TaskIn,
            citation="第五条",
            effects=(add_task,),
            style="secondary",
        ),
        Record(
            name="task_update",
            label="修改重点任务",
            by=(acts_for_owner,),
            guards=DRAFTING,
            payload=p.TaskUpdateIn,
            citation="第五条",
            effects=(update_task,),
            style="secondary",
        ),
        Record(
            name="task_remove",
            label="删除重点任务",
            by=(acts_for_owner,),
            guards=DRAFTING,
            payload=p.TaskRemoveIn,
            citation="第五条",
            effects=(remove_task,),
            style="danger",
            confirm="删除后该重点任务从草稿中移除（案卷保留删除前的内容），确定删除吗？",
        ),
        # -- 第六条第一款: consultation and expert review ---------------------------------------------
        Record(
            name="comment",
            label="提交公众意见",
            states=(S.CONSULTATION,),
            by=(r.comment_from_the_public,),
            guards=(r.consultation_open, r.comment_rate_limit),
            payload=p.CommentIn,
            citation="第六条第一款",
            effects=(add_comment,),
            touch=False,
        ),
        Record(
            name="comments_answer",
            label="起草意见答复",
            states=CONSULTING,
            by=(acts_for_owner,),
            guards=(r.answer_has_reason,),
            payload=p.AnswerIn,
            citation="第六条第一款",
            effects=(answer_comments,),
            touch=False,  # a draft is not public; publishing is what a submission reads
        ),
        Record(
            name="answers_publish",
            label="公布意见答复",
            states=CONSULTING,
            by=(acts_for_owner,),
            guards=(r.answers_drafted,),
            citation="第六条第一款",
            effects=(publish_answers,),
        ),
        Record(
            name="consultation_summary",
            label="填写征求意见情况说明",
            by=(acts_for_owner,),
            guards=(r.not_frozen, r.summary_stage),  # part of the record: frozen once approved
            payload=p.SummaryIn,
            citation="第六条第一款",
            effects=(save_summary,),
            style="secondary",
        ),
        Record(
            name="experts_assign",
            label="邀请论证专家",
            states=CONSULTING,
            by=(r.organises_review,),
            guards=(r.experts_independent, r.expert_due_not_past),
            payload=p.ExpertsIn,
            citation="第六条第一款",
            effects=(assign_experts,),
            style="secondary",
        ),
        Record(
            name="expert_opinion",
            label="提交专家论证意见",
            states=(S.EXPERT_REVIEW,),
            by=(acts_as_assigned_expert,),
            guards=(r.one_opinion_per_round,),
            inbox=True,  # the assigned expert's to-do (我的待办)
            payload=p.OpinionIn,
            citation="第六条第一款",
            effects=(add_opinion,),
        ),
        # -- 第六条第二款: change control ---------------------------------------------------------------
        Record(
            name="change_request",
            label="提出变更、调整",
            states=(S.IN_FORCE,),
            by=(acts_for_owner,),
            guards=(r.no_open_change, r.change_has_reason),
            payload=p.ChangeIn,
            citation="第六条第二款",
            effects=(create_successor,),
            touch=False,  # the version in force is not changed: its successor is a case of its own
            style="secondary",
        ),
        # -- 第七条: execution reports and inspections ------------------------------------------------
        Record(
            name="execution_report",
            label="报送年度执行情况",
            states=(S.IN_FORCE,),
            by=(acts_for_owner,),
            guards=(r.execution_supervised, r.report_year_in_period, r.report_once),
            payload=p.ReportIn,
            citation="第七条",
            effects=(add_execution_report,),
        ),
        Record(
            name="inspection_sample",
            label="列入年度监督检查",
            states=(S.IN_FORCE,),
            by=(r.acts_as_city_authority,),
            guards=(r.execution_supervised, r.sampled_once),
            payload=p.SampleIn,
            citation="第七条",
            effects=(add_to_sample,),
            touch=False,
            style="secondary",
        ),
        Record(
            name="inspection",
            label="记录监督检查结果",
            states=(S.IN_FORCE, S.SUPERSEDED),
            by=(r.acts_as_city_authority,),
            payload=p.InspectionIn,
            citation="第七条",
            effects=(record_inspection,),
            touch=False,
            style="secondary",
        ),
    ],
)

register_case_permissions(PlanVersion)
