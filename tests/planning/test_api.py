"""The plan endpoints: the same actions as the pages, scoped per user (第四条), errors with articles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from infogov.planning.choices import PlanLevel, PlanState
from infogov.planning.models import PlanVersion, PublicComment

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(c: Client, url: str, data: dict | None = None):
    return c.post(url, data or {}, content_type="application/json")


def test_owner_drafts_and_runs_consultation_through_the_api(pw):
    w = pw.world
    c = client_for(w.city.authority_user)
    r = post(
        c,
        "/api/plans/",
        {
            "level": "city",
            "title": "吉林市信息化发展规划（2026—2030年）",
            "jurisdiction": "220200",
            "owner_id": w.city.authority.pk,
            "period_start": 2026,
            "period_end": 2030,
            "parent_reference": "吉林省信息化发展规划",
        },
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    goal = post(c, f"/api/plans/{pk}/goals", {"text": "数字政府基础设施全面建成"}).json()
    r = post(
        c,
        f"/api/plans/{pk}/tasks",
        {
            "text": "建设政务云平台",
            "goal_id": goal["id"],
            "responsible_id": w.city.authority.pk,
            "indicator": "上云系统",
            "target_value": "120",
            "unit": "个",
            "target_year": 2028,
        },
    )
    assert r.status_code == 201 and float(r.json()["target_value"]) == 120
    today = dt.date.today()
    r = post(
        c,
        f"/api/plans/{pk}/transitions/open_consultation",
        {"payload": {"start": today.isoformat(), "end": (today + dt.timedelta(days=2)).isoformat()}},
    )
    assert (
        r.status_code == 422 and r.json()["article"] == "第六条第一款" and r.json()["code"] == "A6-1-WINDOW"
    )
    r = post(
        c,
        f"/api/plans/{pk}/transitions/open_consultation",
        {"payload": {"start": today.isoformat(), "end": (today + dt.timedelta(days=10)).isoformat()}},
    )
    assert r.status_code == 200 and r.json()["state"] == PlanState.CONSULTATION
    # the public comments without logging in
    anon = Client()
    r = anon.post(
        f"/api/public/plans/{pk}/comments",
        {"body": "建议增加数据安全内容。", "contact": "13800000000"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    r = anon.post(
        f"/api/public/plans/{pk}/comments",
        {"body": "机器人填写的内容", "website": "http://spam"},
        content_type="application/json",
    )
    assert r.status_code == 422 and PublicComment.objects.count() == 1
    comments = c.get(f"/api/plans/{pk}/comments").json()
    assert comments[0]["contact"] == "13800000000"
    public = anon.get(f"/api/public/plans/{pk}/comments").json()
    assert "contact" not in public[0] and public[0]["answer_text"] == ""
    r = post(c, f"/api/plans/{pk}/answers", {"comment_ids": [comments[0]["id"]], "template": "accepted"})
    assert r.json() == {"count": 1}
    assert post(c, f"/api/plans/{pk}/answers/publish").json() == {"count": 1}
    assert anon.get(f"/api/public/plans/{pk}/comments").json()[0]["answer_status"] == "accepted"


def test_plans_are_scoped_to_the_users_jurisdiction(pw, assert_max_queries):
    w = pw.world
    pw.city_plan_in_force()
    yongji = pw.draft(PlanLevel.LOCAL, w.yongji)
    jiaohe = pw.draft(PlanLevel.LOCAL, w.jiaohe)
    c = client_for(w.yongji.authority_user)
    with assert_max_queries(8):
        r = c.get("/api/plans/")
    ids = {i["id"] for i in r.json()["items"]}
    assert yongji.pk in ids and jiaohe.pk not in ids
    assert c.get(f"/api/plans/{jiaohe.pk}").status_code == 404
    assert c.get(f"/api/plans/{jiaohe.pk}/content").status_code == 404
    assert post(c, f"/api/plans/{jiaohe.pk}/goals", {"text": "越权增加的目标"}).status_code == 404
    # the step's body is its typed schema ({"payload": …}); a case not visible is a 404
    assert (
        post(c, f"/api/plans/{jiaohe.pk}/transitions/open_consultation", {"payload": {}}).status_code == 404
    )
    # the city authority sees both
    ids = {
        i["id"] for i in client_for(w.city.authority_user).get("/api/plans/?page_size=100").json()["items"]
    }
    assert {yongji.pk, jiaohe.pk} <= ids
    # anonymous: 401
    assert Client().get("/api/plans/").status_code == 401


def test_list_filters_and_chinese_search(pw, assert_max_queries):
    w = pw.world
    city = pw.city_plan_in_force()
    special = pw.draft(PlanLevel.SPECIAL, w.city, tasks=["建设智慧医疗健康信息平台"])
    c = client_for(w.city.authority_user)
    for i in range(5):
        pw.draft(PlanLevel.SPECIAL, w.city, title=f"专项规划{i}")
    with assert_max_queries(8):
        items = c.get("/api/plans/?level=special&page_size=50").json()["items"]
    assert special.pk in {i["id"] for i in items} and city.pk not in {i["id"] for i in items}
    items = c.get("/api/plans/", {"text": "医疗"}).json()["items"]
    assert [i["id"] for i in items] == [special.pk]
    items = c.get("/api/plans/", {"text": "政务云"}).json()["items"]
    assert city.pk in {i["id"] for i in items}
    items = c.get("/api/plans/", {"state": "in_force", "period": "2027"}).json()["items"]
    assert [i["id"] for i in items] == [city.pk]


def test_approved_version_cannot_be_altered_through_the_api(pw):
    v = pw.city_plan_in_force()
    c = client_for(pw.world.city.authority_user)
    r = c.patch(f"/api/plans/{v.pk}", {"title": "擅自修改"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["article"] == "第六条第二款"
    task = v.tasks.first()
    r = c.patch(
        f"/api/plans/{v.pk}/tasks/{task.pk}", {"text": "擅自修改任务"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["article"] == "第六条第二款"
    r = post(c, f"/api/plans/{v.pk}/tasks", {"text": "擅自增加任务"})
    assert r.status_code == 422
    assert PlanVersion.objects.get(pk=v.pk).title == v.title
    # the change request is the way: a new draft version
    r = post(c, f"/api/plans/{v.pk}/change-request", {"reason": "上级规划调整（特殊情况）"})
    assert r.status_code == 201
    new = r.json()["id"]
    assert c.get(f"/api/plans/{new}/diff").json() == {"added": [], "removed": [], "changed": []}


def test_government_approves_through_the_api_and_wrong_body_is_refused(pw):
    w = pw.world
    v = pw.submit(pw.review(pw.close_consultation(pw.open_consultation(pw.draft(PlanLevel.CITY)))))
    r = post(client_for(w.city.leader), f"/api/plans/{v.pk}/transitions/approve", {"payload": {}})
    assert r.status_code == 403 and r.json()["article"] == "第五条第一款"
    r = post(
        client_for(w.city.approver),
        f"/api/plans/{v.pk}/transitions/approve",
        {"payload": {"document": "吉政函〔2026〕8号"}, "expected_version": v.version},
    )
    assert r.status_code == 200 and r.json()["state"] == "approved" and r.json()["approval_document"]


def test_expert_reviews_assigned_plan_through_the_api(pw):
    v = pw.close_consultation(pw.open_consultation(pw.draft(PlanLevel.CITY)))
    c = client_for(pw.world.city.authority_user)
    r = post(c, f"/api/plans/{v.pk}/experts", {"usernames": [e.username for e in pw.experts[:3]]})
    assert r.json() == {"count": 3}
    e = client_for(pw.experts[0])
    assert e.get(f"/api/plans/{v.pk}").status_code == 200
    r = post(e, f"/api/plans/{v.pk}/opinions", {"conclusion": "pass", "opinion": "规划可行，同意。"})
    assert r.status_code == 201
    other = client_for(pw.experts[3])
    assert (
        post(
            other, f"/api/plans/{v.pk}/opinions", {"conclusion": "pass", "opinion": "未分派也想提交"}
        ).status_code
        == 404
    )
    content = c.get(f"/api/plans/{v.pk}/content").json()
    assert len(content["opinions"]) == 1 and "duplicates" in content["findings"]


def test_assessment_export_through_the_api(pw):
    w = pw.world
    pw.city_plan_in_force()
    pw.to_in_force(pw.draft(PlanLevel.LOCAL, w.yongji))
    c = client_for(w.city.authority_user)
    year = dt.date.today().year
    assert post(c, "/api/plans/inspections/sample", {"year": year}).status_code == 201
    assert post(c, f"/api/plans/assessment/{year}/compute").json() == {"count": 1}
    data = c.get(f"/api/plans/assessment/{year}").json()
    assert {r["考核对象"] for r in data["rows"]} >= {"永吉县", "蛟河市"}
    r = c.get(f"/api/plans/assessment/{year}/xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert client_for(w.yongji.authority_user).get(f"/api/plans/assessment/{year}").status_code == 403
    assert (
        post(client_for(w.yongji.authority_user), f"/api/plans/assessment/{year}/compute").status_code == 403
    )
