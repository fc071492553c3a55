"""The REST API: error bodies, rendering, session auth, the generic case endpoints, scope (第四条)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone
from ninja import NinjaAPI
from openapi_spec_validator import validate

from infogov.core.api import cases as api_cases
from infogov.core.api.cases import case_router
from infogov.core.api.root import api
from infogov.core.models import Attachment
from infogov.core.regulation.articles import articles
from infogov.core.workflow import engine as workflow
from infogov.org.models import Jurisdiction, Organisation
from tests.testapp.models import Widget
from tests.testapp.workflows import WORKFLOW

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "message", "article"}


def make_widget(land: Any, *, title: str = "电子政务外网改造", **fields: Any) -> Widget:
    fields = {"has_security_plan": True, "budget": Decimal("100.00"), **fields}
    return workflow.create(
        Widget,
        user=land.dept_user,
        title=title,
        jurisdiction=land.jurisdiction,
        owner=land.department,
        **fields,
    )


def client_for(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: Any = None, **extra: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body if body is not None else {})
    return client.post(url, data=data, content_type="application/json", **extra)


def assert_error(response: Any, status: int, code: str | None = None, article: str | None = None) -> dict:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= ERROR_KEYS, body
    assert set(body) <= ERROR_KEYS | {"details"}, body
    assert body["message"]
    if code is not None:
        assert body["code"] == code, body
    if article is not None:
        assert body["article"] == article, body
    return body


# -- the OpenAPI document --------------------------------------------------------------------------


def test_openapi_document_is_valid_and_operation_ids_unique(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["info"]["title"] == "infogov API"
    ops = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ops) == len(set(ops))
    for name in (
        "widgets_list",
        "widgets_detail",
        "widgets_docket",
        "widgets_fire",
        "widgets_attach",
        "me",
        "todo",
    ):
        assert name in ops
    assert "/api/widgets/{id}/transitions/{name}" in spec["paths"]
    assert "吉林市" in response.content.decode("utf-8")  # descriptions in Chinese, not \u-escaped


def test_several_case_routers_coexist_in_one_openapi_document(monkeypatch):
    monkeypatch.setattr(api_cases, "ROUTES", {})  # keep 我的待办's links pointing at the mounted router
    other = NinjaAPI(title="two", urls_namespace="two-routers")
    other.add_router("/widgets/", case_router(WORKFLOW, prefix="widgets"))
    other.add_router("/gadgets/", case_router(WORKFLOW, prefix="gadgets"))
    spec = json.loads(json.dumps(other.get_openapi_schema(path_prefix="/two/"), default=str))
    validate(spec)
    ops = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ops) == len(set(ops)) == 12  # five generic operations and the typed inspect step, twice
    assert {"WidgetsItem", "GadgetsItem", "WidgetsDetail", "GadgetsDetail"} <= set(
        spec["components"]["schemas"]
    )


def test_docs_page_renders(client):
    assert client.get("/api/docs").status_code == 200


def test_autodiscover_is_idempotent_and_only_skips_a_missing_api_module(monkeypatch):
    from infogov.core.api import root as api_module

    api_module.autodiscover()
    api_module.autodiscover()  # a second call imports nothing anew and adds no router twice
    seen: list[str] = []

    def missing_api(name: str) -> None:
        seen.append(name)
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(api_module, "import_module", missing_api)
    api_module.autodiscover()
    assert "tests.testapp.api" in seen and "infogov.core.api" in seen
    assert all(n.startswith(("infogov.", "tests.")) for n in seen)

    def broken_api(name: str) -> None:
        raise ModuleNotFoundError("No module named 'somelib'", name="somelib")

    monkeypatch.setattr(api_module, "import_module", broken_api)
    with pytest.raises(ModuleNotFoundError):
        api_module.autodiscover()


# -- the error body --------------------------------------------------------------------------------


def test_anonymous_gets_401_with_the_error_body(client):
    response = client.get("/api/widgets/")
    body = assert_error(response, 401, "unauthenticated")
    assert body["article"] is None
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("raw", ["{not json", '{"comment": "意见",}', "[1, 2]", '"text"', "\xff\xfe"])
def test_unparsable_or_non_object_json_is_400_bad_json(world, raw):
    widget = make_widget(world.yongji)
    client = client_for(world.yongji.dept_user)
    response = post_json(
        client,
        f"/api/widgets/{widget.pk}/transitions/submit",
        raw.encode("latin-1") if raw.startswith("\xff") else raw,
    )
    assert_error(response, 400, "bad_json")
    widget.refresh_from_db()
    assert widget.state == "draft"


def test_invalid_field_is_422_naming_the_field(world):
    widget = make_widget(world.yongji)
    client = client_for(world.yongji.dept_user)
    response = post_json(
        client, f"/api/widgets/{widget.pk}/transitions/submit", {"expected_version": "abc", "payload": []}
    )
    body = assert_error(response, 422, "invalid")
    assert "expected_version" in body["message"] and "应为整数" in body["message"]
    assert "payload" in body["message"]
    fields = {d["field"] for d in body["details"]}
    assert fields == {"expected_version", "payload"}
    assert all(d["loc"][0] == "body" and d["msg"] for d in body["details"])


def test_missing_field_is_422_naming_the_field(world):
    client = client_for(world.yongji.dept_user)
    body = assert_error(post_json(client, "/api/tokens", {}), 422, "invalid")
    assert "name" in body["message"] and "必填" in body["message"]


def test_bad_query_parameters_are_422(world):
    client = client_for(world.yongji.dept_user)
    body = assert_error(client.get("/api/widgets/?page_size=1000"), 422, "invalid")
    assert "page_size" in body["message"]
    assert_error(client.get("/api/widgets/?page=abc"), 422, "invalid")
    assert_error(client.get("/api/widgets/?state=nonsense"), 422, "invalid")
    body = assert_error(client.get("/api/widgets/?ordering=password"), 422, "invalid_ordering")
    assert "created_at" in body["message"]


def test_unknown_api_path_and_wrong_method_get_the_error_body(world):
    client = client_for(world.yongji.dept_user)
    assert_error(client.get("/api/no-such-endpoint"), 404, "not_found")
    response = client.put("/api/me")
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
    assert_error(client.get("/api/widgets/abc"), 422, "invalid")
    assert_error(client.get("/api/widgets/99999999999999999999"), 404, "not_found")


def test_empty_body_means_no_comment_and_no_payload(world):
    widget = make_widget(world.yongji)
    client = client_for(world.yongji.dept_user)
    response = client.post(
        f"/api/widgets/{widget.pk}/transitions/submit", data="", content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"


def test_unknown_case_and_unknown_transition(world):
    widget = make_widget(world.yongji)
    client = client_for(world.yongji.dept_user)
    assert_error(client.get("/api/widgets/999999"), 404, "not_found")
    assert_error(
        post_json(client, f"/api/widgets/{widget.pk}/transitions/explode"), 422, "unknown_transition"
    )


# -- rendering -------------------------------------------------------------------------------------


def test_chinese_is_returned_unescaped_as_utf8(world):
    widget = make_widget(world.jiaohe, title="蛟河市政务云扩容")
    response = client_for(world.jiaohe.dept_user).get(f"/api/widgets/{widget.pk}")
    assert response.status_code == 200
    assert "charset=utf-8" in response["Content-Type"]
    raw = response.content
    assert "蛟河市政务云扩容".encode() in raw
    assert "蛟河市卫生健康局".encode() in raw
    assert b"\\u" not in raw


def test_datetimes_are_shanghai_time_with_offset_and_decimals_strings(world):
    widget = make_widget(world.yongji, budget=Decimal("1234567.80"))
    body = client_for(world.yongji.dept_user).get(f"/api/widgets/{widget.pk}").json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+08:00", body["created_at"]), body[
        "created_at"
    ]
    assert dt.datetime.fromisoformat(body["created_at"]) == widget.created_at
    assert body["created_at"] == timezone.localtime(widget.created_at).isoformat()
    assert body["budget"] == "1234567.80"
    docket = client_for(world.yongji.dept_user).get(f"/api/widgets/{widget.pk}/docket").json()
    assert docket[0]["at"].endswith("+08:00")


# -- session authentication ------------------------------------------------------------------------


def test_session_auth_me(world):
    body = client_for(world.yongji.authority_user).get("/api/me").json()
    assert body["username"] == "yongji_authority"
    assert body["organisation"]["name"] == "永吉县工业和信息化局"
    assert body["jurisdiction"] == {"code": "220221", "name": "永吉县"}
    assert [r["role"] for r in body["roles"]] == ["authority_staff"]
    assert body["roles"][0]["label"] == "主管部门经办人"
    assert body["is_platform_admin"] is False


def test_session_writes_need_the_csrf_token(world):
    widget = make_widget(world.yongji)
    client = client_for(world.yongji.dept_user, enforce_csrf_checks=True)
    url = f"/api/widgets/{widget.pk}/transitions/submit"
    assert client.get(f"/api/widgets/{widget.pk}").status_code == 200  # reads need no token
    assert_error(post_json(client, url, {}), 403, "csrf_failed")
    widget.refresh_from_db()
    assert widget.state == "draft"
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    response = post_json(client, url, {}, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"


# -- the generic case endpoints --------------------------------------------------------------------


def test_detail_shows_state_version_options_and_attachments(world):
    widget = make_widget(world.yongji, has_security_plan=False)
    body = client_for(world.yongji.dept_user).get(f"/api/widgets/{widget.pk}").json()
    assert body["state"] == "draft" and body["state_label"] == "草稿" and body["version"] == 0
    assert body["jurisdiction"] == {"code": "220221", "name": "永吉县"}
    assert body["owner"]["name"] == "永吉县卫生健康局"
    assert body["url"] == f"/api/widgets/{widget.pk}"
    assert body["can_change"] is True
    (submit,) = body["options"]
    assert submit["transition"] == "submit" and submit["allowed"] is False
    assert submit["blockers"] == [
        {
            "code": "TEST-SECURITY-PLAN",
            "article": "第三十一条第一款",
            "message": "未提交信息安全方案，不能提交",
        }
    ]
    assert submit["target_label"] == "已提交"
    assert body["attachments"] == []


def test_fire_through_the_api_and_read_the_docket(world):
    widget = make_widget(world.yongji)
    dept = client_for(world.yongji.dept_user)
    response = post_json(
        dept, f"/api/widgets/{widget.pk}/transitions/submit", {"comment": "请审查", "expected_version": 0}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "submitted" and body["version"] == 1
    authority = client_for(world.yongji.authority_user)
    body = authority.get(f"/api/widgets/{widget.pk}").json()
    options = {o["transition"]: o for o in body["options"]}
    assert options["approve"]["allowed"] and options["approve"]["confirm"]
    assert options["reject"]["comment_required"] is True
    response = post_json(
        authority,
        f"/api/widgets/{widget.pk}/transitions/approve",
        {"payload": {"contract_amount": 90}, "expected_version": 1},
    )
    assert response.status_code == 200, response.content
    docket = authority.get(f"/api/widgets/{widget.pk}/docket").json()
    assert [e["action"] for e in docket] == ["create", "submit", "approve"]
    submit = docket[1]
    assert submit["action_label"] == "提交" and submit["citation"] == "第九条第一款"
    assert submit["from_state_label"] == "草稿" and submit["to_state_label"] == "已提交"
    assert submit["comment"] == "请审查" and submit["organisation"] == "永吉县卫生健康局"
    assert docket[2]["payload"] == {"contract_amount": 90}
    assert len({e["hash"] for e in docket}) == 3


def test_refused_guard_is_422_with_its_article(world):
    widget = make_widget(world.yongji, has_security_plan=False)
    response = post_json(client_for(world.yongji.dept_user), f"/api/widgets/{widget.pk}/transitions/submit")
    body = assert_error(response, 422, "TEST-SECURITY-PLAN", "第三十一条第一款")
    assert body["details"][0]["article"] == "第三十一条第一款"
    widget.refresh_from_db()
    assert widget.state == "draft" and widget.version == 0


def test_budget_guard_reads_the_payload(world):
    widget = make_widget(world.yongji)
    workflow.fire(widget, "submit", user=world.yongji.dept_user)
    response = post_json(
        client_for(world.yongji.authority_user),
        f"/api/widgets/{widget.pk}/transitions/approve",
        {"payload": {"contract_amount": 150}},
    )
    assert_error(response, 422, "TEST-BUDGET", "第十一条第一款")


def test_reject_without_comment_is_422(world):
    widget = make_widget(world.yongji)
    workflow.fire(widget, "submit", user=world.yongji.dept_user)
    response = post_json(
        client_for(world.yongji.authority_user), f"/api/widgets/{widget.pk}/transitions/reject"
    )
    assert_error(response, 422, "comment_required", "第九条第二款")


@pytest.mark.article(4)
def test_wrong_role_is_403_with_its_article(world):
    widget = make_widget(world.yongji)
    # the competent authority may see the widget but only its owner submits it
    response = post_json(
        client_for(world.yongji.authority_user), f"/api/widgets/{widget.pk}/transitions/submit"
    )
    assert_error(response, 403, "A4-OWNER", "第四条第一款")
    widget.refresh_from_db()
    assert widget.state == "draft"


def test_stale_expected_version_is_409(world):
    widget = make_widget(world.yongji)
    dept = client_for(world.yongji.dept_user)
    url = f"/api/widgets/{widget.pk}"
    seen = dept.get(url).json()["version"]
    workflow.edit(widget, user=world.yongji.dept_user, changes={"description": "另一位经办人修改"})
    response = post_json(dept, f"{url}/transitions/submit", {"expected_version": seen})
    assert_error(response, 409, "conflict")
    widget.refresh_from_db()
    assert widget.state == "draft"


def test_firing_twice_with_the_same_version_is_409(world):
    widget = make_widget(world.yongji)
    dept = client_for(world.yongji.dept_user)
    url = f"/api/widgets/{widget.pk}/transitions/submit"
    assert post_json(dept, url, {"expected_version": 0}).status_code == 200
    assert_error(post_json(dept, url, {"expected_version": 0}), 409)


def test_list_filters_search_ordering_and_pages(world):
    a = make_widget(world.yongji, title="永吉县甲工程", budget=Decimal("300"))
    b = make_widget(world.yongji, title="永吉县乙工程", budget=Decimal("100"), description="视频会议")
    c = make_widget(world.jiaohe, title="蛟河市丙工程", budget=Decimal("200"))
    workflow.fire(b, "submit", user=world.yongji.dept_user)
    city = client_for(world.city.authority_user)  # the city authority sees the whole city

    def ids(url: str) -> list[int]:
        response = city.get(url)
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["items"]]

    assert ids("/api/widgets/") == [c.pk, b.pk, a.pk]  # newest first
    assert ids("/api/widgets/?state=submitted") == [b.pk]
    assert ids("/api/widgets/?jurisdiction=220281") == [c.pk]
    assert ids("/api/widgets/?jurisdiction=220200") == []
    assert set(ids("/api/widgets/?jurisdiction=220200&below=true")) == {a.pk, b.pk, c.pk}
    assert ids("/api/widgets/?q=蛟河") == [c.pk]
    assert ids("/api/widgets/?q=视频") == [b.pk]  # description is a search field of this router
    assert ids("/api/widgets/?ordering=budget") == [b.pk, c.pk, a.pk]
    assert ids("/api/widgets/?ordering=-budget") == [a.pk, c.pk, b.pk]
    page = city.get("/api/widgets/?page=2&page_size=2").json()
    assert page["count"] == 3 and page["page"] == 2 and page["page_size"] == 2
    assert [i["id"] for i in page["items"]] == [a.pk]
    assert city.get("/api/widgets/?page=9").json()["items"] == []
    item = city.get(f"/api/widgets/?q={a.reference}").json()["items"][0]
    assert item["state_label"] == "草稿" and item["budget"] == "300.00" and "description" not in item
    assert item["url"] == f"/api/widgets/{a.pk}"


def test_list_query_count_is_bounded_regardless_of_rows(world, assert_max_queries):
    client = client_for(world.yongji.authority_user)
    make_widget(world.yongji)
    client.get("/api/me")  # warm the session and content types
    with assert_max_queries(8) as few:
        assert client.get("/api/widgets/?page_size=100").json()["count"] == 1
    for n in range(29):
        make_widget(world.yongji, title=f"项目{n}")
    with assert_max_queries(8) as many:
        assert len(client.get("/api/widgets/?page_size=100").json()["items"]) == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_detail_query_count_is_bounded(world, assert_max_queries):
    widget = make_widget(world.yongji)
    client = client_for(world.yongji.dept_user)
    for n in range(5):
        client.post(
            f"/api/widgets/{widget.pk}/attachments",
            {"file": SimpleUploadedFile(f"附件{n}.txt", f"内容{n}".encode())},
        )
    with assert_max_queries(12):
        assert len(client.get(f"/api/widgets/{widget.pk}").json()["attachments"]) == 5


def test_attachment_upload_and_download(world):
    widget = make_widget(world.yongji)
    client = client_for(world.yongji.dept_user)
    response = client.post(
        f"/api/widgets/{widget.pk}/attachments",
        {
            "file": SimpleUploadedFile("安全方案.pdf", b"%PDF-1.4 test", content_type="text/plain"),
            "purpose": "security_plan",
        },
    )
    assert response.status_code == 201, response.content
    att = response.json()
    assert att["name"] == "安全方案.pdf" and att["mime_type"] == "application/pdf"
    assert att["purpose"] == "security_plan" and att["uploaded_by"] == world.yongji.dept_user.display_name
    assert att["url"] == f"/api/attachments/{att['id']}"
    assert client.get(f"/api/widgets/{widget.pk}").json()["attachments"][0]["id"] == att["id"]
    download = client.get(att["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert download["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''%E5%AE%89%E5%85%A8%E6%96%B9%E6%A1%88.pdf" in download["Content-Disposition"]
    assert download["Content-Disposition"].startswith("attachment")


def test_attachment_of_a_refused_type_or_missing_is_422(world):
    widget = make_widget(world.yongji)
    client = client_for(world.yongji.dept_user)
    exe = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00")
    assert_error(client.post(f"/api/widgets/{widget.pk}/attachments", {"file": exe}), 422, "file_type")
    body = assert_error(client.post(f"/api/widgets/{widget.pk}/attachments", {}), 422, "invalid")
    assert "file" in body["message"]
    assert not Attachment.objects.exists()


def test_todo_lists_what_my_organisation_owes(world):
    widget = make_widget(world.yongji)
    workflow.fire(widget, "submit", user=world.yongji.dept_user)
    body = client_for(world.yongji.authority_user).get("/api/todo").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["code"] == "widget-review" and item["citation"] == "第九条第二款"
    assert item["overdue"] is False
    assert item["due_date"] == (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    assert item["owed_by"]["name"] == "永吉县工业和信息化局"
    assert item["owed_to"]["name"] == "永吉县卫生健康局"
    widget.refresh_from_db()
    assert item["case"]["reference"] == widget.reference and item["case"]["title"] == widget.title
    assert item["case"]["url"] == f"/api/widgets/{widget.pk}"
    assert item["case"]["type"] == "testapp.widget"
    assert client_for(world.yongji.dept_user).get("/api/todo").json()["count"] == 0
    assert client_for(world.jiaohe.authority_user).get("/api/todo").json()["count"] == 0


def test_todo_marks_overdue(world):
    widget = make_widget(world.yongji)
    workflow.fire(
        widget, "submit", user=world.yongji.dept_user, today=timezone.localdate() - dt.timedelta(days=30)
    )
    (item,) = client_for(world.yongji.authority_user).get("/api/todo").json()["items"]
    assert item["overdue"] is True


def test_jurisdictions_and_organisations(world):
    client = client_for(world.yongji.dept_user)
    body = client.get("/api/jurisdictions").json()
    names = [j["name"] for j in body]
    assert names == list(Jurisdiction.objects.values_list("name", flat=True))  # in the register's order
    assert set(names) == {"吉林市", "永吉县", "蛟河市", "船营区", "吉林高新技术产业开发区"}
    yongji = next(j for j in body if j["name"] == "永吉县")
    assert yongji["parent"] == "220200" and yongji["kind_label"] == "县"
    page = client.get("/api/organisations?page_size=100").json()
    assert page["count"] == Organisation.objects.count()
    authorities = client.get("/api/organisations?kind=authority").json()
    assert {o["name"] for o in authorities["items"]} == {
        "吉林市工业和信息化局",
        "永吉县工业和信息化局",
        "蛟河市工业和信息化局",
        "船营区工业和信息化局",
        "吉林高新技术产业开发区经济发展局",  # a development zone's authority (第四条第二款)
    }
    yongji = client.get("/api/organisations?jurisdiction=220221").json()
    assert yongji["count"] == 4 and all(o["jurisdiction"]["code"] == "220221" for o in yongji["items"])
    assert client.get("/api/organisations?jurisdiction=220200&below=true").json()["count"] == page["count"]
    found = client.get("/api/organisations?q=财政").json()
    assert found["count"] == Organisation.objects.filter(name__contains="财政").count() >= 3
    assert found["items"][0]["cosupervision"] == "finance"
    assert_error(client.get("/api/organisations?kind=bank"), 422, "invalid")


def test_regulation_articles_are_what_the_module_returns(world):
    body = client_for(world.yongji.dept_user).get("/api/regulation/articles").json()
    expected = articles()
    assert [a["number"] for a in body] == sorted(expected)
    for a in body:
        art = expected[a["number"]]
        assert a["paragraphs"] == list(art.paragraphs) and a["citation"] == art.citation
        assert a["duty"] == art.duty and a["summary"] == art.summary and a["platform"] == art.platform


# -- who sees what (第四条) -------------------------------------------------------------------------


@pytest.mark.article(4)
def test_other_jurisdiction_cannot_list_read_fire_or_download(world):
    theirs = make_widget(world.jiaohe, title="蛟河市项目")
    ours = make_widget(world.yongji, title="永吉县项目")
    jiaohe = client_for(world.jiaohe.dept_user)
    upload = jiaohe.post(
        f"/api/widgets/{theirs.pk}/attachments", {"file": SimpleUploadedFile("a.txt", b"secret")}
    )
    assert upload.status_code == 201
    att_id = upload.json()["id"]

    for user in (
        world.yongji.dept_user,
        world.yongji.authority_user,
        world.yongji.leader,
        world.yongji.approver,
    ):
        client = client_for(user)
        listed = client.get("/api/widgets/?page_size=100").json()
        assert theirs.pk not in [i["id"] for i in listed["items"]]
        assert client.get(f"/api/widgets/?q={theirs.reference}").json()["count"] == 0
        missing = client.get("/api/widgets/987654").json()
        assert_error(client.get(f"/api/widgets/{theirs.pk}"), 404, "not_found")
        assert client.get(f"/api/widgets/{theirs.pk}").json() == missing  # same answer as nonexistent
        assert_error(client.get(f"/api/widgets/{theirs.pk}/docket"), 404, "not_found")
        assert_error(post_json(client, f"/api/widgets/{theirs.pk}/transitions/submit"), 404, "not_found")
        assert_error(client.get(f"/api/attachments/{att_id}"), 404, "not_found")
        assert client.get(f"/api/attachments/{att_id}").json() == client.get("/api/attachments/987654").json()
        assert_error(
            client.post(f"/api/widgets/{theirs.pk}/attachments", {"file": SimpleUploadedFile("b.txt", b"x")}),
            404,
            "not_found",
        )
    theirs.refresh_from_db()
    assert theirs.state == "draft" and theirs.version == 0
    assert Attachment.objects.count() == 1
    # and they do see their own
    assert ours.pk in [
        i["id"] for i in client_for(world.yongji.dept_user).get("/api/widgets/").json()["items"]
    ]
    assert jiaohe.get(f"/api/attachments/{att_id}").status_code == 200


@pytest.mark.article(4)
def test_another_department_of_the_same_county_sees_nothing(world):
    widget = make_widget(world.yongji)
    finance = client_for(
        world.yongji.finance_user
    )  # co-supervisor: sees budgeted widgets only (cosupervision_q)
    assert widget.pk in [i["id"] for i in finance.get("/api/widgets/").json()["items"]]
    free = make_widget(world.yongji, budget=Decimal("0"))
    assert free.pk not in [i["id"] for i in finance.get("/api/widgets/").json()["items"]]
    assert_error(finance.get(f"/api/widgets/{free.pk}"), 404)


@pytest.mark.article(4)
def test_platform_administrators_see_no_case_data(world):
    widget = make_widget(world.yongji)
    for admin in (world.sys_admin, world.sec_admin, world.audit_admin):
        client = client_for(admin)
        assert client.get("/api/widgets/").json()["count"] == 0
        assert_error(client.get(f"/api/widgets/{widget.pk}"), 404)


@pytest.mark.article(4)
def test_city_authority_reads_but_does_not_act_for_the_owner(world):
    widget = make_widget(world.jiaohe)
    city = client_for(world.city.authority_user)
    assert city.get(f"/api/widgets/{widget.pk}").status_code == 200
    assert_error(
        post_json(city, f"/api/widgets/{widget.pk}/transitions/submit"), 403, "A4-OWNER", "第四条第一款"
    )


# -- health ----------------------------------------------------------------------------------------


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_503_when_the_database_fails(client, monkeypatch):
    from infogov.core.web import health

    class Broken:
        def cursor(self):
            raise OperationalError("could not connect to server")

    monkeypatch.setattr(health, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and "could not connect" in body["database"]


def test_api_object_is_the_one_mounted():
    assert api.urls_namespace == "api"


def test_nul_in_json_body_is_a_400_not_a_500(client, world):
    client.force_login(world.yongji.dept_user)
    response = client.post("/api/tokens", data='{"name": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_json"
