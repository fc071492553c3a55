"""The project list's fast path (core.api_cases._FastItems) gives what ProjectItemOut makes of them."""

import pytest
from django.test import Client

from infogov.projects.api import ProjectItemOut
from infogov.projects.models import Project
from tests.core.test_api_fast_list import _model_path_items

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.article(4)
def test_project_list_fast_path_matches_the_project_schema(walker, world):
    walker.create(title="永吉县智慧农业物联网平台", year=2027)
    walker.create()
    body = client_for(walker.authority).get("/api/projects/").json()
    ids = [i["id"] for i in body["items"]]
    assert len(ids) == 2
    from infogov.projects.workflows import PROJECT_WORKFLOW

    expected = {
        i["id"]: i
        for i in _model_path_items(Project, ProjectItemOut, ids, "/api/projects/", PROJECT_WORKFLOW)
    }
    assert body["items"] == [expected[i] for i in ids]
    assert isinstance(body["items"][0]["budget"], str)  # amounts are strings, as everywhere in the API
