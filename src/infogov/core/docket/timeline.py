"""The docket timeline of a case page (第三十四条: who, when, under which article, what), rendered in
Python: a case has dozens to hundreds of docket events, and the template engine resolving a dozen
variables and filters per event was most of a case page's rendering time. The markup is the one the
template had (tests/core/test_timeline.py compares them). The values in the changes table come
rendered by their field's type (core.web.changes); the raw JSON of each event is one click away
(原始记录, a <details> element)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from infogov.core.regulation.articles import Citation

_NONE = "—"


@functools.lru_cache(maxsize=1024)
def _cite(citation: str, regulation_url: str) -> str:
    """The citation as a link to its article (a page cites the same few articles again and again)."""
    try:
        c = Citation.parse(citation)
    except ValueError:
        return conditional_escape(citation)
    return format_html(
        '<a class="ig-citation" href="{}#article-{}">{}</a>', regulation_url, c.article, citation
    )


def _value(v: Any) -> str:
    return conditional_escape(_NONE if v is None else v)


def _event(ev: Any, regulation_url: str) -> str:
    # format_html's markup, with its escaping done here directly (a few calls per event, not one
    # format_html per fragment: the page has dozens to hundreds of events)
    esc = conditional_escape
    e = ev.event
    at = timezone.localtime(e.at) if timezone.is_aware(e.at) else e.at
    parts = [
        "\n          <li>\n            "
        '<div class="d-flex flex-wrap justify-content-between gap-2">\n'
        f"              <strong>{esc(e.action_label or e.action)}</strong>\n"
        f'              <time class="text-secondary small" datetime="{esc(at.isoformat())}">'
        f"{esc(at.strftime('%Y-%m-%d %H:%M:%S'))}</time>\n            </div>"
        '\n            <div class="small">\n              ',
        esc(e.actor_name or "系统"),
    ]
    if e.organisation_id:
        parts.append(f" · {esc(e.organisation.name)}")
    if ev.from_label and ev.to_label and ev.from_label != ev.to_label:
        parts.append(f" · {esc(ev.from_label)} → {esc(ev.to_label)}")
    elif not ev.from_label and ev.to_label:
        parts.append(f" · {esc(ev.to_label)}")
    if e.citation:
        parts.append(" · 依据 " + _cite(e.citation, regulation_url))
    parts.append("\n            </div>\n            ")
    if e.comment:
        parts.append(
            '<blockquote class="border-start border-3 ps-2 my-1 small">'
            + linebreaksbr(e.comment, autoescape=True)
            + "</blockquote>"
        )
    if ev.changes:
        rows = "".join(
            f'<tr><th scope="row" class="fw-normal">{esc(label)}</th>'
            f"<td><del>{_value(before)}</del></td><td><ins>{_value(after)}</ins></td></tr>"
            for label, before, after in ev.changes
        )
        parts.append(
            '\n            <table class="table table-sm ig-changes mt-1 mb-0 w-auto">\n'
            '              <caption class="visually-hidden">字段变更</caption>\n'
            '              <thead><tr><th scope="col">字段</th><th scope="col">原值</th>'
            '<th scope="col">新值</th></tr></thead>\n'
            f"              <tbody>{rows}</tbody>\n            </table>\n            "
        )
    if e.attachments:
        names = "、".join(esc(a.get("name", "")) for a in e.attachments if isinstance(a, dict))
        parts.append(f'<div class="small">附件：{names}</div>')
    parts.append(_raw(e))
    parts.append("\n          </li>\n          ")
    return "".join(parts)


def _raw(e: Any) -> str:
    """The event as the docket keeps it (JSON), one click away for auditors: 原始记录."""
    deferred = e.get_deferred_fields()
    raw = {
        name: getattr(e, name)
        for name in ("payload", "changes")
        if name not in deferred and getattr(e, name, None)
    }
    if not raw:
        return ""
    text = _pretty(raw)
    return format_html(
        '<details class="small ig-raw mt-1"><summary>原始记录</summary>'
        '<pre class="mb-0"><code>{}</code></pre></details>',
        text,
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)  # the C encoder: no indent


def _pretty(raw: dict[str, Any]) -> str:
    """`raw` as JSON with its keys and their fields one per line and deeper values on the field's
    line — json.dumps(indent=…) would do the same in its pure-Python encoder, five times slower
    (a page shows dozens to hundreds of events)."""
    lines = []
    for key, value in sorted(raw.items()):
        if isinstance(value, dict) and value:
            fields = ",\n".join(f"  {_json(str(k))}: {_json(v)}" for k, v in sorted(value.items()))
            lines.append(f" {_json(key)}: {{\n{fields}\n }}")
        else:
            lines.append(f" {_json(key)}: {_json(value)}")
    return "{\n" + ",\n".join(lines) + "\n}"


def timeline_html(events: Iterable[Any]) -> SafeString:
    """The <ol> of a case's docket events (EventView items: event, from_label, to_label, changes)."""
    regulation_url = reverse("regulation")
    items = "".join(_event(ev, regulation_url) for ev in events)
    return mark_safe(f'<ol class="ig-timeline">{items}\n        </ol>')
