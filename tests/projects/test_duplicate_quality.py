"""Duplicate-construction detection (第六条 避免重复建设) measured on the labelled set
(projects/data/duplicate_pairs.yaml) through what a submission runs: every proposal of the set is a
submitted project, the database's index (triggers → similarity_index.sync) holds them, and
similarity.find_similar — the function the submission's effect calls — decides each pair. Precision
and recall at the chosen threshold must both reach 0.8. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from infogov.projects import similarity
from infogov.projects import similarity_index as ix
from infogov.projects import similarity_quality as q
from infogov.projects.models import Project
from infogov.projects.similarity_synonyms import SynonymGroup, forget

pytestmark = [pytest.mark.django_db, pytest.mark.article(6)]


def submitted_set(walker: Any) -> list[tuple[Project, Project]]:
    """Every pair of the set as two submitted projects of 永吉县: one created through the service,
    the others copies of it with the set's title and content, taken out of draft (the index's
    triggers queue each; what is measured is the comparison, not the procedure)."""
    template = walker.create(title="模板", content="模板")
    out = []
    for pair in q.labelled_pairs():
        sides = []
        for text in (pair.a, pair.b):
            title, _, content = text.partition("\n")
            p = Project.objects.get(pk=template.pk)
            p.pk = p.id = None
            p.title, p.content = title, content
            p.save()
            sides.append(p.pk)
        out.append((sides[0], sides[1]))
    ids = [pk for pair in out for pk in pair]
    Project.objects.filter(pk__in=ids).update(state="submitted")  # the triggers queue each
    by_pk = Project.objects.in_bulk(ids)
    return [(by_pk[a], by_pk[b]) for a, b in out]


def test_precision_and_recall_on_the_labelled_set_through_the_index(walker):
    pairs = q.labelled_pairs()
    assert len(pairs) >= 80 and sum(p.duplicate for p in pairs) >= 40
    assert sum(not p.duplicate for p in pairs) >= sum(p.duplicate for p in pairs)  # as many hard negatives
    projects = submitted_set(walker)
    ix.sync()
    labels = [p.duplicate for p in pairs]
    predicted: list[bool] = []
    scores: list[Any] = []
    ranked: list[int] = []
    for a, b in projects:
        hits = similarity.find_similar(a)  # the submission's comparison: top 10 at the threshold
        predicted.append(any(h["project"] == b for h in hits))
        ranked.append(len(hits))
        everything = ix.search(
            ix.term_counts(a.similarity_text()),
            jurisdictions=similarity.candidate_scope(a),
            exclude=ix.project_document(a.pk),
            exclude_systems_of=a.pk,
            limit=len(projects) * 2,
        )
        scores.append(dict(everything).get(ix.project_document(b.pk)))
    # the index's scores are the definition's (the fused TF-IDF over the set, from scratch); a pair
    # that shares no word (nor bigram of the name) is no candidate: score 0
    scores = [0.0 if s is None else s for s in scores]
    definition = q.pair_scores(pairs)
    assert scores == pytest.approx(definition, abs=1e-9)
    tp = sum(p and d for p, d in zip(predicted, labels, strict=True))
    fp = sum(p and not d for p, d in zip(predicted, labels, strict=True))
    fn = sum(d and not p for p, d in zip(predicted, labels, strict=True))
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.8, q.misses(scores, similarity.THRESHOLD)
    assert recall >= 0.8, q.misses(scores, similarity.THRESHOLD)
    # what the submission reports is "score ≥ threshold", but for a pair whose other side is not
    # among the 10 best (other proposals of the set rebuild the same sub-system)
    for p, s, n in zip(predicted, scores, ranked, strict=True):
        assert p == (s >= similarity.THRESHOLD) or (not p and n == similarity.TOP_K)
    # the figures the bench and the docs quote (decided by the threshold alone) are these scores'
    measured = q.measure(scores, labels, similarity.THRESHOLD)
    assert measured == q.measure(definition, labels, similarity.THRESHOLD)
    assert measured["precision"] >= 0.8 and measured["recall"] >= 0.8
    assert similarity.evaluate_on_labelled_set()["fused"] == {**measured, "auc": q.auc(definition, labels)}


def test_the_measure_is_not_a_constant():
    """A threshold above every score finds nothing; one below every score finds every pair."""
    scores = q.pair_scores()
    labels = [p.duplicate for p in q.labelled_pairs()]
    assert q.measure(scores, labels, 1.01)["recall"] == 0.0
    low = q.measure(scores, labels, 0.0)
    assert low["recall"] == 1.0 and low["precision"] == round(sum(labels) / len(labels), 4)
    # the chosen threshold is the sweep's best, and the fused measure beats the one before
    assert q.best(q.sweep(scores, labels))["threshold"] == similarity.THRESHOLD
    result = similarity.evaluate_on_labelled_set()
    assert result["fused"]["f1"] > result["baseline"]["f1"]
    assert result["fused"]["auc"] > result["baseline"]["auc"]


def test_each_ingredient_counts():
    """Synonyms and traditional folding are what find the renamed and traditional pairs."""
    by_id = {p.id: p for p in q.labelled_pairs()}
    scores = dict(zip((p.id for p in q.labelled_pairs()), q.pair_scores(), strict=True))
    baseline = dict(zip((p.id for p in q.labelled_pairs()), q.baseline_scores(), strict=True))
    # 医保 / 医疗保障: the pair is found now, and was not before
    assert scores["d03"] >= similarity.THRESHOLD > baseline["d03"] - 0.1
    # a traditional-character submission (台湾用语 資料 = 数据) scores as its simplified twin
    assert by_id["d39"].b.startswith("政務資料") and scores["d39"] >= similarity.THRESHOLD
    assert ix.term_counts("政務資料資源目錄系統，支援資料共享") == ix.term_counts(
        "政务数据资源目录系统，支持数据共享"
    )


def test_sweep_command_prints_precision_recall_and_f1():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("similarity_threshold", stdout=out)
    text = out.getvalue()
    assert "精确率" in text and "召回率" in text and "最佳：阈值" in text
    assert f"当前阈值 {similarity.THRESHOLD:.2f}" in text


def test_an_authority_synonym_group_joins_words_the_list_does_not(walker):
    """A group added by the authority makes two names of one system the same word, in the index
    once it is rebuilt, and in the query at once."""
    a = walker.create(
        title="吉林市智慧旅游服务平台", content="建设全域旅游服务平台，提供景区导览、票务预约和客流监测。"
    )
    b = walker.create(title="吉林市文旅云", content="建设文旅云，提供景区导览、票务预约和客流监测。")
    Project.objects.filter(pk__in=[a.pk, b.pk]).update(state="submitted")
    a, b = Project.objects.get(pk=a.pk), Project.objects.get(pk=b.pk)
    before = similarity.find_similar(a, threshold=0.0)
    score_before = next(h["score"] for h in before if h["project"] == b)
    SynonymGroup.objects.create(
        terms=["智慧旅游服务平台", "全域旅游服务平台", "文旅云"], added_by=walker.authority
    )
    forget()
    ix.rebuild()
    after = similarity.find_similar(a, threshold=0.0)
    hit = next(h for h in after if h["project"] == b)
    assert hit["score"] > score_before + 0.1
    assert {"旅游", "服务平台"} <= set(hit["terms"])  # the canonical term's words, shared now
    # switched off, the group no longer applies
    SynonymGroup.objects.update(active=False)
    ix.rebuild()
    again = next(h for h in similarity.find_similar(a, threshold=0.0) if h["project"] == b)
    assert again["score"] == pytest.approx(score_before, abs=1e-9)
