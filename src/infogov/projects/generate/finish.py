"""After the docket is written (main process): the duplicate-construction index (第六条) — the projects'
documents the workers wrote, the register's systems (the security generator's and the delivered
ones, read through infogov.security.selectors) — and the sequences."""

from __future__ import annotations

from django.db import connection

from infogov.datagen.spec import GenSpec
from infogov.datagen.world import World
from infogov.security.selectors import iter_system_texts

from .prepare import Prep

SEQUENCED = (
    "projects_project",
    "projects_acceptance",
    "core_obligation",
    "projects_annualconstructionplan",
)


def finish(spec: GenSpec, world: World, prep: Prep) -> dict[str, int]:
    """The index, the sequences (no counts of its own to add)."""
    from .. import similarity_index

    # the index (第六条): the workers wrote the documents of their projects; the register's systems
    # (all written by now: every app's cases come before any app's finish) follow, then the words and
    # postings in SQL. The triggers queued every row the workers copied: all indexed now.
    with connection.cursor() as cur:
        batch = []
        for s in iter_system_texts():
            text = similarity_index.system_text(s.title, s.purpose)
            batch.append(similarity_index.document_row(-s.id, s.jurisdiction_id, text))
            if len(batch) >= 5000:
                similarity_index.write_documents(cur, batch)
                batch = []
        similarity_index.write_documents(cur, batch)
        cur.execute(f"DELETE FROM {similarity_index.QUEUE}")
        similarity_index.fill(cur)
        if connection.vendor == "postgresql":
            for table in SEQUENCED:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
    return {}
