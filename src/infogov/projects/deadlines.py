"""The project deadlines the regulation does not set, as platform policy (core/regulation/policy.py).

第九条第二款 says that the authority reviews and gives an opinion, 第十三条 that a completed project is
tested and accepted and that a fiscal project's acceptance result is filed — none of them says within how
many days. The numbers below are the platform's, each with the article it serves and where it comes from;
a duty row and a help text show them as "平台规定（依据第X条设定）", never as the article's words."""

from __future__ import annotations

import datetime as dt

from infogov.core.regulation.policy import Policy

FROM_COMMENCEMENT = dt.date(2015, 1, 1)  # 第三十五条: the measures (and the platform's numbers) apply

ACCEPTANCE_APPLY_DAYS = Policy(
    "projects.acceptance_apply_days",
    label="竣工后申请验收的期限",
    unit="天",
    basis="第十三条第一款",
    source="平台设定：竣工后六个月内组织验收（第十三条第一款只规定竣工后测试、验收，未规定期限）",
    history={FROM_COMMENCEMENT: 183},
)
ACCEPTANCE_FILING_DAYS = Policy(
    "projects.acceptance_filing_days",
    label="验收结果报备的期限",
    unit="天",
    basis="第十三条第二款",
    source="平台设定：验收合格后三十日内报信息化主管部门备案（第十三条第二款未规定期限）",
    history={FROM_COMMENCEMENT: 30},
)
REVIEW_DAYS = Policy(
    "projects.review_days",
    label="列入年度计划的项目的评审期限",
    unit="天",
    basis="第九条第二款",
    source="平台设定：项目列入年度计划后六十日内提出审查意见（第九条第二款未规定期限）",
    history={FROM_COMMENCEMENT: 60},
)
CONDITION_DAYS = Policy(
    "projects.review_condition_days",
    label="审查意见所附条件的默认落实期限",
    unit="天",
    basis="第九条第二款",
    source="平台设定：审查意见未写明期限的条件，自审查意见作出之日起六十日内落实",
    history={FROM_COMMENCEMENT: 60},
)

ACCEPTANCE_RECEIPT_DAYS = Policy(
    "projects.acceptance_receipt_days",
    label="主管部门确认收到验收结果备案的期限",
    unit="天",
    basis="第十三条第二款",
    source="平台设定：建设单位报送验收结果备案后十五日内，信息化主管部门确认收到并编发备案号",
    history={FROM_COMMENCEMENT: 15},
)
CONDITION_VERIFY_DAYS = Policy(
    "projects.condition_verify_days",
    label="主管部门核实审查条件落实情况的期限",
    unit="天",
    basis="第九条第二款",
    source="平台设定：建设单位答复审查条件后十五日内，信息化主管部门核实或者退回",
    history={FROM_COMMENCEMENT: 15},
)
CONDITION_REANSWER_DAYS = Policy(
    "projects.condition_reanswer_days",
    label="退回的审查条件重新落实的期限",
    unit="天",
    basis="第九条第二款",
    source="平台设定：审查条件被退回后三十日内重新落实并答复",
    history={FROM_COMMENCEMENT: 30},
)
EXPERT_REVIEW_DAYS = Policy(
    "projects.expert_review_days",
    label="项目评审专家提交意见的默认期限",
    unit="天",
    basis="第九条第二款",
    source="平台设定：邀请专家评审时未写明期限的，自邀请之日起十日内提交评审意见",
    history={FROM_COMMENCEMENT: 10},
)


def days_after(policy: Policy, start: dt.date) -> dt.date:
    """The due date `policy` days after `start`, by the value in force on `start` (the act's date)."""
    return start + dt.timedelta(days=int(policy.on(start)))
