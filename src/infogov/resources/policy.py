"""The platform's numbers for the resource exchange: what 第二十七条 and 第二十九条 require without
saying how soon or how much (core/regulation/policy.py)."""

from __future__ import annotations

from infogov.core.regulation.policy import ALWAYS, Policy

DECISION_DAYS = Policy(
    key="resources.sharing_decision_days",
    label="有条件共享申请的答复期限",
    unit="工作日",
    basis="第二十七条第二款",
    source="参照《政务信息资源共享管理暂行办法》（国发〔2016〕51号）第十四条：有条件共享的，提供部门应在10个工作日内予以答复",
    history={ALWAYS: 10},
)

CORRECTION_DAYS = Policy(
    key="resources.correction_days",
    label="校核纠错的核实更正期限",
    unit="工作日",
    basis="第二十七条第一款",
    source="参照《政务数据共享条例》（2025年8月1日施行）关于校核纠错的规定，平台取5个工作日",
    history={ALWAYS: 5},
)

REVIEW_DAYS = Policy(
    key="resources.catalogue_review_days",
    label="资源目录审核期限",
    unit="工作日",
    basis="第二十七条第二款",
    source="平台规定：与共享申请答复期限一致",
    history={ALWAYS: 10},
)

MAX_GRANT_DAYS = Policy(
    key="resources.max_grant_days",
    label="一次授权的最长使用期限",
    unit="天",
    basis="第二十九条第一款",
    source="平台规定：授权期满须重新申请，以便复核用途和最小必要",
    history={ALWAYS: 1096},
)

PULLS_PER_MINUTE = Policy(
    key="resources.exchange_pulls_per_minute",
    label="每项授权每分钟的调用次数上限",
    unit="次",
    basis="第二十一条第一款",
    source="平台规定：保障交换体系对各使用方的可用性",
    history={ALWAYS: 120},
)

STALE_REMINDER_DAYS = Policy(
    key="resources.stale_update_days",
    label="资源数据超期未更新时的更新期限",
    unit="工作日",
    basis="第二十七条第一款",
    source="平台规定",
    history={ALWAYS: 10},
)
