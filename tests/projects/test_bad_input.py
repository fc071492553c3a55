"""Bad input on projects (issue 10): every one a Chinese 4xx through the API and the web form, never a
500 and never a partial write, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from infogov.projects.models import Project

pytestmark = pytest.mark.django_db

GOOD = {
    "title": "永吉县政务服务中心排队叫号系统",
    "category": "application",
    "funding_kind": "fiscal",
    "budget": "500000.00",
    "budget_source": "2026年县本级预算",
    "year": 2026,
    "content": "建设排队叫号和评价系统",
    "security_plan": "二级等保",
    "security_level": 2,
    "security_measures": ["边界防护"],
    "standards": ["GB 17859-1999", "GB 18030-2022"],
}


def api(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post_json(c: Client, url: str, body: dict | str):
    raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return c.post(url, data=raw, content_type="application/json")


def chinese(response) -> str:
    body = response.json()
    text = json.dumps(body, ensure_ascii=False)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), text
    return text


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"title": "   "}, "不能为空"),
        ({"title": "\u3000\t"}, "不能为空"),
        ({"content": " \n "}, "不能为空"),
        ({"planned_start": "2026-06-01", "planned_completion": "2026-03-01"}, "竣工"),
        ({"planned_start": "0001-01-01"}, "1949-10-01"),
        ({"planned_start": "1899-12-31"}, "1949-10-01"),
        ({"planned_completion": "9999-12-31"}, "2100-12-31"),
    ],
    ids=[
        "blank-title",
        "ideographic-space-title",
        "blank-content",
        "completion-before-start",
        "year-1",
        "1899",
        "9999",
    ],
)
def test_api_refuses_what_the_form_refuses(walker, changes, words):
    response = post_json(api(walker.owner), "/api/projects/", {**GOOD, **changes})
    assert response.status_code == 422, response.content.decode()
    assert words in chinese(response)
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"planned_start": "2026-06-01", "planned_completion": "2026-03-01"}, "planned_completion"),
        ({"planned_start": "0001-01-01"}, "planned_start"),
        ({"planned_start": "1899-12-31"}, "planned_start"),
        ({"planned_completion": "9999-12-31"}, "planned_completion"),
    ],
)
def test_web_form_refuses_the_same(walker, changes, field):
    c = api(walker.owner)
    form = {
        **{k: v for k, v in GOOD.items() if not isinstance(v, list)},
        "owner": walker.owner.organisation_id,
        "network": "egov_extranet",
        "hosting": "gov_cloud",
        "security_measures": "边界防护",
        "standards": GOOD["standards"],
        **changes,
    }
    response = c.post("/projects/new/", form)
    assert response.status_code == 422, response.content.decode()[:500]
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        '{"title": "a", "title": "b"}',
        '{"budget": NaN}',
        '{"budget": Infinity}',
        '{"data_resources": [{"name": "人口库", "size": NaN}]}',
        '{"data_resources": [{"name": "人口库", "size": -Infinity}]}',
    ],
    ids=["duplicate-key", "nan", "infinity", "nan-in-data-resources", "infinity-in-data-resources"],
)
def test_ambiguous_json_is_a_400(walker, raw):
    body = json.dumps(GOOD, ensure_ascii=False)[:-1] + ", " + raw[1:]
    response = post_json(api(walker.owner), "/api/projects/", body)
    assert response.status_code == 400, response.content.decode()
    chinese(response)
    assert not Project.objects.exists()


def test_nan_in_a_transition_payload_is_a_400(walker):
    project = walker.create()
    response = post_json(
        api(walker.owner), f"/api/projects/{project.pk}/transitions/submit", '{"comment": "x", "n": NaN}'
    )
    assert response.status_code == 400
    chinese(response)
    assert Project.objects.get(pk=project.pk).state == "draft"


# -- the import, through the API and the page ----------------------------------------------------------


def _crafted_wide_header() -> bytes:
    wb = Workbook()
    wb.active.append([f"列{i}" for i in range(16384)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_crafted_workbook_is_a_422_through_api_and_page(walker):
    c = api(walker.owner)
    data = _crafted_wide_header()
    r = c.post("/api/projects/import", {"file": SimpleUploadedFile("p.xlsx", data)})
    assert r.status_code == 422 and "范围过大" in chinese(r)
    page = c.post("/projects/import/", {"file": SimpleUploadedFile("p.xlsx", data)})
    assert page.status_code == 422 and "范围过大" in page.content.decode()
    assert not Project.objects.exists()


def test_a_formula_cell_is_reported_on_the_page(walker):
    from tests.projects.test_imports import row, workbook

    c = api(walker.owner)
    data = workbook(row('=HYPERLINK("http://x","点我")', 建设内容="内容"))
    page = c.post("/projects/import/", {"file": SimpleUploadedFile("p.xlsx", data)})
    assert page.status_code == 422
    assert "是公式，请粘贴为数值" in page.content.decode()


# -- exports never write a live formula -----------------------------------------------------------------


def test_the_project_list_export_neutralises_formulas(walker):
    from openpyxl import load_workbook

    walker.create(title='=HYPERLINK("http://evil.example","点我")')
    response = api(walker.owner).get("/projects/", {"export": "xlsx"})
    assert response.status_code == 200
    cells = [c for r in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in r]
    titles = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert titles and all(c.data_type == "s" and c.value.startswith("'=") for c in titles)
