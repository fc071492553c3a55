"""我的待办's order and pages (core/workflow/inbox.py, docs/inbox.md):
"期限最早的排在最前，没有期限的按等待时间先后排列" — the rows with a date (the earliest open duty one of
the row's steps fulfils) by date, ties by waiting time; then the rows without by waiting time. The
page reads the rows with a date first and the others only when the page reaches past them: every
page, of every size, is the same slice of that one order, and the statements a page runs are few and
do not grow with the cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Min
from django.utils import timezone

from infogov.core.models import Obligation
from infogov.core.workflow import inbox as work
from infogov.core.workflow import inbox_sql
from infogov.projects import services
from infogov.projects.models import AnnualConstructionPlan, Project
from tests.conftest import fresh
from tests.projects.conftest import Walker

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _compiled_afresh() -> Any:
    inbox_sql.forget_compiled()  # content type ids differ between databases and test runs
    yield
    inbox_sql.forget_compiled()


def _county_at_work(world: Any) -> Walker:
    """The county authority's inbox: four planned projects with a review duty (dated, one overdue,
    two due the same day), three new 申报 (undated), a draft plan of 2027 to submit (another case
    type, undated) and a project of that plan whose duty is open but whose review waits for the
    plan's approval (a duty, but no step: not a row)."""
    walker = Walker(world, world.yongji)
    projects = [walker.submit(walker.create(title=f"排序项目{i}")) for i in range(7)]
    for p in projects[:4]:
        walker.include(p, approve=False)
    plan = services.plan_fire(plan=walker.plan(2026), user=walker.authority, name="submit_plan")
    services.plan_fire(plan=plan, user=walker.approver, name="approve_plan")
    today = timezone.localdate()
    for p, days in zip(projects[:4], (10, -3, 5, 5), strict=True):
        Obligation.objects.filter(case_id=p.pk, code="project-review").update(
            due_date=today + dt.timedelta(days=days)
        )
    walker.include(walker.submit(walker.create(title="下年度项目", year=2027)), approve=False)
    return walker


def _expected(user: Any) -> list[tuple[str, int]]:
    """The documented order, computed apart from the inbox: each row's date from the open duties."""
    rows = work.step_items(user, page_size=1000).items
    ct = ContentType.objects.get_for_model(Project)
    due = dict(
        Obligation.objects.open()
        .filter(case_type=ct, code="project-review")
        .values_list("case_id")
        .annotate(first=Min("due_date"))
    )
    for item in rows:
        assert item.due_date == (due.get(item.pk) if item.model is Project else None)
    ordered = sorted(
        rows, key=lambda i: (i.due_date is None, i.due_date or dt.date.max, i.waiting_since, i.pk)
    )
    return [(i.model.__name__, i.pk) for i in ordered]


def test_rows_come_by_date_then_by_waiting_time(world):
    _county_at_work(world)
    user = fresh(world.yongji.authority_user)
    page = work.step_items(user, page_size=1000)
    got = [(i.model.__name__, i.pk) for i in page.items]
    assert got == _expected(user)
    dated = [i for i in page.items if i.due_date]
    assert len(dated) == 4 and dated[0].overdue_days == 3 and dated[1].due_date == dated[2].due_date
    assert dated[1].waiting_since <= dated[2].waiting_since  # the same date: the longest waiting first
    assert {i.model for i in page.items} == {Project, AnnualConstructionPlan}
    waiting = Project.objects.get(title="下年度项目")  # a duty, but its review waits for the plan
    assert ("Project", waiting.pk) not in got and len(got) == 4 + 3 + 1


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_every_page_is_a_slice_of_the_one_order(world, size):
    _county_at_work(world)
    user = fresh(world.yongji.authority_user)
    expected = _expected(user)
    pages = []
    number = 1
    while True:
        page = work.step_items(user, page=number, page_size=size)
        pages += [(i.model.__name__, i.pk) for i in page.items]
        assert page.has_next == (number * size < len(expected))
        if not page.has_next:
            break
        number += 1
    assert pages == expected
    beyond = work.step_items(user, page=number + 1, page_size=size)
    assert beyond.items == [] and not beyond.has_next


def test_a_page_of_dated_rows_reads_no_undated_ones(world, django_assert_num_queries):
    _county_at_work(world)
    user = fresh(world.yongji.authority_user)
    work.step_items(user, page_size=2)  # compile (the user's scope, the content types)
    with django_assert_num_queries(2):  # the dated rows (4: they fill the page) and the bounded count
        first = work.step_items(user, page_size=2)
    assert all(i.due_date for i in first.items) and first.has_next
    with django_assert_num_queries(3):  # the dated rows, the undated ones after them, the count
        third = work.step_items(user, page=3, page_size=2)
    assert not any(i.due_date for i in third.items) and third.has_next
    with django_assert_num_queries(2):  # everything on one page: the dated and undated rows, no count
        whole = work.step_items(user, page_size=100)
    assert len(whole.items) == whole.count == 8 and not whole.has_next
