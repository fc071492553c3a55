"""What the reviewer sees of duplicate-construction detection (第六条; answered under 第九条第二款):
ranked candidates with their score, the shared words in <mark> and a link to the other project, on
the project page and the API; and the synonym list the city authority extends (audited)."""

from __future__ import annotations

import pytest
from django.test import Client

from infogov.core.models import AuditEvent
from infogov.projects import similarity
from infogov.projects.models import SimilarityStale
from infogov.projects.similarity_synonyms import SynonymGroup, clean_terms, prepare, refresh
from tests.conftest import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.article(6)]


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def two_similar(walker):
    """A city system's copy proposed under another name (医保 / 医疗保障), and the proposal."""
    first = walker.submit(
        walker.create(
            title="永吉县医疗保障信息系统",
            content="建设医疗保障信息系统，覆盖医疗保障经办、支付方式改革管理和异地就医结算。",
        )
    )
    second = walker.submit(
        walker.create(
            title="永吉县医保信息平台<script>",
            content="建设医保信息平台，包括医保经办、支付方式管理和异地就医结算。",
        )
    )
    return first, second


def test_reviewer_sees_ranked_candidates_with_shared_words_marked(walker):
    first, second = two_similar(walker)
    hits = list(second.similar_hits.all())
    assert hits and hits[0].other_project == first
    assert hits[0].score >= similarity.THRESHOLD
    assert "医疗保障" in hits[0].shared_terms  # 医保 and 医疗保障 are one word now
    html = client_for(walker.authority).get(f"/projects/{second.pk}/").content.decode()
    assert f'href="/projects/{first.pk}/"' in html
    assert "<mark>医疗保障</mark>" in html  # the shared words
    assert "相似度" in html and 'id="similar-list"' in html
    # the other project's title, with the shared words marked in place
    assert "<mark>医疗保障</mark>" in str(hits[0].highlighted_label)
    r = client_for(walker.authority).get(f"/api/projects/{second.pk}/similar")
    assert r.status_code == 200
    got = r.json()
    assert [h["rank"] for h in got] == list(range(1, len(got) + 1))
    assert got[0]["project_id"] == first.pk and got[0]["url"] == f"/projects/{first.pk}/"
    assert "医疗保障" in got[0]["shared_terms"] and "<mark>" in got[0]["label_html"]
    assert [h["score"] for h in got] == sorted((h["score"] for h in got), reverse=True)


def test_highlight_escapes_what_it_does_not_mark():
    out = str(similarity.highlight('医保<script>alert("x")</script>', ["医疗保障"]))
    assert out.startswith("<mark>医保</mark>&lt;script&gt;")
    assert "<script>" not in out
    # a traditional title is marked where its simplified word is
    assert str(similarity.highlight("醫療保障資訊系統", ["医疗保障"])) == "<mark>醫療保障</mark>資訊系統"


def test_city_authority_adds_a_group_audited_and_the_index_queued(world, walker):
    walker.submit(walker.create())  # something indexed
    from infogov.projects import similarity_index as ix

    ix.sync()
    assert not SimilarityStale.objects.exists()
    c = client_for(fresh(world.city.authority_user))
    assert c.get("/projects/synonyms/").status_code == 200
    r = c.post(
        "/projects/synonyms/",
        {"terms": "智慧旅游服务平台、全域旅游服务平台 文旅云", "note": "文旅局两种叫法"},
    )
    assert r.status_code == 303
    group = SynonymGroup.objects.get()
    assert group.terms == ["智慧旅游服务平台", "全域旅游服务平台", "文旅云"] and group.active
    assert group.added_by == world.city.authority_user
    event = AuditEvent.objects.get(action="synonym_group_add")
    assert event.detail["terms"] == group.terms and event.actor == world.city.authority_user
    assert SimilarityStale.objects.exists()  # the index is rebuilt with the new table
    assert refresh().apply(prepare("文旅云")) == prepare("智慧旅游服务平台")
    page = c.get("/projects/synonyms/").content.decode()
    assert "文旅云" in page and "医疗保障" in page  # added and shipped groups
    r = c.post(f"/projects/synonyms/{group.pk}/toggle/")
    assert r.status_code == 303
    group.refresh_from_db()
    assert not group.active and AuditEvent.objects.filter(action="synonym_group_disable").exists()
    assert refresh().apply(prepare("文旅云")) == prepare("文旅云")


def test_only_the_city_authority_changes_the_list(world):
    for user in (world.yongji.authority_user, world.city.dept_user, world.yongji.dept_user):
        c = client_for(fresh(user))
        assert c.get("/projects/synonyms/").status_code == 200  # everyone reads it
        assert c.post("/projects/synonyms/", {"terms": "甲乙、丙丁"}).status_code == 403
    group = SynonymGroup.objects.create(terms=["甲乙", "丙丁"])
    assert (
        client_for(fresh(world.yongji.authority_user))
        .post(f"/projects/synonyms/{group.pk}/toggle/")
        .status_code
        == 403
    )
    assert not SynonymGroup.objects.filter(terms=["甲乙", "丙丁"], active=False).exists()


@pytest.mark.parametrize(
    "typed",
    [
        "医保",
        "",
        "  、 ",
        "甲、甲",
        "醫保、医保",
        "a、b",
        "单、字",
        "长" * 31 + "、医保",
    ],
)
def test_bad_groups_are_refused_with_a_chinese_error(world, typed):
    c = client_for(fresh(world.city.authority_user))
    r = c.post("/projects/synonyms/", {"terms": typed})
    assert r.status_code == 422
    assert 'id="synonym-error"' in r.content.decode()
    assert not SynonymGroup.objects.exists()


def test_a_nul_byte_is_cleaned_not_a_server_error(world):
    terms, problem = clean_terms("医保\x00、医疗保障")
    assert problem is None and terms == ["医保", "医疗保障"]
    c = client_for(fresh(world.city.authority_user))
    assert c.post("/projects/synonyms/", {"terms": "智慧\x00旅游、文旅云", "note": "\x00"}).status_code == 303
