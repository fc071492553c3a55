"""Background tasks of the projects app (huey, registered through core.tasks.autodiscover_tasks):
keep the duplicate-construction index (第六条) current between submissions, so that a submission
rarely has more than its predecessor to index, and rebuild it each night, so that the weights the
searches rank their candidates by start afresh (similarity_index.STALE)."""

from __future__ import annotations

import logging

from huey import crontab

from infogov.core.tasks import HUEY

logger = logging.getLogger(__name__)


@HUEY.periodic_task(crontab(minute="*"), name="similarity_sync")
def similarity_sync() -> int:
    """Index the projects and information systems changed since the last run; returns how many."""
    from .similarity_index import sync

    n = sync()
    if n:
        logger.info("similarity index: %d documents updated", n)
    return n


@HUEY.periodic_task(crontab(minute="30", hour="2"), name="similarity_rebuild")
def similarity_rebuild() -> int:
    """Build the index again from every submitted project and information system; returns how many."""
    from .similarity_index import rebuild

    report = rebuild()
    logger.info(
        "similarity index rebuilt: %d documents, %d postings in %.1f s",
        report.documents,
        report.postings,
        report.seconds,
    )
    return report.documents


@HUEY.task(name="projects_import_submit")
def import_submit(user_id: int, ids: list[int], job: str | None = None) -> dict:
    """Submit the proposals an Excel import registered (import_submit.submit_imported: the declared
    step for the batch, the duplicate check of the whole batch at once); the import's record
    (imports.import_progress, the import page and GET /api/projects/imports/{job}) shows how far it
    has come."""
    from .import_submit import submit_imported

    return submit_imported(user_id, ids, job)
