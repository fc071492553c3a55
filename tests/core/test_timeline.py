"""The case page's docket timeline is rendered in Python (core.timeline) for speed; it must give the
markup the template gave (the template is kept here as the reference)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone

from infogov.core.docket.timeline import timeline_html
from infogov.core.models import DocketEvent
from infogov.core.web.cases import EventView

pytestmark = pytest.mark.django_db

# the template the timeline was, before it moved to Python
REFERENCE = "{% load infogov_ui %}\n" + (Path(__file__).parent / "timeline_reference.html").read_text(
    encoding="utf-8"
)


def _norm(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def _events(world):
    org = world.yongji.department
    at = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 30, 15, 123456))
    return [
        EventView(
            DocketEvent(action="create", action_label="创建", at=at, actor_name="张三", organisation=org),
            "",
            "草稿",
        ),
        EventView(
            DocketEvent(
                action="submit",
                action_label="",
                at=at,
                actor_name="",
                citation="第九条第一款",
                comment="第一行<script>\n第二行 & 第三",
                attachments=[{"id": 1, "name": "方案<1>.pdf"}, {"id": 2, "name": "预算.xlsx"}],
            ),
            "草稿",
            "已申报",
        ),
        EventView(
            DocketEvent(action="edit", action_label="修改", at=at, actor_name="李四", citation="不是条款"),
            "已申报",
            "已申报",
            [("预算金额", "100", None), ("名称", "<b>旧</b>", "新")],
        ),
    ]


@pytest.mark.article(34)
def test_timeline_markup_is_the_templates(world):
    events = _events(world)
    expected = Template(REFERENCE).render(Context({"events": events}))
    assert _norm(timeline_html(events)) == _norm(expected)


@pytest.mark.article(34)
def test_timeline_escapes_what_users_typed(world):
    html = str(timeline_html(_events(world)))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "方案&lt;1&gt;.pdf" in html and "&lt;b&gt;旧&lt;/b&gt;" in html
    assert 'datetime="2026-03-01T09:30:15.123456+08:00"' in html and "2026-03-01 09:30:15" in html
    assert 'href="/regulation/#article-9"' in html or "#article-9" in html
