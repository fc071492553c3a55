"""Core v2: a step that declares a payload schema has its own API operation whose body is that
schema — the OpenAPI document says what the step accepts, and the engine refuses what it does not."""

from __future__ import annotations

import pytest

from infogov.core.api.tokens import token_create
from tests.core.test_steps import submitted_widget
from tests.testapp.models import WidgetInspection

pytestmark = pytest.mark.article(14)


def bearer(user) -> dict[str, str]:
    _, raw = token_create(user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_openapi_document_types_each_steps_body(client):
    spec = client.get("/api/openapi.json").json()
    op = spec["paths"]["/api/widgets/{id}/transitions/inspect"]["post"]
    assert op["operationId"] == "widgets_step_inspect"
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    body = spec["components"]["schemas"][ref]
    payload_ref = body["properties"]["payload"]["$ref"].rsplit("/", 1)[1]
    payload = spec["components"]["schemas"][payload_ref]
    assert set(payload["required"]) == {"checked_on", "finding"}
    assert payload["properties"]["checked_on"]["format"] == "date"
    assert payload["additionalProperties"] is False
    # the generic operation still serves the steps without input
    assert "/api/widgets/{id}/transitions/{name}" in spec["paths"]


def test_the_typed_operation_records_and_refuses(client, world):
    w = submitted_widget(world.yongji)
    url = f"/api/widgets/{w.pk}/transitions/inspect"
    headers = bearer(world.yongji.authority_user)
    bad = client.post(
        url, {"payload": {"checked_on": "1899-01-01", "finding": "x"}}, "application/json", **headers
    )
    assert bad.status_code == 422
    assert "1949-10-01" in bad.json()["message"]
    ok = client.post(
        url,
        {"payload": {"checked_on": "2026-01-05", "finding": "备份策略未落实"}},
        "application/json",
        **headers,
    )
    assert ok.status_code == 200, ok.json()
    assert WidgetInspection.objects.get(widget=w).finding == "备份策略未落实"
    other = client.post(
        url,
        {"payload": {"checked_on": "2026-01-05", "finding": "越权"}},
        "application/json",
        **bearer(world.jiaohe.authority_user),
    )
    assert other.status_code == 404  # another county's case is not even visible


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ('{"payload": {"checked_on": "2026-01-05", "finding": "a", "finding": "b"}}', "出现了两次"),
        ('{"payload": {"checked_on": "2026-01-05", "finding": "a"}, "expected_version": NaN}', "NaN"),
        (
            '{"payload": {"checked_on": "2026-01-05", "finding": "a"}, "expected_version": Infinity}',
            "Infinity",
        ),
    ],
)
def test_ambiguous_json_is_a_400_in_chinese_and_writes_nothing(client, world, raw, words):
    w = submitted_widget(world.yongji)
    response = client.post(
        f"/api/widgets/{w.pk}/transitions/inspect",
        raw,
        "application/json",
        **bearer(world.yongji.authority_user),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_json"
    assert words in response.json()["message"]
    assert not WidgetInspection.objects.filter(widget=w).exists()
