"""不重复采集 in the review of 信息资源共享 (第九条第二款): a proposal that will collect data a published
catalogue entry already provides is shown the resource and the route to share it, and the sharing
finding must answer it by name (A9-2-SHARED-DATA); a proposal that collects nothing published is not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infogov.core.errors import RuleViolation
from infogov.core.workflow import engine
from infogov.projects import services, shared_data
from infogov.projects.models import Project
from infogov.resources import services as resource_services
from infogov.resources.selectors import published_resources_matching
from tests.conftest import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.article(9)]

FIELDS = [
    {
        "code": "id_number",
        "name": "公民身份号码",
        "field_type": "resident_id",
        "field_sensitivity": "personal",
        "required": True,
        "record_key": True,
    },
    {"code": "name", "name": "姓名", "field_type": "person_name", "field_sensitivity": "personal"},
]


def publish(world: Any, **over: Any) -> Any:
    provider = fresh(world.yongji.dept_user)
    data = {
        "title": "永吉县人口基础信息",
        "catalogue_code": "1-01-001-001",
        "summary": "永吉县户籍人口的公民身份号码和姓名",
        "base_category": "population",
        "update_frequency": "daily",
        "share_type": "conditional",
        "share_basis": "用于履行法定职责，按最小必要提供",
        **over,
    }
    r = resource_services.resource_create(user=provider, data=data)
    for f in FIELDS:
        r = engine.fire(r, "add_field", user=provider, payload=f)
    r = engine.fire(r, "submit", user=provider)
    return engine.fire(r, "publish", user=fresh(world.yongji.authority_user))


def planned(walker: Any, data: list[Any]) -> Project:
    return walker.include(walker.submit(walker.create(data_resources=data)))


def sharing(walker: Any, p: Project, text: str) -> Any:
    return services.review_finding_record(
        project=p, user=walker.authority, dimension="sharing", conclusion="conditions", text=text
    )


def test_matching_needs_the_significant_words_of_the_item(world):
    r = publish(world)
    assert [m["id"] for m in published_resources_matching("人口基础信息库")] == [r.pk]
    m = published_resources_matching("户籍人口信息")[0]
    assert m["provider"] == r.owner.name and m["share_type_label"] == "有条件共享"
    assert m["request_url"] == f"/resources/catalogue/{r.pk}/request/" and "工作日内答复" in m["route"]
    # generic words alone (信息、数据、库) and other data match nothing
    assert published_resources_matching("信息数据库") == []
    assert [m["id"] for m in published_resources_matching("居民户籍人口数据")] == [r.pk]  # all words but one
    assert published_resources_matching("法人基础信息") == []
    assert published_resources_matching("") == []


def test_a_draft_resource_is_not_offered(world):
    provider = fresh(world.yongji.dept_user)
    resource_services.resource_create(
        user=provider,
        data={
            "title": "永吉县人口基础信息",
            "catalogue_code": "1-01-001-001",
            "summary": "户籍人口",
            "base_category": "population",
            "share_type": "unconditional",
        },
    )
    assert published_resources_matching("人口信息") == []


def test_recollecting_proposal_gets_the_finding_naming_the_resource(world, walker):
    r = publish(world)
    p = planned(walker, [{"name": "辖区人口信息", "use": "produce"}, {"name": "网格事件", "use": "produce"}])
    found = shared_data.recollection(p)
    assert [(i["data"], [x["id"] for x in i["resources"]]) for i in found] == [("辖区人口信息", [r.pk])]
    html = Client()
    html.force_login(walker.authority)
    page = html.get(f"/projects/{p.pk}/").content.decode()
    assert 'id="shared-data-list"' in page and "永吉县人口基础信息" in page
    assert f'href="/resources/catalogue/{r.pk}/request/"' in page  # the sharing route
    with pytest.raises(RuleViolation) as exc:
        sharing(walker, p, "数据共享方式明确")
    failure = next(f for f in exc.value.failures if f["code"] == "A9-2-SHARED-DATA")
    assert "永吉县人口基础信息" in str(failure) and "1-01-001-001" in str(failure)
    assert not p.findings.filter(dimension="sharing").exists()  # nothing written
    sharing(walker, p, "人口数据通过共享获取永吉县人口基础信息，不再采集")
    assert p.findings.get(dimension="sharing").conclusion == "conditions"
    # the other dimensions are not concerned
    services.review_finding_record(
        project=p, user=walker.authority, dimension="layout", conclusion="meets", text="符合"
    )


def test_proposal_that_collects_nothing_published_has_no_such_finding(world, walker):
    publish(world)
    p = planned(walker, [{"name": "人口信息", "use": "consume"}, {"name": "网格事件", "use": "produce"}])
    assert shared_data.recollection(p) == []  # using shared data is not collecting it
    c = Client()
    c.force_login(walker.authority)
    page = c.get(f"/projects/{p.pk}/").content.decode()
    assert 'id="shared-data-list"' not in page and "未与共享目录中已发布的资源重复" in page
    sharing(walker, p, "数据共享方式明确")
    assert p.findings.filter(dimension="sharing").exists()


def test_the_section_belongs_to_the_proposal_and_its_review_not_to_later_stages(world, walker):
    """The catalogue is read for the proposal and its review only: a project past its review has no
    such section on its page (and its page makes no catalogue query per declared item)."""
    publish(world)
    p = planned(walker, [{"name": "辖区人口信息", "use": "produce"}])
    type(p).objects.filter(pk=p.pk).update(state="reviewed")
    c = Client()
    c.force_login(walker.authority)
    page = c.get(f"/projects/{p.pk}/").content.decode()
    assert "可经共享获取的数据" not in page and 'id="shared-data-list"' not in page


def test_the_words_are_cut_when_the_data_are_saved_not_when_the_page_is_read(world, walker, monkeypatch):
    """The page before review shows the matches from the words stored with the project: reading it does
    not run the segmenter (which would load jieba's dictionary, ~80 MB, into every web worker)."""
    r = publish(world)
    p = walker.create(
        data_resources=[{"name": "辖区人口信息", "use": "produce"}, {"name": "外部数据", "use": "consume"}]
    )
    p.refresh_from_db()
    assert p.collected_words == [
        ["辖区人口信息", ["人口"]]
    ]  # 辖区 is generic; consumed data are not collected
    services.project_update(
        project=p, user=walker.owner, changes={"data_resources": [{"name": "户籍人口信息", "use": "produce"}]}
    )
    p.refresh_from_db()
    assert p.collected_words == [["户籍人口信息", ["户籍", "人口"]]]

    def no_segmenter(text: str) -> list[str]:
        raise AssertionError(f"the page cut {text!r}")

    monkeypatch.setattr(shared_data, "data_item_words", no_segmenter)
    assert [i["data"] for i in shared_data.recollection(p)] == ["户籍人口信息"]
    html = Client()
    html.force_login(walker.authority)
    assert "永吉县人口基础信息" in html.get(f"/projects/{p.pk}/").content.decode()
    assert r.pk in [x["id"] for x in shared_data.recollection(p)[0]["resources"]]


def test_an_item_saved_without_its_words_is_cut_when_read(world, walker):
    """A row whose words were not stored (written before the column, or by a bulk path that did not cut)
    still gets its matches: the item is cut when read."""
    r = publish(world)
    p = walker.create(data_resources=[{"name": "辖区人口信息", "use": "produce"}])
    Project.objects.filter(pk=p.pk).update(collected_words=[])
    p.refresh_from_db()
    assert [(i["data"], [x["id"] for x in i["resources"]]) for i in shared_data.recollection(p)] == [
        ("辖区人口信息", [r.pk])
    ]


def test_the_migration_cuts_existing_projects(world, walker):
    import importlib

    from django.apps import apps
    from django.db import connection

    p = walker.create(data_resources=[{"name": "辖区人口信息"}, "网格事件"])
    Project.objects.filter(pk=p.pk).update(collected_words=None)
    migration = importlib.import_module("infogov.projects.migrations.0018_collected_words")
    migration.cut_existing(apps, type("Editor", (), {"connection": connection})())
    p.refresh_from_db()
    assert p.collected_words == shared_data.cut_collected(p) != []
