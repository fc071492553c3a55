"""The duplicate-construction index (projects/similarity_index.py) behind find_similar (第六条):
its scores are the TF-IDF cosines of the definition, its candidates are candidates_for()'s, and
every write path keeps it current. On SQLite and PostgreSQL."""

from __future__ import annotations

import math
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from infogov.datagen import runner as generate
from infogov.projects import similarity
from infogov.projects import similarity_index as ix
from infogov.projects.demo_data import PROJECTS, labelled_items
from infogov.projects.models import (
    Project,
    SimilarityDocument,
    SimilarityPosting,
    SimilarityStale,
    SimilarityTerm,
)
from infogov.security.models import InformationSystem

pytestmark = pytest.mark.django_db
THRESHOLD = similarity.THRESHOLD


class Rollback(Exception):
    pass


def queued() -> set[int]:
    return set(SimilarityStale.objects.values_list("document_id", flat=True))


def index_state() -> tuple[dict[int, tuple[int, dict[str, int]]], dict[str, int]]:
    docs = {d: (j, t) for d, j, t in SimilarityDocument.objects.values_list("id", "jurisdiction_id", "terms")}
    return docs, dict(SimilarityTerm.objects.values_list("term", "df"))


def assert_consistent() -> None:
    """The word frequencies and postings are those of the documents, and the documents those of
    the submitted projects and the systems."""
    docs, df = index_state()
    counted: Counter[str] = Counter()
    for _, terms in docs.values():
        counted.update(terms.keys())
    assert df == {**counted, ix.CORPUS: len(docs)}
    posted = set(SimilarityPosting.objects.values_list("document_id", "term", "jurisdiction_id"))
    assert posted == {(d, t, j) for d, (j, terms) in docs.items() for t in terms}
    # a word's highest weight bounds what it adds to any score
    highest = dict(SimilarityTerm.objects.values_list("term", "max_weight"))
    for term, weight in SimilarityPosting.objects.values_list("term", "weight"):
        assert weight <= highest[term]
    expected = {
        p.pk: (p.jurisdiction_id, ix.term_counts(p.similarity_text()))
        for p in Project.objects.exclude(state="draft")
    }
    expected |= {
        -s.pk: (s.jurisdiction_id, ix.term_counts(ix.system_text(s.title, s.purpose)))
        for s in InformationSystem.objects.all()
    }
    assert docs == expected


def submitted(walker: Any, **fields: Any) -> Project:
    return walker.submit(walker.create(**fields))


def system(land: Any, title: str, purpose: str, source: Project | None = None) -> InformationSystem:
    return InformationSystem.objects.create(
        title=title,
        purpose=purpose,
        owner=land.department,
        jurisdiction=land.jurisdiction,
        level=2,
        source_project_id=source.pk if source else None,
    )


def test_cached_segmentation_is_jiebas():
    texts = [t for _, t, _ in labelled_items()]
    texts += [
        "吉林市政务云平台扩容，实现IPv6改造、5G基站共建共享。Version 2.0 / 二期（一期）工程",
        "",
        "，，",
    ]
    for text in texts:
        assert similarity.jieba_words_cached(text) == similarity.jieba_words(text)


def test_scores_are_the_fused_tfidf_of_the_demo_items(world):
    """With the demo's projects and systems as the corpus, every score the index gives is the fused
    TF-IDF score that similarity.vectors computes from scratch; the top 10 holds the same hits."""
    items = labelled_items()
    systems = []
    for i, (_, text, _) in enumerate(items):
        name, _, rest = text.partition("\n")
        owner = world.city.department if i % 2 else world.city.authority  # names repeat between units
        systems.append(
            InformationSystem.objects.create(
                title=name,
                purpose=rest,
                owner=owner,
                jurisdiction=world.city.jurisdiction,
                level=2,
            )
        )
    assert ix.sync() == len(items)
    vecs = similarity.vectors([ix.system_text(s.title, s.purpose) for s in systems])
    position = {ix.system_document(s.pk): i for i, s in enumerate(systems)}
    for i, (_, text, _) in enumerate(items):
        got = ix.search(
            ix.term_counts(text),
            jurisdictions=None,
            exclude=ix.system_document(systems[i].pk),
            limit=len(items),
        )
        scores = {position[d]: score for d, score in got}
        for j in range(len(items)):
            want = similarity.cosine(vecs[i], vecs[j])
            if j != i:  # a document that shares no word with the query is not a candidate: score 0
                assert scores.get(j, 0.0) == pytest.approx(want, abs=1e-9)
    # the top 10, as a submission asks, holds the same hits
    for i, (_, text, _) in enumerate(items):
        top = ix.search(ix.term_counts(text), jurisdictions=None, exclude=ix.system_document(systems[i].pk))
        full = ix.search(
            ix.term_counts(text),
            jurisdictions=None,
            exclude=ix.system_document(systems[i].pk),
            limit=len(items),
        )
        assert [d for d, s in top if s >= THRESHOLD] == [d for d, s in full[:10] if s >= THRESHOLD]


def reference(project: Project, limit: int = similarity.TOP_K) -> list[tuple[Any, float]]:
    """find_similar by its definition, from scratch: the candidates of candidates_for(), the idf of
    every submitted project and system and the proposal."""
    corpus = [p.similarity_text() for p in Project.objects.exclude(state="draft").exclude(pk=project.pk)]
    corpus += [ix.system_text(s.title, s.purpose) for s in InformationSystem.objects.all()]
    projects, systems = similarity.candidates_for(project)
    texts = [project.similarity_text()]
    texts += [p.similarity_text() for p in projects] + [ix.system_text(s.title, s.purpose) for s in systems]
    counts = [Counter(ix.term_counts(t)) for t in texts]
    n = len(corpus) + 1
    df: Counter[str] = Counter()
    for t in corpus:
        df.update(ix.term_counts(t).keys())
    df.update(counts[0].keys())
    vecs = [ix.weights(dict(c), {t: df[t] for t in c}, n) for c in counts]
    scored = [
        (obj, sum(x * vecs[k + 1].get(t, 0.0) for t, x in vecs[0].items()))
        for k, obj in enumerate([*projects, *systems])
    ]
    scored.sort(key=lambda s: -s[1])
    return [(o, s) for o, s in scored[:limit] if s >= THRESHOLD]


def as_pairs(found: list[dict[str, Any]]) -> list[tuple[Any, float]]:
    return [(f["project"] or f["system"], f["score"]) for f in found]


def test_find_similar_is_its_definition_over_candidates_for(walker, jiaohe_walker, world):
    city_walker = type(walker)(world, world.city)
    health = next(p for p in PROJECTS if p["key"] == "yongji-health-info")
    onehall = next(p for p in PROJECTS if p["key"] == "yongji-online-hall")
    for w in (walker, jiaohe_walker, city_walker):
        submitted(w, title=health["title"], content=health["content"], systems=health["systems"])
        submitted(w, title=onehall["title"], content=onehall["content"])
        w.create(title="草稿：" + health["title"], content=health["content"])  # drafts are not candidates
    own = walker.create(title="永吉县区域全民健康信息平台二期", content=health["content"] + "扩展远程会诊。")
    system(world.yongji, "永吉县全民健康信息平台", health["content"], source=own)  # its own: not a candidate
    system(world.city, "吉林市全民健康信息平台", health["content"])
    system(world.jiaohe, "蛟河市全民健康信息平台", health["content"])  # another county: not a candidate
    for proposal in (own, city_walker.create(title="吉林市健康医疗大数据平台", content=health["content"])):
        got = as_pairs(similarity.find_similar(proposal, limit=10))
        want = reference(proposal, limit=10)
        assert [o for o, _ in got] == [o for o, _ in want]
        assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-9)
        assert got, "the planted near-duplicates are found"
    # the city-level proposal sees the counties; the county's sees the city and itself only
    assert {o.jurisdiction_id for o, _ in got} > {world.city.jurisdiction.pk}
    county = {o.jurisdiction_id for o, _ in as_pairs(similarity.find_similar(own, limit=10))}
    assert county <= {world.yongji.jurisdiction.pk, world.city.jurisdiction.pk}
    assert_consistent()


def test_every_write_path_keeps_the_index_current(walker, world):
    draft = walker.create(
        title="永吉县智慧养老服务平台", content="建设智慧养老服务平台，提供紧急呼叫、助餐助医。"
    )
    walker.create(title="永吉县社区网格化服务管理平台")
    assert not queued()  # drafts never touch the queue
    p = walker.submit(draft)
    assert queued() == {p.pk}
    ix.sync()
    assert not queued()
    assert_consistent()
    # a raw update of a submitted project's words, its return to draft, a deletion
    Project.objects.filter(pk=p.pk).update(content="建设居家养老服务平台，养老机构监管和老年人能力评估。")
    Project.objects.filter(pk=p.pk).update(budget=5)  # not a word: not queued
    assert queued() == {p.pk}
    assert ix.sync() == 1
    assert_consistent()
    assert "居家" in SimilarityDocument.objects.get(pk=p.pk).terms
    Project.objects.filter(pk=p.pk).update(state="draft")
    ix.sync()
    assert not SimilarityDocument.objects.filter(pk=p.pk).exists()
    assert_consistent()
    # systems: created, renamed, deleted
    s = system(world.yongji, "永吉县智慧养老服务平台", "居家养老服务、养老机构监管")
    ix.sync()
    assert_consistent()
    s.purpose = "老年人能力评估"
    s.save()
    s2 = system(world.city, "吉林市养老服务平台", "居家养老服务")
    ix.sync()
    assert_consistent()
    gone = {-s.pk, -s2.pk}
    InformationSystem.objects.filter(pk=s2.pk).delete()
    s.delete()
    assert queued() == gone
    ix.sync()
    assert_consistent()
    assert SimilarityDocument.objects.count() == 0
    assert dict(SimilarityTerm.objects.values_list("term", "df")) == {ix.CORPUS: 0}


def test_a_submission_that_fails_leaves_the_index_as_it_was(walker, world):
    system(world.yongji, "永吉县智慧养老服务平台", "居家养老服务、养老机构监管")
    before = index_state()
    with pytest.raises(Rollback), transaction.atomic():
        assert ix.sync() == 1
        raise Rollback
    assert index_state() == before and len(queued()) == 1
    # and a proposal's search brings the index up to date in its own transaction
    p = walker.submit(walker.create(title="永吉县居家养老服务平台", content="居家养老服务、养老机构监管"))
    assert not queued() - {p.pk}
    assert [h.other_system_title for h in p.similar_hits.all()] == ["永吉县智慧养老服务平台"]


def test_rebuild_and_the_generator_give_the_index_incremental_updates_give(world, walker):
    for spec in PROJECTS[:8]:
        submitted(walker, title=spec["title"], content=spec["content"], systems=spec["systems"])
    system(world.city, "吉林市政务服务平台", "统一身份认证、统一电子证照、事项网上申报")
    ix.sync()
    docs, df = index_state()
    out = StringIO()
    call_command("similarity_reindex", stdout=out)
    assert "查重索引已重建" in out.getvalue()
    assert index_state() == (docs, df)
    # the SQL of a rebuild weighs as the Python of an update does
    n = df[ix.CORPUS]
    for d, term, weight in SimilarityPosting.objects.values_list("document_id", "term", "weight"):
        assert weight == pytest.approx(ix.weights(docs[d][1], df, n)[term], abs=1e-9)
    Project.objects.filter(pk=Project.objects.exclude(state="draft").first().pk).update(title="改名")
    call_command("similarity_reindex", "--pending", stdout=out)
    assert "更新 1 个文档" in out.getvalue()
    assert_consistent()


@pytest.mark.slow  # generates a city of 300 projects
def test_generated_data_comes_indexed_and_finds_what_an_exhaustive_comparison_finds(monkeypatch):
    generate.generate(generate.spec_for("city", projects=300, events=300 * 40), seed=2)
    assert not queued()
    assert SimilarityDocument.objects.filter(pk__lt=0).count() == InformationSystem.objects.count() > 0
    assert_consistent()
    docs, df = index_state()
    weights = {
        (d, t): w for d, t, w in SimilarityPosting.objects.values_list("document_id", "term", "weight")
    }
    ix.rebuild()
    assert index_state() == (docs, df)
    rebuilt = SimilarityPosting.objects.values_list("document_id", "term", "weight")
    assert all(math.isclose(w, weights[(d, t)], abs_tol=1e-9) for d, t, w in rebuilt)
    # generated projects repeat their subjects and boilerplate (对接、实施、建设周期 …): the search
    # leaves those words unread (as it does from EXACT_BELOW documents on) and still returns the
    # exhaustive comparison's hits
    monkeypatch.setattr(ix, "EXACT_BELOW", 0)
    skipped = hits = 0
    for p in Project.objects.exclude(state="draft").order_by("id")[::15]:
        got = as_pairs(similarity.find_similar(p, limit=10))
        want = reference(p, limit=10)
        assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-9)
        if got:  # the same documents, but for ties at the last place
            last = got[-1][1] + 1e-9
            assert {o for o, s in got if s > last} == {o for o, s in want if s > last}
        hits += len(got)
        counts = ix.term_counts(p.similarity_text())
        top: dict[str, float] = {}
        with connection.cursor() as cur:
            df, n = ix.frequencies(cur, counts, top)
        selective, _ = ix._split(ix.weights(counts, df, n), df, top, THRESHOLD)
        skipped += len(counts) - len(selective)
    assert hits and skipped


def test_a_long_queue_is_worked_off_by_a_rebuild(world, monkeypatch):
    system(world.city, "吉林市政务服务平台", "统一身份认证、统一电子证照")
    ix.sync()
    monkeypatch.setattr(ix, "REBUILD_AT", 2)
    rebuilt = []
    monkeypatch.setattr(ix, "rebuild", lambda log=print, real=ix.rebuild: rebuilt.append(1) or real())
    system(world.yongji, "永吉县政务服务平台", "统一身份认证")
    assert ix.sync() == 1 and not rebuilt  # one queued: indexed on its own
    system(world.jiaohe, "蛟河市政务服务平台", "电子证照")
    system(world.jiaohe, "蛟河市政务服务中台", "统一受理")
    assert ix.sync() == 4 and rebuilt  # two queued: the whole index rebuilt
    assert not queued()
    assert_consistent()


def test_the_periodic_tasks_bring_the_index_up_to_date_and_rebuild_it(world):
    from infogov.projects.tasks import similarity_rebuild, similarity_sync

    system(world.city, "吉林市政务服务平台", "统一身份认证、统一电子证照")
    assert similarity_sync.call_local() == 1 and similarity_sync.call_local() == 0
    assert_consistent()
    system(world.yongji, "永吉县政务服务平台", "统一身份认证")
    assert similarity_rebuild.call_local() == 2
    assert not queued()
    assert_consistent()


def test_a_search_costs_the_same_few_queries_whatever_the_corpus(walker, assert_max_queries):
    for spec in PROJECTS[:6]:
        submitted(walker, title=spec["title"], content=spec["content"], systems=spec["systems"])
    p = walker.create(title=PROJECTS[0]["title"], content=PROJECTS[0]["content"])
    ix.sync()
    # synonym table check, sync check, city(), frequencies, own document, postings, documents, their
    # frequencies, hits (the shared words come from what the search read: no query of their own)
    with assert_max_queries(10):
        similarity.find_similar(p)
    assert similarity.find_similar(walker.create(title="无关", content="甲乙丙丁")) == []
