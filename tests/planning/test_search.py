"""The plan register's search with core.text (issue 9 item 7), the same behaviour as the projects':
every word of the query must be a word of the version — two-character words inside longer ones,
traditional characters, full-width digits — on SQLite and PostgreSQL; a jurisdiction filter covers
the jurisdictions below it; attachment names without bidi controls."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from infogov.core.attachments import attachment_add
from infogov.planning import selectors
from infogov.planning.choices import PlanLevel
from infogov.planning.models import PlanVersion
from tests.conftest import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(pw):
    w = pw.world
    return {
        "city": pw.city_plan_in_force(),
        "special": pw.draft(
            PlanLevel.SPECIAL,
            w.city,
            title="吉林市電子政務外網專項規劃（2026—2030年）",
            tasks=["升级电子政务外网核心交换设备", "推进一网通办"],
        ),
        "yongji": pw.draft(PlanLevel.LOCAL, w.yongji, tasks=["建设医保结算系统，２０２７年完成"]),
    }


def found(user, q: str, **filters) -> set[str]:
    return {v.title for v in selectors.versions_list(user, q=q, **filters)}


@pytest.mark.parametrize(
    ("query", "which"),
    [
        ("外网", {"special"}),  # a two-character word inside 电子政务外网
        ("电子政务", {"special"}),  # simplified finds the traditional title (電子政務)
        ("電子政務 通办", {"special"}),  # traditional query; 通办 inside 一网通办
        ("資訊化", {"city", "yongji"}),  # 資訊化 → 信息化 (Taiwan phrasing)
        ("2027", {"yongji"}),  # full-width digits in the task
        ("２０２７", {"yongji"}),  # and in the query
        ("医保 外网", set()),  # every word must be found
        ("物联网", set()),
    ],
)
def test_word_search(pw, plans, query, which):
    user = fresh(pw.world.city.authority_user)
    assert found(user, query) == {plans[k].title for k in which}


def test_reference_prefix_and_control_characters(pw, plans):
    user = fresh(pw.world.city.authority_user)
    v = plans["yongji"]
    assert found(user, v.reference.lower()) == {v.title}
    assert found(user, "外网\x00\u202e") == {plans["special"].title}
    assert found(user, "\x00") == {p.title for p in plans.values()}
    assert found(user, "，") == set()


def test_search_document_is_whole_words(plans):
    doc = PlanVersion.objects.get(pk=plans["special"].pk).search_text
    assert doc.startswith(" ") and doc.endswith(" ")
    assert " 电子政务 " in doc and " 政务 " in doc and " 一网通办 " in doc


def test_jurisdiction_filter_includes_sub_jurisdictions(pw, plans):
    """As the projects' list: a jurisdiction (object, code or id) covers those below it."""
    w = pw.world
    user = fresh(w.city.authority_user)
    everything = {p.title for p in plans.values()}
    assert found(user, "", jurisdiction=w.city.jurisdiction) == everything
    assert found(user, "", jurisdiction=w.city.jurisdiction.code) == everything
    assert found(user, "", jurisdiction=w.yongji.jurisdiction.pk) == {plans["yongji"].title}
    assert found(user, "", jurisdiction=w.jiaohe.jurisdiction.code) == set()
    assert found(user, "", jurisdiction="999999999999") == set()


def test_public_portal_api_and_web_list(pw, plans):
    assert [v.title for v in selectors.public_versions(q="資訊化")] == [plans["city"].title]
    anonymous = Client()
    assert anonymous.get("/public/plans/", {"q": "政务\x00"}).status_code == 400  # refused at the door
    c = Client()
    c.force_login(fresh(pw.world.city.authority_user))
    items = c.get("/api/plans/", {"text": "電子政務"}).json()["items"]
    assert [i["title"] for i in items] == [plans["special"].title]
    items = c.get("/api/plans/", {"q": "电子政务"}).json()["items"]  # the list's own q: the same search
    assert [i["title"] for i in items] == [plans["special"].title]
    html = c.get("/plans/", {"q": "外网"}).content.decode()
    assert plans["special"].title in html and plans["yongji"].title not in html


def test_data_migration_rebuilds_frozen_versions_too(plans):
    """search_text is an index, not content: the immutability triggers let the rebuild through."""
    PlanVersion.objects.update(search_text="旧 文档")
    migration = importlib.import_module("infogov.planning.migrations.0004_search_text_v2")
    migration.rebuild(apps, type("Editor", (), {"connection": connection})())
    for v in PlanVersion.objects.all():
        assert " 规划 " in v.search_text and " 2026 " in v.search_text and "旧" not in v.search_text
    city = PlanVersion.objects.get(pk=plans["city"].pk)
    assert city.is_frozen


def test_attachment_name_without_bidi_or_control_characters(pw, plans, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    v = plans["special"]
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    up = SimpleUploadedFile("意见\u202efdp.exe\x07", pdf, content_type="application/pdf")
    att = attachment_add(case=v, user=fresh(pw.world.city.dept_user), upload=up)
    att.refresh_from_db()
    assert att.name == "意见fdp.exe"
