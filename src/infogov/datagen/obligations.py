"""The obligations of the generated cases: the app generators stage them (with the seq of the docket
event that opened and the one that fulfilled each) in a scratch table; once the docket has its ids
they go into core_obligation linked to those events."""

from __future__ import annotations

from typing import Any

from django.db import connection

STAGE = "gen_obligation"
STAGE_COLUMNS = (
    "case_type_id",
    "case_id",
    "jurisdiction_id",
    "code",
    "title",
    "citation",
    "owed_by_id",
    "owed_to_id",
    "due_date",
    "created_at",
    "open_seq",
    "fulfilled_at",
    "fulfil_seq",
)


def create_stage() -> None:
    pg = connection.vendor == "postgresql"
    ident, text, ts = (
        ("bigint", "varchar(200)", "timestamp with time zone") if pg else ("integer", "text", "datetime")
    )
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cur.execute(
            f"CREATE TABLE {STAGE} (case_type_id integer, case_id {ident}, jurisdiction_id {ident}, "
            f"code {text}, title {text}, citation {text}, owed_by_id {ident}, owed_to_id {ident}, "
            f"due_date date, created_at {ts}, open_seq integer, fulfilled_at {ts}, fulfil_seq integer)"
        )


def stage_row(
    case: tuple[int, int, int], duty: Any, owed_by: int, owed_to: int, due: Any, at: Any, open_seq: int
) -> list[Any]:
    """A staged obligation of `duty` (a core.workflow.obligations.Duty: code, title, citation) opened
    at event `open_seq` of the case (case type id, case id, jurisdiction id); fulfil() closes it."""
    return [*case, duty.code, duty.title, duty.citation, owed_by, owed_to, due, at, open_seq, None, None]


def fulfil(row: list[Any] | None, at: Any, seq: int) -> None:
    if row is not None:
        row[11], row[12] = at, seq


def write_obligations() -> int:
    """Staged obligations into core_obligation, linked to their docket events; the stage dropped."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO core_obligation (case_type_id, case_id, jurisdiction_id, code, title, citation, "
            "owed_by_id, owed_to_id, due_date, created_at, opened_by_id, fulfilled_at, fulfilled_by_id) "
            "SELECT g.case_type_id, g.case_id, g.jurisdiction_id, g.code, g.title, g.citation, g.owed_by_id, "
            "g.owed_to_id, g.due_date, g.created_at, eo.id, g.fulfilled_at, ef.id FROM gen_obligation g "
            "LEFT JOIN core_docketevent eo ON eo.case_type_id = g.case_type_id AND eo.case_id = g.case_id "
            "AND eo.seq = g.open_seq "
            "LEFT JOIN core_docketevent ef ON ef.case_type_id = g.case_type_id AND ef.case_id = g.case_id "
            "AND ef.seq = g.fulfil_seq ORDER BY g.case_id, g.open_seq"
        )
        n = cur.rowcount
        cur.execute(f"DROP TABLE {STAGE}")
    return n
