"""Core v2: a Record step (监督检查 on the test Widget) goes through the one engine — actor rules,
typed payload, guards by the act's date, the record written, one docket event with the record's
snapshot, duties clocked from the act's date — and every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from infogov.core.docket import chain as docket
from infogov.core.errors import Conflict, InvalidInput, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow import engine as workflow
from tests.testapp.models import Widget, WidgetInspection

pytestmark = pytest.mark.article(14)


def submitted_widget(land) -> Widget:
    w = workflow.create(
        Widget,
        user=land.dept_user,
        title="档案数字化",
        jurisdiction=land.jurisdiction,
        owner=land.department,
        budget=Decimal("30000"),
        has_security_plan=True,
    )
    return workflow.fire(w, "submit", user=land.dept_user)


def events(w) -> list[DocketEvent]:
    return list(DocketEvent.objects.for_case(w).order_by("seq"))


def inspect(w, user, **payload):
    return workflow.fire(w, "inspect", user=user, payload=payload)


def test_a_record_step_adds_the_record_keeps_the_state_and_dockets_its_snapshot(world):
    w = submitted_widget(world.yongji)
    day = timezone.localdate() - dt.timedelta(days=3)
    after = inspect(w, world.yongji.authority_user, checked_on=day.isoformat(), finding="  未按期报送进度 ")
    assert (after.state, after.version) == ("submitted", w.version + 1)
    [record] = WidgetInspection.objects.filter(widget=w)
    assert (record.checked_on, record.finding, record.severity) == (day, "未按期报送进度", "一般")
    assert record.recorded_by == world.yongji.authority_user
    e = events(w)[-1]
    assert (e.action, e.action_label, e.from_state, e.to_state, e.citation) == (
        "inspect",
        "登记监督检查",
        "submitted",
        "submitted",
        "第十四条",
    )
    assert e.payload == {"checked_on": day.isoformat(), "finding": "未按期报送进度", "severity": "一般"}
    assert e.changes[f"widgetinspection#{record.pk}"]["before"] is None
    assert e.changes[f"widgetinspection#{record.pk}"]["after"]["finding"] == "未按期报送进度"
    assert docket.recompute(e) == e.hash
    # the duty is clocked from the act's date, not from the day it was recorded
    duty = Obligation.objects.for_case(w).get(code="widget-follow-up")
    assert duty.due_date == day + dt.timedelta(days=30)
    assert duty.owed_by == world.yongji.department


def test_record_steps_are_explained_with_their_blockers(world):
    w = submitted_widget(world.yongji)
    as_dept = {o.name: o for o in workflow.explain(w, world.yongji.dept_user)}
    assert as_dept["inspect"].allowed is False
    assert as_dept["inspect"].changes_state is False
    assert as_dept["inspect"].target == "submitted"
    assert [b.code for b in as_dept["inspect"].blockers] == ["A4-AUTHORITY"]
    as_authority = {o.name: o for o in workflow.explain(w, world.yongji.authority_user)}
    assert as_authority["inspect"].allowed is True
    draft = workflow.create(
        Widget,
        user=world.yongji.dept_user,
        title="草稿",
        jurisdiction=world.yongji.jurisdiction,
        owner=world.yongji.department,
    )
    assert "inspect" not in {o.name for o in workflow.explain(draft, world.yongji.authority_user)}


def _nothing_written(w, version: int, count: int) -> None:
    w.refresh_from_db()
    assert w.version == version
    assert len(events(w)) == count
    assert not WidgetInspection.objects.filter(widget=w).exists()
    assert not Obligation.objects.for_case(w).filter(code="widget-follow-up").exists()


def test_who_may_act_is_refused_first_and_nothing_is_written(world):
    w = submitted_widget(world.yongji)
    count = len(events(w))
    with pytest.raises(NotPermitted) as exc:
        inspect(w, world.jiaohe.authority_user, checked_on="2026-01-05", finding="越权检查")
    assert (exc.value.status, exc.value.code) == (403, "A4-AUTHORITY")
    _nothing_written(w, w.version, count)


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"finding": "缺少日期"}, "检查日期"),
        ({"checked_on": "2026-01-05", "finding": "   "}, "不能为空"),
        ({"checked_on": "1899-12-31", "finding": "年代久远"}, "1949-10-01"),
        ({"checked_on": "9999-01-01", "finding": "遥远未来"}, "2100-12-31"),
        ({"checked_on": "2026-01-05", "finding": "含\x00空字符"}, "NUL"),
        ({"checked_on": "2026-01-05", "finding": "性质有误", "severity": "轻微"}, "应为以下之一"),
        ({"checked_on": "2026-01-05", "finding": "多余字段", "extra": 1}, "不是可接受的字段"),
        ({"checked_on": "不是日期", "finding": "日期格式"}, "应为日期"),
    ],
)
def test_bad_input_is_one_chinese_422_naming_the_field_and_writes_nothing(world, payload, words):
    w = submitted_widget(world.yongji)
    count = len(events(w))
    with pytest.raises(InvalidInput) as exc:
        inspect(w, world.yongji.authority_user, **payload)
    assert exc.value.status == 422
    assert words in exc.value.message, exc.value.message
    assert exc.value.details and all("msg" in d for d in exc.value.details)
    _nothing_written(w, w.version, count)


def test_a_guard_reads_the_typed_input_and_refuses_with_its_article(world):
    w = submitted_widget(world.yongji)
    count = len(events(w))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(RuleViolation) as exc:
        inspect(w, world.yongji.authority_user, checked_on=tomorrow.isoformat(), finding="预先登记")
    assert (exc.value.code, exc.value.article) == ("TEST-NOT-FUTURE", "第十四条")
    assert exc.value.as_body()["failures"] == [
        {"code": "TEST-NOT-FUTURE", "article": "第十四条", "message": "检查日期不能晚于今天"}
    ]
    _nothing_written(w, w.version, count)


@pytest.mark.article(35)
def test_an_act_dated_before_the_measures_is_recorded_as_historical_and_opens_no_duty(world):
    w = submitted_widget(world.yongji)
    after = inspect(w, world.yongji.authority_user, checked_on="2014-06-01", finding="施行前的检查")
    e = events(after)[-1]
    assert e.payload["historical"] is True
    assert WidgetInspection.objects.get(widget=w).checked_on == dt.date(2014, 6, 1)
    assert not Obligation.objects.for_case(w).filter(code="widget-follow-up").exists()


def test_a_step_in_a_state_that_does_not_allow_it_is_a_409_naming_its_article(world):
    w = workflow.create(
        Widget,
        user=world.yongji.dept_user,
        title="草稿",
        jurisdiction=world.yongji.jurisdiction,
        owner=world.yongji.department,
    )
    with pytest.raises(Conflict) as exc:
        inspect(w, world.yongji.authority_user, checked_on="2026-01-05", finding="草稿不能检查")
    assert (exc.value.status, exc.value.code, exc.value.article) == (409, "wrong_state", "第十四条")
    assert exc.value.as_body()["article"] == "第十四条"


def test_a_record_taken_on_a_stale_view_conflicts(world):
    w = submitted_widget(world.yongji)
    inspect(w, world.yongji.authority_user, checked_on="2026-01-05", finding="第一次检查")
    with pytest.raises(Conflict):
        workflow.fire(
            w,
            "inspect",
            user=world.yongji.authority_user,
            payload={"checked_on": "2026-01-06", "finding": "基于旧页面"},
            expected_version=w.version,
        )
    assert WidgetInspection.objects.filter(widget=w).count() == 1


def test_record_steps_show_in_the_generated_diagram(world):
    from tests.testapp.workflows import WORKFLOW

    diagram = WORKFLOW.diagram()
    assert "note right of submitted: 登记监督检查（第十四条）" in diagram
    assert "draft --> submitted: 提交（第九条第一款）" in diagram


def test_a_step_may_open_and_close_duties_it_decides_itself(world, monkeypatch):
    """A duty per record (one per finding) and a duty closed only by the last answer are decided by
    the call, not the declaration: opened and closed with the step's own docket event."""
    import dataclasses

    from infogov.core.workflow.obligations import Duty, days
    from tests.testapp.workflows import WORKFLOW

    def per_record(case, step):
        step.open_duty(
            Duty(
                f"fix-{step.payload['finding'][:4]}",
                "整改",
                "第十四条",
                owed_by=lambda c: c.owner,
                due=days(10),
            )
        )
        step.close_duty("widget-review")

    inspect_step = WORKFLOW.records["inspect"]
    monkeypatch.setitem(WORKFLOW.records, "inspect", dataclasses.replace(inspect_step, effects=(per_record,)))
    w = submitted_widget(world.yongji)
    assert Obligation.objects.for_case(w).open().filter(code="widget-review").exists()
    after = inspect(w, world.yongji.authority_user, checked_on="2026-01-05", finding="机房漏水")
    event = events(after)[-1]
    fix = Obligation.objects.for_case(w).get(code="fix-机房漏水")
    assert (fix.opened_by_id, fix.due_date) == (event.pk, dt.date(2026, 1, 15))
    review = Obligation.objects.for_case(w).get(code="widget-review")
    assert review.fulfilled_by_id == event.pk
    # a historical act opens none of them
    inspect(after, world.yongji.authority_user, checked_on="2014-03-01", finding="旧账检查")
    assert not Obligation.objects.for_case(w).filter(code="fix-旧账检查").exists()
