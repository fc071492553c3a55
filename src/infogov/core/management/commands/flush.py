"""`manage.py flush`, able to wipe an SQLite database whose tables carry protective triggers.

On SQLite Django flushes with DELETE, which the append-only triggers of the docket (core 0003)
and the immutability triggers of approved plans (planning) refuse. The triggers are lifted for
the wipe and put back, from their own stored definitions, in the same transaction. PostgreSQL
flushes with TRUNCATE, which row triggers do not see. Test runs use this too: every
transactional test ends with a flush.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL"
                )
                triggers = cursor.fetchall()
                for name, _ in triggers:
                    cursor.execute(f'DROP TRIGGER "{name}"')
            super().handle(**options)
            with connection.cursor() as cursor:
                for _, sql in triggers:
                    cursor.execute(sql)
