"""我的待办's counts are bounded (issue 11): a count reads at most COUNT_CAP rows per case type and shows
"99+" beyond; the page's SQL does not depend on the page number; the duties are sorted by one query."""

from __future__ import annotations

import pytest
from django.urls import reverse

from infogov.core.workflow import inbox as work
from infogov.core.workflow import inbox_sql
from tests.conftest import fresh
from tests.projects.conftest import Walker

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def cap_of_two(monkeypatch):
    monkeypatch.setattr(work, "COUNT_CAP", 2)
    inbox_sql.forget_compiled()  # the cap is part of the compiled SQL
    yield
    inbox_sql.forget_compiled()


def test_the_count_stops_at_the_cap_and_the_pages_go_on(
    world, cap_of_two, client, django_assert_max_num_queries
):
    walker = Walker(world, world.yongji)
    for i in range(4):
        walker.submit(walker.create(title=f"待审项目{i}"))
    user = fresh(world.yongji.authority_user)
    page = work.step_items(user, page_size=1)
    assert page.counts == {"信息化工程项目": 2} and page.capped and page.count_label == "2+"
    assert page.count_labels == {"信息化工程项目": "1+"} and page.has_next
    last = work.step_items(user, page=4, page_size=1)
    assert len(last.items) == 1 and not last.has_next  # the fourth of four: no next page
    assert work.count_label(1) == "1" and work.count_label(2) == "1+"
    client.force_login(user)
    client.get(reverse("home"))  # warm
    with django_assert_max_num_queries(30) as first:
        html = client.get(reverse("home")).content.decode()
    assert "件事项待办理" in html
    # page 2: the same statements, and the bounded count that page 1 skips when everything fits on it
    with django_assert_max_num_queries(len(first.captured_queries) + 1):
        client.get(reverse("home") + "?page=2")


def test_duties_are_split_by_one_query(world):
    walker = Walker(world, world.yongji)
    walker.submit(walker.create())
    user = fresh(world.yongji.authority_user)
    own, waiting = work.duties(user)
    assert {o.code for o in own} | {o.code for o in waiting} <= {o.code for o in work.todo_for(user)}
    assert not set(own.values_list("pk", flat=True)) & set(waiting.values_list("pk", flat=True))
