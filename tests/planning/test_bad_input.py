"""Bad input on plans (issue 10): a Chinese 4xx, never a 500 and never a partial write."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from infogov.planning.choices import PlanLevel
from infogov.planning.models import Inspection

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("year", [-411, 0, 1999, 2101, 99999])
def test_sampling_inspections_for_an_impossible_year_is_a_422(pw, year):
    pw.city_plan_in_force()
    pw.to_in_force(pw.draft(PlanLevel.LOCAL, pw.world.yongji))
    c = client_for(pw.world.city.authority_user)
    response = c.post(
        "/api/plans/inspections/sample", json.dumps({"year": year}), content_type="application/json"
    )
    assert response.status_code == 422, response.content.decode()
    message = response.json()["message"]
    assert "2000" in message or "2100" in message
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    "raw", ['{"year": 2026, "year": 2027}', '{"year": NaN}', '{"year": 2026, "share": Infinity}']
)
def test_ambiguous_json_when_sampling_is_a_400(pw, raw):
    c = client_for(pw.world.city.authority_user)
    response = c.post("/api/plans/inspections/sample", raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_json"
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("year", [-411, 0, 99999])
def test_an_impossible_year_is_a_422_even_with_nothing_to_sample(pw, year):
    c = client_for(pw.world.city.authority_user)
    response = c.post(
        "/api/plans/inspections/sample", json.dumps({"year": year}), content_type="application/json"
    )
    assert response.status_code == 422
    assert "2000" in response.json()["message"] or "2100" in response.json()["message"]


def _plan_body(w, **changes):
    return {
        "level": "city",
        "title": "吉林市信息化发展规划（2026—2030年）",
        "jurisdiction": "220200",
        "owner_id": w.city.authority.pk,
        "period_start": 2026,
        "period_end": 2030,
        "parent_reference": "吉林省信息化发展规划",
        **changes,
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "    "},
        {"title": "\u3000\u3000\u3000"},
        {"period_start": 0},
        {"period_end": 99999},
        {"title": "规划\x00"},
    ],
    ids=["blank-title", "ideographic-blank-title", "year-0", "year-99999", "nul"],
)
def test_plan_registration_refuses_blank_titles_and_impossible_years(pw, changes):
    from infogov.planning.models import Plan

    c = client_for(pw.world.city.authority_user)
    body = json.dumps(_plan_body(pw.world, **changes), ensure_ascii=False)
    response = c.post("/api/plans/", body, content_type="application/json")
    assert response.status_code in (400, 422), response.content.decode()  # NUL: refused with the body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("url", "body"),
    [("goals", {"text": "   "}), ("tasks", {"text": " \n \t "})],
)
def test_blank_goal_and_task_texts_are_refused(pw, url, body):
    c = client_for(pw.world.city.authority_user)
    pk = c.post("/api/plans/", json.dumps(_plan_body(pw.world)), content_type="application/json").json()["id"]
    response = c.post(f"/api/plans/{pk}/{url}", json.dumps(body), content_type="application/json")
    assert response.status_code == 422, response.content.decode()
