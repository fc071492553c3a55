"""The overview aggregates in the database (issue #12, `make bench` security_overview): its query count does
not grow with the systems in scope, and its lists are cut while its figures count everything."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from infogov.security import selectors
from tests.conftest import fresh

from .conftest import fire, grading, register

pytestmark = [pytest.mark.django_db, pytest.mark.article(30)]


def _graded(world, n: int) -> None:
    for i in range(n):
        system = register(world.yongji, title=f"永吉县业务系统{i}")
        fire(system, "determine_level", world.yongji.dept_user, grading(level=3))


def _page_queries(user) -> int:
    c = Client()
    c.force_login(fresh(user))
    c.get(reverse("security:overview"))  # warm: content types, the scope
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(reverse("security:overview")).status_code == 200
    return len(ctx.captured_queries)


def test_the_overview_makes_as_many_queries_for_six_systems_as_for_one(world):
    _graded(world, 1)
    one = _page_queries(world.city.authority_user)
    _graded(world, 5)
    assert _page_queries(world.city.authority_user) == one


def test_the_overview_counts_everything_and_lists_a_bounded_part(world, monkeypatch):
    _graded(world, 3)
    monkeypatch.setattr(selectors, "FLAGGED_SHOWN", 2)
    ov = selectors.overview(fresh(world.city.authority_user))
    assert (ov.level3_total, ov.evaluation_missing, ov.flagged_count) == (3, 3, 3)
    assert len(ov.flagged_plans) == 2 and ov.by_level == {"第三级": 3}
    row = next(r for r in ov.rows if r.name == "永吉县")
    assert (row.systems, row.level3, row.overdue_evaluations) == (3, 3, 0)
    c = Client()
    c.force_login(fresh(world.city.authority_user))
    html = c.get(reverse("security:overview")).content.decode()
    assert '共 <span id="flagged-count">3</span> 个，列出前 2 个' in html
    county = selectors.overview(fresh(world.jiaohe.authority_user))
    assert county.level3_total == 0 and county.flagged_count == 0 and county.flagged_plans == []
