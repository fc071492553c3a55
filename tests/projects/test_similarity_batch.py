"""The batch duplicate check's machinery (similarity_batch), beside the equality with the one-by-one
path that test_import_batch proves: the city read once for the batch, PostgreSQL's JIT setting put
back after the candidate sums, and the exact score one computation for both paths
(similarity_index.cosine: sums in the document's order, as a loop adds)."""

import math
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infogov.projects import imports, similarity_batch, similarity_index
from infogov.projects.models import Project
from infogov.projects.words import BIGRAM
from tests.projects.test_import_batch import ROWS, ROWS_MORE, _existing
from tests.projects.test_imports import workbook

pytestmark = [pytest.mark.django_db, pytest.mark.article(6)]


def _drafts(walker):
    _existing(walker)
    created, _ = imports.start_import(user=walker.owner, data=workbook(*ROWS, *ROWS_MORE), submit=False)
    return list(Project.objects.filter(pk__in=[p.pk for p in created]).order_by("pk"))


def test_the_city_is_read_once_for_the_batch(walker, monkeypatch):
    monkeypatch.setattr(similarity_batch, "PAIRS_EXACT", 0)
    drafts = _drafts(walker)
    with CaptureQueriesContext(connection) as ctx:
        similarity_batch.find_similar_many(drafts, limit=10, threshold=0.34)
    reads = [q["sql"] for q in ctx.captured_queries if "org_jurisdiction" in q["sql"]]
    assert len(drafts) > 10 and len(reads) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's")
@pytest.mark.parametrize("setting", ["on", "off"])
def test_jit_is_put_back_after_the_candidate_sums(walker, monkeypatch, setting):
    monkeypatch.setattr(similarity_batch, "PAIRS_EXACT", 0)
    drafts = _drafts(walker)
    seen = []
    summed = similarity_batch._summed

    def spy(cur, *args):
        cur.execute("SELECT current_setting('jit')")
        seen.append(cur.fetchone()[0])
        return summed(cur, *args)

    monkeypatch.setattr(similarity_batch, "_summed", spy)
    with connection.cursor() as cur:
        cur.execute("SELECT set_config('jit', %s, false)", [setting])
        similarity_batch.find_similar_many(drafts, limit=10, threshold=0.34)
        cur.execute("SELECT current_setting('jit')")
        assert cur.fetchone()[0] == setting
    assert seen and set(seen) == {"off"}


def _loop(c, idfs, q):
    """similarity_index.cosine written as a loop, term by term (the reference of its sums)."""
    dot, norm = [0.0, 0.0], [0.0, 0.0]
    for t, k in c.items():
        x = (1 + math.log(k)) * idfs[t]
        b = t[:1] == BIGRAM
        norm[b] += x * x
        if t in q:
            dot[b] += q[t] * x
    return sum(dot[i] * similarity_index._SCALE[i] / (math.sqrt(norm[i]) or 1.0) for i in (0, 1))


def test_the_exact_score_adds_in_the_documents_order():
    rng = random.Random(6)
    for _ in range(200):
        words = [f"{BIGRAM}{i}" if rng.random() < 0.4 else f"w{i}" for i in range(rng.randint(1, 80))]
        c = {t: rng.randint(1, 70) for t in words}
        idfs = {t: rng.uniform(1, 9) for t in words}
        q = {t: rng.uniform(0, 0.5) for t in rng.sample(words, len(words) // 2)}
        assert similarity_index.cosine(
            similarity_index.prepare(c), idfs, q, similarity_index._SCALE
        ) == _loop(c, idfs, q)
