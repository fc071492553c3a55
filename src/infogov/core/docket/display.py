"""Values as an official reads them: dates in Beijing time, money with separators and 元, lists as lists,
yes/no as 是/否, choices by their label — for the case record (timeline.py) and the "请核对" page
(core.web.confirm). Everything returned is escaped HTML (a SafeString)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

NONE = "—"


def money(value: Decimal) -> str:
    """480000 → "480,000.00 元"."""
    return f"{value.quantize(Decimal('0.01')):,} 元"


def local_datetime(value: dt.datetime) -> str:
    """A moment in the platform's time zone (Asia/Shanghai), to the minute."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _parse_datetime(text: str) -> dt.datetime | None:
    if "T" not in text or len(text) < 16:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def is_money_field(f: Any) -> bool:
    """A decimal to the fen is an amount in yuan (the platform keeps no other two-place decimals)."""
    return isinstance(f, models.DecimalField) and f.decimal_places == 2


def show(value: Any, f: Any = None) -> SafeString:
    """One value as HTML, by its model field's type when known (`f`), else by its own type."""
    if value is None or value == "" or value == []:
        return mark_safe(NONE)
    if f is not None:
        typed = _by_field(value, f)
        if typed is not None:
            return typed
    if isinstance(value, bool):
        return mark_safe("是" if value else "否")
    if isinstance(value, dt.datetime):
        return conditional_escape(local_datetime(value))
    if isinstance(value, dt.date):
        return conditional_escape(value.isoformat())
    if isinstance(value, Decimal) and value.is_finite():
        return conditional_escape(f"{value:,}")
    if isinstance(value, str) and (moment := _parse_datetime(value)) is not None:
        return conditional_escape(local_datetime(moment))
    if isinstance(value, list | tuple):
        return as_list(show(v) for v in value)
    if isinstance(value, dict):
        return as_pairs((str(k), show(v)) for k, v in value.items() if v not in (None, "", []))
    return conditional_escape(str(value))


def _by_field(value: Any, f: Any) -> SafeString | None:
    choices = dict(getattr(f, "flatchoices", None) or ())
    if choices and not isinstance(value, list | dict):
        label = choices.get(value, choices.get(str(value)))
        if label is not None:
            return conditional_escape(str(label))
    if isinstance(f, models.BooleanField):
        return mark_safe("是" if value in (True, "true", "True", 1) else "否")
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        moment = _parse_datetime(value) or _parse_date_as_moment(value)
        return conditional_escape(local_datetime(moment)) if moment else None
    if isinstance(f, models.DecimalField):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return None
        if not amount.is_finite():
            return None
        return conditional_escape(money(amount) if is_money_field(f) else f"{amount:,}")
    return None


def _parse_date_as_moment(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def as_list(items: Any) -> SafeString:
    """Items as a list (one item stays inline)."""
    shown = [conditional_escape(i) for i in items]
    if not shown:
        return mark_safe(NONE)
    if len(shown) == 1:
        return mark_safe(shown[0])
    return format_html(
        '<ul class="ig-values mb-0 ps-3">{}</ul>', format_html_join("", "<li>{}</li>", ((i,) for i in shown))
    )


def as_pairs(pairs: Any) -> SafeString:
    """Label–value pairs as a compact description list."""
    rows = [(conditional_escape(k), conditional_escape(v)) for k, v in pairs]
    if not rows:
        return mark_safe(NONE)
    return format_html(
        '<dl class="ig-pairs mb-0">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows)
    )
