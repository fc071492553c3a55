"""Obligations: duties a step opens (who owes what to whom, due when) and the next step fulfils."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.obligations import (
    Duty,
    days,
    obligation_open,
    obligations_cancel,
    obligations_fulfil,
    todo_for,
)
from tests.testapp.models import Widget
from tests.testapp.workflows import WORKFLOW

pytestmark = [pytest.mark.django_db, pytest.mark.article(9)]


def new_widget(land, title="视频会议系统", **fields) -> Widget:
    values = {
        "title": title,
        "jurisdiction": land.jurisdiction,
        "owner": land.department,
        "budget": Decimal("80000"),
        "has_security_plan": True,
    }
    values.update(fields)
    return workflow.create(Widget, user=land.dept_user, **values)


def submit(land, today=None, title="视频会议系统", **fields) -> Widget:
    return workflow.fire(new_widget(land, title, **fields), "submit", user=land.dept_user, today=today)


def last_event(case) -> DocketEvent:
    return DocketEvent.objects.for_case(case).order_by("-seq").first()


def test_submit_opens_the_review_duty_owed_by_the_competent_authority(world):
    w = submit(world.yongji, today=dt.date(2024, 3, 1))
    [ob] = Obligation.objects.for_case(w)
    assert ob.code == "widget-review"
    assert ob.title == "审查测试事项"
    assert ob.citation == "第九条第二款"
    assert ob.owed_by == world.yongji.authority  # the authority of the case's jurisdiction, not the city's
    assert ob.owed_to == world.yongji.department
    assert ob.due_date == dt.date(2024, 3, 21)  # today + 20
    assert ob.jurisdiction_id == world.yongji.jurisdiction.pk
    assert ob.opened_by == last_event(w)
    assert ob.is_open and ob.fulfilled_at is None

    j = submit(world.jiaohe, today=dt.date(2024, 12, 20))
    [ob] = Obligation.objects.for_case(j)
    assert ob.owed_by == world.jiaohe.authority
    assert ob.due_date == dt.date(2025, 1, 9)  # across the year end


def test_due_date_defaults_to_the_local_date(world):
    w = submit(world.yongji)
    assert Obligation.objects.for_case(w).get().due_date == timezone.localdate() + dt.timedelta(days=20)


@pytest.mark.parametrize(("step", "comment"), [("approve", ""), ("reject", "材料不全")])
def test_the_decision_fulfils_the_duty_with_its_event(world, step, comment):
    w = submit(world.yongji, today=dt.date(2024, 3, 1))
    other = submit(world.yongji, today=dt.date(2024, 3, 1), title="另一事项")
    w = workflow.fire(w, step, user=world.yongji.authority_user, comment=comment)
    event = last_event(w)
    ob = Obligation.objects.for_case(w).get()
    assert ob.fulfilled_by == event
    assert ob.fulfilled_at == event.at
    assert not ob.is_open
    assert not Obligation.objects.for_case(w).open().exists()
    # only this case's duty: the other case's review is still owed
    assert Obligation.objects.for_case(other).get().is_open


def test_fulfilling_twice_does_nothing_the_second_time(world):
    w = submit(world.yongji)
    w = workflow.fire(w, "approve", user=world.yongji.authority_user)
    first = Obligation.objects.for_case(w).get()
    assert obligations_fulfil(case=w, codes=["widget-review"], event=last_event(w)) == 0
    assert obligations_fulfil(case=w, codes=[], event=last_event(w)) == 0
    assert Obligation.objects.for_case(w).get().fulfilled_at == first.fulfilled_at


def test_todo_lists_what_the_users_organisation_owes_overdue_first_then_by_due_date(world):
    today = timezone.localdate()
    w_recent = submit(world.yongji, today=today, title="近期")  # due today+20
    w_old = submit(world.yongji, today=today - dt.timedelta(days=100), title="很久以前")  # overdue by 80 days
    w_week = submit(world.yongji, today=today - dt.timedelta(days=13), title="一周后到期")  # due in 7 days
    w_late = submit(world.yongji, today=today - dt.timedelta(days=21), title="昨天到期")  # overdue by 1 day
    w_done = submit(world.yongji, today=today - dt.timedelta(days=200), title="已办结")
    workflow.fire(w_done, "approve", user=world.yongji.authority_user)
    w_jiaohe = submit(world.jiaohe, today=today - dt.timedelta(days=300), title="蛟河")

    def titles(user):
        return [Widget.objects.get(pk=o.case_id).title for o in todo_for(user)]

    expected = ["很久以前", "昨天到期", "一周后到期", "近期"]
    assert titles(world.yongji.authority_user) == expected
    assert titles(world.yongji.leader) == expected
    todo = list(todo_for(world.yongji.authority_user))
    overdue = [o.is_overdue() for o in todo]
    assert overdue == [True, True, False, False]  # overdue first
    assert [o.due_date for o in todo] == sorted(o.due_date for o in todo)
    # others do not owe these: not the county's department, not the city authority, not another county
    assert titles(world.yongji.dept_user) == []
    assert titles(world.city.authority_user) == []
    assert titles(world.jiaohe.authority_user) == ["蛟河"]
    assert titles(world.audit_admin) == []
    assert titles(world.expert) == []
    assert {w_recent.pk, w_old.pk, w_week.pk, w_late.pk} == {o.case_id for o in todo}
    assert w_jiaohe.pk not in {o.case_id for o in todo}


def test_todo_same_due_date_is_ordered_by_creation(world):
    day = dt.date(2024, 5, 6)
    ids = [submit(world.yongji, today=day, title=f"事项{i}").pk for i in range(3)]
    assert [o.case_id for o in todo_for(world.yongji.authority_user)] == ids


def test_todo_excludes_cancelled_duties(world):
    w = submit(world.yongji)
    assert obligations_cancel(case=w, codes=["widget-review"]) == 1
    assert list(todo_for(world.yongji.authority_user)) == []
    assert Obligation.objects.for_case(w).get().cancelled_at is not None


def test_todo_includes_duties_owed_by_a_co_supervisor_or_expert_organisation(world):
    w = new_widget(world.yongji)
    obligation_open(
        case=w,
        code="finance-check",
        title="财政审核",
        citation="第十一条第二款",
        owed_by=world.yongji.finance,
        due_date=dt.date(2024, 1, 1),
    )
    obligation_open(
        case=w,
        code="expert-review",
        title="专家论证",
        citation="第九条第二款",
        owed_by=world.expert_pool,
        due_date=dt.date(2024, 1, 2),
    )
    assert [o.code for o in todo_for(world.yongji.finance_user)] == ["finance-check"]
    assert [o.code for o in todo_for(world.expert)] == ["expert-review"]
    assert [o.code for o in todo_for(world.jiaohe.finance_user)] == []


def test_overdue_query(world):
    a = submit(world.yongji, today=dt.date(2024, 1, 1), title="甲")  # due 2024-01-21
    b = submit(world.yongji, today=dt.date(2024, 1, 10), title="乙")  # due 2024-01-30
    c = submit(world.jiaohe, today=dt.date(2024, 1, 1), title="丙")  # due 2024-01-21, then decided
    workflow.fire(c, "reject", user=world.jiaohe.authority_user, comment="退回")

    def overdue_on(day):
        return {o.case_id for o in Obligation.objects.overdue(today=day)}

    assert overdue_on(dt.date(2024, 1, 21)) == set()  # due today is not yet overdue
    assert overdue_on(dt.date(2024, 1, 22)) == {a.pk}
    assert overdue_on(dt.date(2024, 1, 31)) == {a.pk, b.pk}
    assert overdue_on(dt.date(2023, 12, 1)) == set()
    assert overdue_on(None) == {a.pk, b.pk}  # default: today, long after
    for day in (dt.date(2024, 1, 21), dt.date(2024, 1, 22), dt.date(2024, 1, 31)):
        assert {o.case_id for o in Obligation.objects.all() if o.is_overdue(day)} == overdue_on(day)
    # by owing organisation, as the authority's dashboard asks
    assert (
        Obligation.objects.overdue(today=dt.date(2024, 2, 1)).filter(owed_by=world.jiaohe.authority).count()
        == 0
    )


def test_a_conditional_duty_is_opened_only_when_its_condition_holds(world, monkeypatch):
    submit_t = WORKFLOW.transitions["submit"]
    [review] = submit_t.opens
    only_with_budget = dataclasses.replace(review, when=lambda case: case.budget > 0)
    monkeypatch.setitem(
        WORKFLOW.transitions, "submit", dataclasses.replace(submit_t, opens=(only_with_budget,))
    )
    free = submit(world.yongji, budget=Decimal("0"), title="无预算")
    paid = submit(world.yongji, budget=Decimal("1"), title="有预算")
    assert not Obligation.objects.for_case(free).exists()
    assert Obligation.objects.for_case(paid).count() == 1


def test_a_duty_due_by_a_rule_rather_than_a_number_of_days(world, monkeypatch):
    """Like 'report by 31 January of the next year'."""
    submit_t = WORKFLOW.transitions["submit"]
    year_end = Duty(
        "annual-report",
        "年度报告",
        "第十三条第二款",
        owed_by=lambda c: c.owner,
        due=lambda case, today: dt.date(today.year + 1, 1, 31),
    )
    monkeypatch.setitem(WORKFLOW.transitions, "submit", dataclasses.replace(submit_t, opens=(year_end,)))
    w = submit(world.yongji, today=dt.date(2024, 6, 15))
    ob = Obligation.objects.for_case(w).get()
    assert (ob.code, ob.owed_by, ob.due_date, ob.owed_to) == (
        "annual-report",
        world.yongji.department,
        dt.date(2025, 1, 31),
        None,
    )
    assert [o.code for o in todo_for(world.yongji.dept_user)] == ["annual-report"]


def test_days_and_bad_duty_citations():
    assert days(20) == dt.timedelta(days=20)
    assert Duty("x", "x", "第九条", owed_by=lambda c: None, due=days(3)).due_date(
        None, dt.date(2024, 2, 27)
    ) == (dt.date(2024, 3, 1))
    with pytest.raises(ValueError):
        Duty("x", "x", "九条", owed_by=lambda c: None, due=days(3))


def test_obligation_open_refuses_a_bad_citation(world):
    w = new_widget(world.yongji)
    with pytest.raises(ValueError):
        obligation_open(
            case=w,
            code="x",
            title="x",
            citation="第一百条",
            owed_by=world.yongji.authority,
            due_date=dt.date(2024, 1, 1),
        )
    assert not Obligation.objects.exists()
