"""The case lists render their page straight from one values() query (api_cases._FastItems): the body
must be exactly what the list schema would produce from the model instances, and a search counts its
hits only up to a cap."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from infogov.core.api import cases as api_cases
from infogov.core.api.render import api_renderer
from infogov.core.api.root import api
from tests.core.test_api import make_widget

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def _page_schema(op_id: str):
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                if op.operation_id == op_id:
                    return op.response_models[200].model_fields["response"].annotation
    raise LookupError(op_id)


def _model_path_items(model, schema, ids, url_prefix, workflow) -> list[dict]:
    """What the schema makes of the model instances (the path every other endpoint takes)."""
    out = []
    for case in model.objects.select_related("jurisdiction", "owner").filter(pk__in=ids):
        values = api_cases._values(
            case, schema, {"state_label": workflow.label_of(case.state), "url": f"{url_prefix}{case.pk}"}
        )
        dumped = schema.model_validate(values).model_dump(by_alias=True)
        out.append(json.loads(api_renderer.render(None, dumped, response_status=200)))
    return out


@pytest.mark.article(4)
def test_fast_list_body_is_what_the_schema_makes_of_the_cases(world):
    from tests.testapp.workflows import WORKFLOW

    for i in range(3):
        make_widget(world.yongji, title=f"电子政务外网改造{i}", budget=Decimal("1234.50"))
    r = client_for(world.yongji.authority_user).get("/api/widgets/")
    assert r.status_code == 200 and r["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(r.content)
    page_schema = _page_schema("widgets_list")
    # the body validates against the published schema and survives a round trip unchanged
    again = page_schema.model_validate(body).model_dump(by_alias=True)
    assert json.loads(api_renderer.render(None, again, response_status=200)) == body
    item_schema = page_schema.model_fields["items"].annotation.__args__[0]
    ids = [i["id"] for i in body["items"]]
    expected = {
        i["id"]: i for i in _model_path_items(WORKFLOW.model, item_schema, ids, "/api/widgets/", WORKFLOW)
    }
    assert body["items"] == [expected[i] for i in ids]
    assert list(body["items"][0]) == list(item_schema.model_fields)  # the schema's key order
    assert body["items"][0]["created_at"].endswith("+08:00")
    assert body["count"] == 3 and body["count_capped"] is False


@pytest.mark.article(4)
def test_fast_list_stays_scoped_to_the_jurisdiction(world):
    make_widget(world.yongji, title="永吉县事项")
    make_widget(world.jiaohe, title="蛟河市事项")
    titles = [
        i["title"] for i in client_for(world.jiaohe.authority_user).get("/api/widgets/").json()["items"]
    ]
    assert titles == ["蛟河市事项"]


def test_a_search_counts_up_to_the_cap_and_says_there_are_more(world, monkeypatch):
    monkeypatch.setattr(api_cases, "SEARCH_COUNT_CAP", 3)
    for i in range(5):
        make_widget(world.yongji, title=f"政务外网{i}")
    make_widget(world.yongji, title="机房改造")
    c = client_for(world.yongji.authority_user)
    searched = c.get("/api/widgets/", {"q": "政务", "page_size": 2}).json()
    assert (searched["count"], searched["count_capped"], len(searched["items"])) == (3, True, 2)
    # the page of a search keeps the order asked for (its ids are chosen first, then read)
    ordered = c.get("/api/widgets/", {"q": "政务", "ordering": "-title", "page_size": 3, "page": 2}).json()
    assert [i["title"] for i in ordered["items"]] == ["政务外网1", "政务外网0"]
    exact = c.get("/api/widgets/", {"q": "机房"}).json()
    assert (exact["count"], exact["count_capped"]) == (1, False)
    # without a search the count is exact however large
    listed = c.get("/api/widgets/").json()
    assert (listed["count"], listed["count_capped"]) == (6, False)


def test_count_capped_helper_is_exact_at_the_boundary(world):
    for i in range(3):
        make_widget(world.yongji, title=f"事项{i}")
    from tests.testapp.models import Widget

    qs = Widget.objects.all()
    assert api_cases.count_capped(qs, 3) == (3, False)
    assert api_cases.count_capped(qs, 2) == (2, True)
    assert api_cases.count_capped(qs, None) == (3, False)
