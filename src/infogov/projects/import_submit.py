"""The second half of an Excel import (imports.py): submitting the registered proposals, one by one,
in the worker (tasks.import_submit)."""

from __future__ import annotations

from typing import Any

from infogov.core.errors import DomainError

from . import services


def submit_imported(user_id: int, ids: list[int]) -> dict[str, Any]:
    """Submit each imported draft (the declared step, each in its own transaction: the 第六条
    duplicate check of one proposal sees the ones submitted before it). A refused one stays a draft;
    the result says which and why."""
    from infogov.org.models import User

    from .models import Project

    user = User.objects.get(pk=user_id)
    failed: list[dict[str, Any]] = []
    submitted = 0
    for project in Project.objects.filter(pk__in=ids).order_by("pk"):
        try:
            services.project_fire(project=project, user=user, name="submit")
        except DomainError as exc:
            failed.append({"id": project.pk, "title": project.title, "message": exc.message})
        else:
            submitted += 1
    return {"total": len(ids), "submitted": submitted, "failed": failed}
