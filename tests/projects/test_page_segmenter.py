"""Reading a project page does not run the Chinese segmenter. jieba's dictionary is ~80 MB in each web
worker that loads it; what a page shows from cut text (the search column, the 不重复采集 matches, the
duplicate hits) is cut when the project is saved, so the pages of every stage read it from the
database. Cutting happens on writes and searches only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infogov.core.text import segment
from infogov.projects.models import Project
from tests.conftest import fresh
from tests.projects.conftest import MANDATORY_APP

pytestmark = [pytest.mark.django_db, pytest.mark.article(9)]

DATA = [{"name": "辖区人口信息", "use": "produce"}, {"name": "网格事件", "use": "produce"}]


def stages(walker: Any) -> list[Any]:
    """A project at each stage: draft, proposed, included in the approved annual plan, reviewed, tested."""
    draft = walker.create(data_resources=DATA)
    proposed = walker.submit(walker.create(data_resources=DATA))
    included, reviewed, tested = (walker.submit(walker.create(data_resources=DATA)) for _ in range(3))
    reviewed = walker.include(reviewed, approve=False)
    tested = walker.include(tested, approve=False)
    included = walker.include(included)  # approves the plan
    reviewed = walker.review(walker.findings(reviewed))
    tested = walker.procure(walker.review(walker.findings(tested)))
    tested = walker.fire(tested, "start_construction")
    tested = walker.fire(tested, "complete", payload={"completed_on": "2026-12-20"})
    tested = walker.fire(
        tested,
        "record_test",
        payload={"tester": "吉林省软件测评中心", "passed": True, "standards": MANDATORY_APP},
    )
    return [draft, proposed, included, reviewed, tested]


def test_no_project_page_cuts_text(walker, monkeypatch):
    projects = stages(walker)
    cut: list[str] = []

    def refuse() -> Any:
        cut.append("segmenter")
        raise AssertionError("a page ran the segmenter")

    monkeypatch.setattr(segment, "segmenter", refuse)
    for user in (walker.owner, walker.authority):
        client = Client()
        client.force_login(fresh(user))
        for p in projects:
            response = client.get(f"/projects/{p.pk}/")
            assert response.status_code == 200, (p.state, response.status_code)
    assert cut == []
    assert [p.state for p in projects] == ["draft", "proposed", "planned", "reviewed", "tested"]
    # the test can fail: a proposal saved without its words is cut when its page is read
    Project.objects.filter(pk=projects[1].pk).update(collected_words=None)
    client = Client()
    client.force_login(fresh(walker.authority))
    with pytest.raises(AssertionError, match="segmenter"):
        client.get(f"/projects/{projects[1].pk}/")
    # and a search cuts its query
    with pytest.raises(AssertionError, match="segmenter"):
        client.get("/projects/?q=人口信息")
