"""The case page's docket timeline is rendered in Python (core.timeline) for speed; it must give the
markup the template gave (the template is kept here as the reference)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

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


# -- issue #11: a readable record -------------------------------------------------------------------


def _render(world, changes_per_event, django_assert_num_queries=None, queries=None):
    from infogov.core.web.cases import case_url
    from infogov.core.web.changes import RecordReader
    from tests.testapp.models import Widget

    w = Widget(pk=1, jurisdiction=world.yongji.jurisdiction, owner=world.yongji.department)
    reader = RecordReader(w, lambda name: {"budget": "预算（元）"}.get(name, name), link=case_url)
    rows = [reader.rows(c) for c in changes_per_event]
    if django_assert_num_queries is not None:
        with django_assert_num_queries(queries):
            reader.resolve()
    else:
        reader.resolve()
    return [[(label, str(b), str(a)) for label, b, a in reader.render(r)] for r in rows]


@pytest.mark.article(34)
def test_values_read_by_their_fields_type(world):
    from tests.testapp.models import Widget

    w = Widget.objects.create(
        reference="WG-1",
        title="档案数字化",
        jurisdiction=world.yongji.jurisdiction,
        owner=world.yongji.department,
    )
    user = world.yongji.authority_user
    [[budget, flag, owner, note], [record], [link]] = _render(
        world,
        [
            {
                "budget": {"before": "100.00", "after": "480000.00"},
                "has_security_plan": {"before": False, "after": True},
                "owner": {"before": world.yongji.department.pk, "after": world.jiaohe.department.pk},
                "note": {"before": None, "after": ["GB 17859-1999", "GB/T 22239-2019"]},
            },
            {
                "widgetinspection#7": {
                    "before": None,
                    "after": {
                        "widget": w.pk,
                        "checked_on": "2026-01-05",
                        "finding": "备份<未>演练",
                        "severity": "严重",
                        "recorded_by": user.pk,
                        "checked_at": "2026-03-01T01:30:00+00:00",
                    },
                }
            },
            {"widgetinspection#7": {"widget": {"before": None, "after": w.pk}}},
        ],
    )
    assert budget == ("预算（元）", "100.00 元", "480,000.00 元")  # money: separators and 元
    assert flag[1:] == ("否", "是")
    assert owner[1:] == (world.yongji.department.name, world.jiaohe.department.name)  # by name, not id
    assert note[2] == '<ul class="ig-values mb-0 ps-3"><li>GB 17859-1999</li><li>GB/T 22239-2019</li></ul>'
    label, before, after = record
    assert label == "监督检查记录（#7）" and before == "—"
    assert "<dt>检查日期</dt><dd>2026-01-05</dd>" in after
    assert "<dt>检查发现</dt><dd>备份&lt;未&gt;演练</dd>" in after  # escaped
    assert f"<dd>{user.display_name}</dd>" in after
    assert "<dd>2026-03-01 09:30</dd>" in after  # a moment in Beijing time, not UTC ISO
    assert "档案数字化" not in after  # the record's link to this case is not repeated
    assert link[2] == f'<a href="/widgets/{w.pk}/">档案数字化（WG-1）</a>'  # a case: by name, with a link


@pytest.mark.article(34)
def test_relations_are_resolved_once_per_model_per_page(world, django_assert_num_queries):
    many = [
        {"owner": {"before": world.yongji.department.pk, "after": world.jiaohe.department.pk}}
        for _ in range(20)
    ] + [{"widgetinspection#1": {"recorded_by": {"before": None, "after": world.yongji.dept_user.pk}}}]
    rendered = _render(world, many, django_assert_num_queries, 2)  # organisations, users
    assert rendered[-1][0][2] == world.yongji.dept_user.display_name


@pytest.mark.article(34)
def test_the_raw_record_is_one_click_away(client, world):
    from django.urls import reverse

    from tests.core.test_steps import submitted_widget

    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    client.post(
        reverse("widgets:fire", args=[w.pk, "inspect"]),
        {"version": w.version, "checked_on": "2026-01-05", "finding": "备份未演练"},
    )
    html = client.get(reverse("widgets:detail", args=[w.pk])).content.decode()
    raw = html[html.index("<summary>原始记录</summary>") :]
    assert raw.index("<summary>") < raw.index("&quot;checked_on&quot;: &quot;2026-01-05&quot;")
    assert "&quot;payload&quot;" in raw and "&quot;changes&quot;" in raw
    assert "<details" in html[: html.index("<summary>原始记录</summary>")]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from(["payload", "changes"]), _JSON, min_size=1))
def test_the_raw_record_is_the_event_s_json(raw):
    """原始记录 shows the event's payload and changes as JSON that reads back as the same values."""
    from infogov.core.docket.timeline import _pretty

    assert json.loads(_pretty(raw)) == raw
