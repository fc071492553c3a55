"""The second half of an Excel import (imports.py): submitting the registered proposals, in the worker
(tasks.import_submit), through the declared "submit" step for the batch (core.workflow.bulk.fire_many)
with the 第六条 duplicate check of the whole batch at once (similarity_batch): the same actor rules
and guards per proposal, the same hits, docket events and duties as submitting them one by one in
their order — the duplicate check of a row sees the rows before it — in one transaction. A refused
proposal stays a draft; the import's record (import_progress) says how far it has come, and which
rows were refused and why."""

from __future__ import annotations

from typing import Any

from infogov.core.db import rows as row_sql
from infogov.core.errors import DomainError

from . import services


def submit_imported(user_id: int, ids: list[int], job: str | None = None) -> dict[str, Any]:
    """Submit the imported drafts `ids` in their order, as a batch; returns what submit_one_by_one
    returns for the same drafts. `job`: the import whose record shows the progress."""
    from infogov.core.workflow.bulk import fire_many
    from infogov.org.models import User

    from .effects import note_similar
    from .import_progress import writer
    from .models import Project

    user = User.objects.get(pk=user_id)
    progress = writer(job)
    progress(state="checking", done=0)
    try:
        fired = fire_many(
            Project,
            sorted(ids),
            "submit",
            user=user,
            batch_effects={note_similar: lambda cases, steps: note_similar_many(cases, progress)},
        )
    except DomainError as exc:  # the batch as a whole (a lock lost to another user): nothing written
        failed = [{"id": None, "title": "", "message": exc.message, "code": exc.code}]
        progress(state="failed", done=0, failed=failed)
        return {"total": len(ids), "submitted": 0, "failed": failed}
    titles = dict(Project.objects.filter(pk__in=list(fired.refused)).values_list("pk", "title"))
    failed = [
        {
            "id": pk,
            "title": titles.get(pk, ""),
            "message": exc.message,
            "code": exc.code,
            "article": exc.article,
        }
        for pk, exc in fired.refused.items()
    ]
    result = {"total": len(ids), "submitted": len(fired.cases), "failed": failed}
    progress(state="done", done=len(ids), submitted=len(fired.cases), failed=failed)
    return result


def note_similar_many(projects: list[Any], progress: Any = None) -> list[dict[str, Any]]:
    """effects.note_similar for each of `projects` submitted in turn: the hits recorded (as
    similarity.record_similar records them) and each step's docket change."""
    from infogov.security.selectors import system_texts

    from .models import Project, SimilarityHit
    from .similarity import _PROJECT_FIELDS, METHOD, THRESHOLD, TOP_K
    from .similarity_batch import find_similar_many

    found = find_similar_many(
        projects,
        limit=TOP_K,
        threshold=THRESHOLD,
        progress=(lambda k: progress(done=k)) if progress else None,
    )
    ids = [p.pk for p in projects]
    SimilarityHit.objects.filter(project_id__in=ids, acknowledged=False).delete()
    kept: dict[int, set[tuple[int | None, int | None]]] = {}
    for pk, other_pk, system_pk in SimilarityHit.objects.filter(project_id__in=ids).values_list(
        "project_id", "other_project_id", "other_system_id"
    ):
        kept.setdefault(pk, set()).add((other_pk, system_pk))
    batch = {p.pk: p for p in projects}
    wanted = {d for hits in found for d, _, _ in hits}
    others = Project.objects.filter(pk__in=[d for d in wanted if d > 0 and d not in batch])
    by_pk = {**others.select_related("jurisdiction", "owner").only(*_PROJECT_FIELDS).in_bulk(), **batch}
    wanted_systems = [-d for d in wanted if d < 0]
    systems = {s.id: s.title for s in system_texts(wanted_systems)} if wanted_systems else {}
    rows, changes = [], []
    for project, hits in zip(projects, found, strict=True):
        new = []
        for d, score, terms in hits:
            other: Any = by_pk.get(d) if d > 0 else None
            system = -d if d < 0 and -d in systems else None
            if other is None and system is None:
                continue
            if ((other.pk if other else None), system) in kept.get(project.pk, ()):
                continue
            new.append(
                SimilarityHit(
                    project=project,
                    other_project=other,
                    other_system_id=system,
                    other_system_title=systems.get(system, "") if system else "",
                    score=score,
                    method=METHOD,
                    shared_terms=terms,
                )
            )
        rows += new
        after = [{"ref": h.other_label, "score": round(h.score, 3)} for h in new]
        changes.append({"similar": {"before": None, "after": after}})
    if row_sql.signals_free(SimilarityHit):  # a multi-row INSERT per 500 hits, no keys read back
        for i in range(0, len(rows), 500):
            row_sql.insert(rows[i : i + 500], returning=False)
    else:
        SimilarityHit.objects.bulk_create(rows, batch_size=500)
    return changes


def submit_one_by_one(user_id: int, ids: list[int]) -> dict[str, Any]:
    """Submit each draft through services.project_fire, each in its own transaction, in key order:
    the path the batch must match (tests compare the two; bench/imports.py times both)."""
    from infogov.org.models import User

    from .models import Project

    user = User.objects.get(pk=user_id)
    failed: list[dict[str, Any]] = []
    submitted = 0
    for project in Project.objects.filter(pk__in=ids).order_by("pk"):
        try:
            services.project_fire(project=project, user=user, name="submit")
        except DomainError as exc:
            failed.append(
                {
                    "id": project.pk,
                    "title": project.title,
                    "message": exc.message,
                    "code": exc.code,
                    "article": exc.article,
                }
            )
        else:
            submitted += 1
    return {"total": len(ids), "submitted": submitted, "failed": failed}
