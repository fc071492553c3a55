"""The duties of information security: who owes what, due when (the numbers are policies.py's). The
periodic ones recur (core obligations: ``every`` / ``after``): fulfilling one opens the next, clocked from
the date the evidence is effective (the evaluation's, the assessment's, the drill's own date)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from infogov.core.models import Obligation
from infogov.core.workflow.obligations import Duty
from infogov.org.selectors import authority_of, city

from .policies import (
    DRILL_PERIOD,
    EVALUATION_PERIOD,
    FILING_DAYS,
    PLAN_REVIEW_PERIOD,
    RESPONSIBILITY_REVIEW_PERIOD,
    RISK_ASSESSMENT_PERIOD,
    TELECOM_FILING_DAYS,
)


def none_open(code: str) -> Callable[[Any], bool]:
    """`when=`: open the duty only if the case has no open one of this code (a first occurrence)."""

    def check(case: Any) -> bool:
        return not Obligation.objects.for_case(case).open().filter(code=code).exists()

    return check


def _owner(case: Any) -> Any:
    return case.owner


def _authority(case: Any) -> Any:
    return authority_of(case.jurisdiction)


def _evaluation_period(case: Any) -> str | None:
    return EVALUATION_PERIOD.on(timezone.localdate()).get(case.level or 0)


def _risk_period(case: Any) -> str | None:
    return RISK_ASSESSMENT_PERIOD.on(timezone.localdate()).get(case.level or 0)


def _filing_due(case: Any, day: dt.date) -> dt.date:
    return day + dt.timedelta(days=int(FILING_DAYS.on(day)))


def _telecom_due(case: Any, day: dt.date) -> dt.date:
    return day + dt.timedelta(days=int(TELECOM_FILING_DAYS.on(day)))


FILING = Duty(
    "sec-filing",
    "定级后向公安机关备案",
    "第三十条第一款",
    owed_by=_owner,
    owed_to=_authority,
    due=_filing_due,
    when=lambda c: (c.level or 0) >= 2 and none_open("sec-filing")(c),
)

EVALUATION = Duty(
    "sec-evaluation",
    "等级测评",
    "第三十条第一款",
    owed_by=_owner,
    owed_to=_authority,
    every=_evaluation_period,
    after="evaluated_on",
    when=lambda c: (c.level or 0) >= 3 and none_open("sec-evaluation")(c),
)

RISK_ASSESSMENT = Duty(
    "sec-risk-assessment",
    "信息安全风险评估",
    "第三十条第一款",
    owed_by=_owner,
    owed_to=_authority,
    every=_risk_period,
    after="assessed_on",
    when=none_open("sec-risk-assessment"),
)

PLAN_REVIEW = Duty(
    "sec-plan-review",
    "应急预案评审修订",
    "第三十条第一款",
    owed_by=_owner,
    every=PLAN_REVIEW_PERIOD,
    after="approved_on",
    when=none_open("sec-plan-review"),
)

DRILL = Duty(
    "sec-drill",
    "应急演练",
    "第三十条第一款",
    owed_by=_owner,
    every=DRILL_PERIOD,
    after="held_on",
    when=none_open("sec-drill"),
)

RESPONSIBILITY_REVIEW = Duty(
    "sec-responsibility-review",
    "安全责任制年度复核",
    "第三十条第一款",
    owed_by=_owner,
    owed_to=_authority,
    every=RESPONSIBILITY_REVIEW_PERIOD,
    after="reviewed_on",
    when=none_open("sec-responsibility-review"),
)

TELECOM_FILING = Duty(
    "sec-telecom-filing",
    "办理通信基础设施安全保障方案备案",
    "第三十一条第二款",
    owed_by=lambda c: authority_of(city()),
    owed_to=_owner,
    due=_telecom_due,
)


def fixed(code: str, title: str, citation: str, owed_by: Any, due: dt.date) -> Duty:
    """A one-off duty decided by a step (a finding's or a hidden danger's rectification), due on `due`."""
    return Duty(code, title, citation, owed_by=lambda c: owed_by, due=lambda c, d: due)
