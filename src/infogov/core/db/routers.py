"""The database router: reads to a replica, writes to the primary (see core/replica.py for when a
read must stay on the primary). Listed in settings.DATABASE_ROUTERS; with no replicas configured it
returns None everywhere and Django uses "default" as if there were no router."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS

from infogov.core.db import replica


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not replica.replicas():
            return None
        replica.ensure_watching()
        return replica.choose_replica() or DEFAULT_DB_ALIAS

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        if not replica.replicas():
            return None
        replica.ensure_watching()  # before the statement runs, so that it pins the context
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        """A row read from a replica and one from the primary are the same database's rows."""
        aliases = {DEFAULT_DB_ALIAS, *replica.replicas()}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        """Replicas replay the primary's migrations through replication; never migrate them."""
        if db in replica.replicas():
            return False
        return None
