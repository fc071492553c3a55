"""An Excel import's record (第九条第一款 申报): who imported, which proposals it registered (with their
rows), and how far their submission has come — state, rows done of the total, and the rows refused
with their reasons. Kept in the task queue's key-value store (core.tasks.HUEY: Redis in production,
SQLite embedded), outside the database transaction the submission runs in, so that the worker's
progress is visible while it works. Read by the import page (imports.import_status) and the API
(GET /api/projects/imports/{id}); only the importing user and their organisation's users see it.

States: queued (registered, submission waiting for the worker) → checking (the duplicate check of
the batch, `done` rows of `total`) → done (committed: `submitted` proposals, `refused` the others,
which stay drafts) | failed (nothing submitted; `refused` says why)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from infogov.core.errors import NotFound

STATES = {"queued": "等待申报", "checking": "查重和申报中", "done": "申报完成", "failed": "申报失败"}


def _key(job: str) -> str:
    return f"projects-import:{job}"


def _get(job: str) -> dict[str, Any] | None:
    from infogov.core.tasks import HUEY

    if not job or len(job) > 64 or "\x00" in job:
        return None
    record = HUEY.get(_key(job), peek=True)
    return record if isinstance(record, dict) else None


def _put(record: dict[str, Any]) -> None:
    from infogov.core.tasks import HUEY

    HUEY.put(_key(record["id"]), record)


def new_record(user: Any, created: list[Any], numbers: list[int]) -> str:
    """The record of an import whose proposals `created` (from rows `numbers`) were just registered."""
    job = uuid.uuid4().hex
    _put(
        {
            "id": job,
            "user": user.pk,
            "organisation": user.organisation_id,
            "ids": [p.pk for p in created],
            "rows": {p.pk: n for p, n in zip(created, numbers, strict=True)},
            "total": len(created),
            "state": "queued",
            "done": 0,
            "submitted": 0,
            "failed": [],
            "started_at": timezone.now().isoformat(),
            "finished_at": None,
        }
    )
    return job


def writer(job: str | None) -> Callable[..., None]:
    """progress(**fields): the worker's updates of the record (state, done, submitted, failed)."""

    def progress(**fields: Any) -> None:
        record = _get(job or "")
        if record is None:
            return
        record.update(fields)
        if fields.get("state") in ("done", "failed"):
            record["finished_at"] = timezone.now().isoformat()
        _put(record)

    return progress


def status(job: str, ids: list[int]) -> dict[str, Any]:
    """The import page's view of the submission of `ids` (the proposals the session registered)."""
    from .choices import ProjectState
    from .models import Project

    submitted = Project.objects.filter(pk__in=ids).exclude(state=ProjectState.DRAFT).count()
    record = _get(job) or {}
    state = record.get("state") or ("done" if submitted == len(ids) else "queued")
    finished = state in ("done", "failed")
    done = len(ids) if finished else min(int(record.get("done", 0)), len(ids))
    return {
        "total": len(ids),
        "submitted": submitted,
        "checked": done,
        "percent": round(100 * done / len(ids)),
        "finished": finished,
        "state": state,
        "failed": record.get("failed", []),
    }


def progress(job: str, user: Any) -> dict[str, Any]:
    """The import `job` as its importer sees it: NotFound (404) for anyone else, as for a job that does
    not exist (whether another organisation's import exists is not said)."""
    record = _get(job)
    if record is None or not user or not getattr(user, "pk", None):
        raise NotFound("没有该导入记录")
    if user.pk != record["user"] and (
        user.organisation_id is None or user.organisation_id != record["organisation"]
    ):
        raise NotFound("没有该导入记录")
    ids: list[int] = record["ids"]
    shown = status(job, ids) if ids else {"submitted": 0, "checked": 0, "percent": 100, "finished": True}
    rows = {int(k): v for k, v in record.get("rows", {}).items()}
    return {
        "id": record["id"],
        "state": record["state"],
        "state_label": STATES.get(record["state"], record["state"]),
        "total": record["total"],
        "done": shown["checked"],
        "submitted": shown["submitted"],
        "percent": shown["percent"],
        "finished": shown["finished"],
        "started_at": record.get("started_at"),
        "finished_at": record.get("finished_at"),
        "project_ids": ids,
        "refused": [
            {
                "row": rows.get(f["id"]) if f.get("id") is not None else None,
                "id": f.get("id"),
                "title": f.get("title", ""),
                "code": f.get("code", ""),
                "article": f.get("article"),
                "message": f.get("message", ""),
            }
            for f in record.get("failed", [])
        ],
    }
