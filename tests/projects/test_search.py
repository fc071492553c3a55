"""The project register's search with core.text (issue 9 item 7): every word of the query must be a
word of the project — two-character words inside longer ones, traditional characters, full-width
digits — with one behaviour on SQLite and PostgreSQL; attachment names without bidi controls."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from infogov.core.attachments import attachment_add
from infogov.projects import selectors
from infogov.projects.models import Project
from tests.conftest import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(walker):
    return {
        "extranet": walker.create(
            title="永吉县电子政务外网升级改造", content="升级电子政务外网核心交换设备，支持IPv6。"
        ),
        "health": walker.create(
            title="永吉县全民健康信息平台", content="建设健康档案和电子病历共享，２０２７年上线。"
        ),
        "taiwan": walker.create(title="資訊化基礎設施", content="雲端資料庫與網路安全"),
    }


def found(user, q: str) -> set[str]:
    return {p.title for p in selectors.project_list(user, q=q)}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("政务", {"永吉县电子政务外网升级改造"}),  # a two-character word inside 电子政务
        ("电子政务", {"永吉县电子政务外网升级改造"}),  # a word the text cuts otherwise (电子 | 政务外网)
        ("外网 交换", {"永吉县电子政务外网升级改造"}),  # every word, wherever in the project
        ("電子政務", {"永吉县电子政务外网升级改造"}),  # traditional finds simplified
        ("信息化", {"資訊化基礎設施"}),  # simplified finds traditional (資訊化 → 信息化)
        ("数据库 网络", {"資訊化基礎設施"}),  # Taiwan phrasing folded (資料庫, 網路)
        ("2027", {"永吉县全民健康信息平台"}),  # full-width digits in the text
        ("２０２７年", {"永吉县全民健康信息平台"}),  # and in the query
        ("ＩＰｖ６", {"永吉县电子政务外网升级改造"}),
        ("健康 外网", set()),  # every word must be found
        ("医保", set()),
    ],
)
def test_word_search(walker, projects, query, titles):
    assert found(walker.owner, query) == titles


def test_reference_prefix_punctuation_and_control_characters(walker, projects):
    p = projects["health"]
    assert found(walker.owner, p.reference.lower()) == {p.title}
    # no word at all: the title or reference containing it
    assert found(walker.owner, "，") == set()
    # NUL and bidi controls in a query are dropped, not sent to the database (PostgreSQL refuses NUL)
    assert found(walker.owner, "政务\x00\u202e") == {"永吉县电子政务外网升级改造"}
    assert found(walker.owner, "\x00") == {p.title for p in projects.values()}


def test_search_column_is_whole_words(projects):
    col = Project.objects.get(pk=projects["extranet"].pk).search_text
    assert col.startswith(" ") and col.endswith(" ")
    assert " 政务 " in col and " 电子政务 " in col and " ipv6 " in col


def test_api_text_filter_and_web_list(walker, projects):
    c = Client()
    c.force_login(fresh(walker.authority))
    items = c.get("/api/projects/", {"text": "電子政務"}).json()["items"]
    assert [i["title"] for i in items] == ["永吉县电子政务外网升级改造"]
    # a NUL in a query parameter is refused at the door (core.web.middleware.RejectNulMiddleware)
    assert c.get("/api/projects/", {"text": "政务\x00"}).status_code == 400
    # the list's own q: the same word search
    items = c.get("/api/projects/", {"q": "資訊化"}).json()["items"]
    assert [i["title"] for i in items] == ["資訊化基礎設施"]
    assert c.get("/api/projects/", {"q": "务外"}).json()["count"] == 1  # characters are words too
    assert c.get("/api/projects/", {"q": "医保"}).json()["count"] == 0
    page = c.get("/projects/", {"q": "資訊化"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "資訊化基礎設施" in html and "永吉县全民健康信息平台" not in html


def test_jurisdiction_filter_includes_sub_jurisdictions(walker, world, projects):
    city = fresh(world.city.authority_user)
    assert len(selectors.project_list(city, jurisdiction=world.city.jurisdiction)) == 3
    assert len(selectors.project_list(city, jurisdiction=world.yongji.jurisdiction)) == 3
    assert len(selectors.project_list(city, jurisdiction=world.jiaohe.jurisdiction)) == 0


def test_data_migration_rebuilds_the_column(projects):
    Project.objects.update(search_text=" 旧 ")
    migration = importlib.import_module("infogov.projects.migrations.0006_search_text_v2")
    migration.rebuild(apps, type("Editor", (), {"connection": connection})())
    p = Project.objects.get(pk=projects["taiwan"].pk)
    assert " 信息化 " in p.search_text and " 旧 " not in p.search_text


def test_attachment_name_without_bidi_or_control_characters(walker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = walker.create()
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    up = SimpleUploadedFile("C:\\资料\\\u202efdp.exe\x00", pdf, content_type="application/pdf")
    att = attachment_add(case=p, user=walker.owner, upload=up)
    att.refresh_from_db()
    assert att.name == "fdp.exe"  # displays as what it is, not as "exe.pdf"
    blank = attachment_add(
        case=p,
        user=walker.owner,
        upload=SimpleUploadedFile("\u200b\u2066", pdf, content_type="application/pdf"),
    )
    assert blank.name == "附件"


@pytest.mark.django_db
def test_postgresql_search_reads_the_stored_word_array(projects):
    """PostgreSQL keeps the words of search_text as a stored array (migration 0011): the search
    compares it instead of splitting every visited row's text, and the database keeps it current."""
    from django.db import connection

    from infogov.projects import selectors
    from infogov.projects.models import Project

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite searches with LIKE")
    sql = str(Project.objects.filter(selectors.search_q("政务")).query)
    assert '"search_words" @>' in sql and "string_to_array" not in sql
    project = projects["extranet"]
    Project.objects.filter(pk=project.pk).update(search_text=" 政务 外网 ")
    with connection.cursor() as c:
        c.execute("SELECT search_words FROM projects_project WHERE id = %s", [project.pk])
        assert c.fetchone()[0] == ["政务", "外网"]
