"""Template helpers of the UI shell: state badges, article links, overdue markers, amounts."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from infogov.core.regulation.articles import Citation

register = template.Library()

_DANGER = ("reject", "return", "refus", "cancel", "withdraw", "revok", "fail", "suspend", "terminat")
_SUCCESS = ("approv", "accept", "deliver", "publish", "filed", "pass", "done", "complet", "closed", "grant")


def state_css(workflow: Any, state: str) -> str:
    """A badge colour for a state: the initial state grey, refusals red, outcomes green, the rest blue."""
    if workflow is not None and state == workflow.initial:
        return "text-bg-secondary"
    if any(word in state for word in _DANGER):
        return "text-bg-danger"
    if any(word in state for word in _SUCCESS):
        return "text-bg-success"
    return "text-bg-primary"


@register.simple_tag
def state_badge(case: Any) -> str:
    """<span class="badge">已提交</span> for a case, its label from the case's workflow."""
    from infogov.core.workflow.engine import workflow_for

    try:
        wf = workflow_for(case)
    except LookupError:
        return format_html('<span class="badge text-bg-secondary">{}</span>', case.state)
    return format_html('<span class="badge {}">{}</span>', state_css(wf, case.state), wf.label_of(case.state))


@register.filter
def cite(citation: str) -> str:
    """第三十一条第一款 → a link to that article on the regulation page (plain text if unparseable)."""
    if not citation:
        return ""
    try:
        c = Citation.parse(citation)
    except ValueError:
        return citation
    return format_html(
        '<a class="ig-citation" href="{}#article-{}">{}</a>', reverse("regulation"), c.article, citation
    )


@register.filter
def overdue_days(obligation: Any, today: dt.date | None = None) -> int:
    """How many days an open obligation is past its due date (0 when not overdue)."""
    if not obligation.is_open:
        return 0
    today = today or timezone.localdate()
    return max((today - obligation.due_date).days, 0)


@register.filter
def days_left(due_date: dt.date) -> int:
    return (due_date - timezone.localdate()).days


@register.filter
def money(value: Any) -> str:
    """An amount in yuan with thousands separators and fen: 3800000 → "3,800,000.00"; nothing → "—".
    Display only: exports and the API keep the number."""
    if value is None or value == "":
        return "—"
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
        return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    except (InvalidOperation, ValueError):  # not a number, NaN/Infinity, beyond 28 digits
        return str(value)


@register.simple_tag
def docket_timeline(events: Any) -> str:
    """A case page's docket timeline, rendered in Python (core.timeline: it was most of the page's time)."""
    from infogov.core.docket.timeline import timeline_html

    return timeline_html(events)
