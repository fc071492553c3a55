"""An index for 我的待办 (core/workflow/inbox.py) at the scale of a province.

- obligation_open_case (on core_obligation, a partial index): the open (not fulfilled, not cancelled)
  obligations of a case type by code and case. The inbox reads first the cases that have an open duty
  which one of the user's steps fulfils (a row with a date: those come first): the case ids of a type's
  open duties of a few codes, an index-only scan of this index, hashed and matched with the user's cases
  (without it PostgreSQL reads every open obligation of the case type from the table to test its code:
  25 ms for the city authority on the province's data, against 1–2 ms). The table is core's; the index
  is created here, beside obligation_open_due (0004), because the projects inbox is its reader (a
  partial index works on PostgreSQL and SQLite alike).
"""

from django.db import migrations

OPEN_CASE = "obligation_open_case"


CREATE = (
    f"CREATE INDEX IF NOT EXISTS {OPEN_CASE} ON core_obligation (case_type_id, code, case_id) "
    "WHERE fulfilled_at IS NULL AND cancelled_at IS NULL"
)
DROP = f"DROP INDEX IF EXISTS {OPEN_CASE}"


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_docket_append_only"),
        ("projects", "0016_inbox_jurisdiction_state_index"),
    ]

    operations = [
        migrations.RunSQL(CREATE, DROP, elidable=False),  # SQL alone: no historical models to render
    ]
