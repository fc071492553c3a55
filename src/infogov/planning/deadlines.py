"""The planning deadlines the regulation does not set, as platform policy (core/regulation/policy.py).

第五条 says that plans are approved and filed, 第六条第一款 that a draft is consulted on widely, 第七条 that
the city authority inspects each year's execution — none says by when or for how long. The services that
open the duties, the rules that check the consultation window and the assessment that scores timeliness all
read these, so they live below all of them. Screens show them as "平台规定（依据第X条设定）"."""

from __future__ import annotations

import datetime as dt
import re

from infogov.core.regulation.policy import Policy

FROM_COMMENCEMENT = dt.date(2015, 1, 1)  # 第三十五条

EXECUTION_REPORT_DUE = Policy(
    "planning.execution_report_due",
    label="年度执行情况报送截止日（考核年度的次年）",
    unit="",
    basis="第七条",
    source="平台设定：次年1月31日前报送上一年度执行情况，便于市信息化主管部门监督检查并纳入年度绩效考核"
    "（第七条未规定报送日期）",
    history={FROM_COMMENCEMENT: "1月31日"},
)
CONSULTATION_MIN_DAYS = Policy(
    "planning.consultation_min_days",
    label="规划草案征求意见的最短期限",
    unit="天",
    basis="第六条第一款",
    source="平台设定：征求意见期限不少于七日（第六条第一款只规定广泛征求意见，未规定期限）",
    history={FROM_COMMENCEMENT: 7},
)
APPROVAL_DAYS = Policy(
    "planning.approval_days",
    label="规划报批后的审批期限",
    unit="天",
    basis="第五条",
    source="平台设定：报批后三十日内批准或退回（第五条未规定期限）",
    history={FROM_COMMENCEMENT: 30},
)
EXPERT_REVIEW_DAYS = Policy(
    "planning.expert_review_days",
    label="规划论证专家提交论证意见的默认期限",
    unit="天",
    basis="第六条第一款",
    source="平台设定：邀请论证专家时未写明期限的，自邀请之日起十五日内提交论证意见（第六条第一款未规定期限）",
    history={FROM_COMMENCEMENT: 15},
)
FILING_DAYS = Policy(
    "planning.filing_days",
    label="规划批准后报送备案的期限",
    unit="天",
    basis="第五条第二款",
    source="平台设定：本辖区规划公布后、部门专项规划批准后三十日内报送备案（第五条第二款、第三款未规定期限）",
    history={FROM_COMMENCEMENT: 30},
)


def expert_due_date(given: dt.date | None, act_date: dt.date) -> dt.date:
    """The date by which invited experts give their opinions: the one the inviter typed, else
    EXPERT_REVIEW_DAYS after the invitation (by the value in force on the day of the act)."""
    return given or act_date + dt.timedelta(days=int(EXPERT_REVIEW_DAYS.on(act_date)))


def execution_due_date(year: int) -> dt.date:
    """The report on `year` is due on the day EXECUTION_REPORT_DUE names in the following year (by the
    value in force on 1 January of that year)."""
    value = str(EXECUTION_REPORT_DUE.on(dt.date(year + 1, 1, 1)))
    found = re.fullmatch(r"(\d{1,2})月(\d{1,2})日", value)
    if found is None:
        raise ValueError(f"年度执行情况报送截止日设置有误：{value}")
    return dt.date(year + 1, int(found.group(1)), int(found.group(2)))
