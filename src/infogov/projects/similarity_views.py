"""The synonym list of duplicate-construction detection (第六条 避免重复建设), for the city's
informatization authority (第四条第一款: 市信息化主管部门 负责全市信息化建设工作的……指导、协调): the
groups shipped with the platform, read-only, and the groups the authority added, which it may add
and switch off or on. A group applies to the whole city's detection, so only the city authority
changes the list; other users read it. Every change goes to the audit trail (core.signals.audit)
and queues an index rebuild (similarity_synonyms)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from infogov.core.web.cases import see_other
from infogov.core.workflow.permissions import scope_of

from . import similarity_synonyms as synonyms
from .similarity_synonyms import SynonymGroup

EDITOR_ROLES = ("authority_staff", "authority_leader")


def may_edit(user: Any) -> bool:
    """The city's informatization authority (市信息化主管部门) — its staff or leader."""
    from infogov.org.selectors import city

    if not getattr(user, "is_authenticated", False) or not user.has_role(*EDITOR_ROLES):
        return False
    return city().pk in scope_of(user).own_authority_jurisdictions


def _queue_rebuild() -> None:
    """Every indexed document queued: the next search or the minute task rebuilds the index with
    the new table (similarity_index.sync rebuilds past a tenth of the corpus)."""
    from django.db import connection

    from . import similarity_index as index

    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {index.QUEUE} (document_id) SELECT id FROM {index.DOCS}")
    synonyms.forget()


@login_required
@require_http_methods(["GET", "POST"])
def synonym_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # signed in (login_required)
    editor = may_edit(user)
    error, typed, note = "", "", ""
    if request.method == "POST":
        if not editor:
            raise PermissionDenied("只有市信息化主管部门可以增补查重同义词（第四条第一款）")
        typed = str(request.POST.get("terms", ""))[:1000]
        note = synonyms.clean_note(request.POST.get("note", ""))
        terms, problem = synonyms.clean_terms(typed)
        if problem is None:
            with transaction.atomic():
                group = SynonymGroup.objects.create(terms=terms, note=note, added_by=user)
                _audit(request, "synonym_group_add", group)
                _queue_rebuild()
            messages.success(request, f"已增补同义词组：{group}。查重索引将重建后生效。")
            return see_other(reverse("projects:synonyms"))
        error = problem
    return render(
        request,
        "projects/synonyms.html",
        {
            "editor": editor,
            "added": list(SynonymGroup.objects.select_related("added_by")),
            "shipped": synonyms.shipped_display(),
            "error": error,
            "typed": typed,
            "note": note,
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def synonym_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_edit(request.user):
        raise PermissionDenied("只有市信息化主管部门可以停用或启用查重同义词（第四条第一款）")
    with transaction.atomic():
        group = get_object_or_404(SynonymGroup.objects.select_for_update(), pk=pk)
        group.active = not group.active
        group.save(update_fields=["active", "changed_at"])
        _audit(request, "synonym_group_enable" if group.active else "synonym_group_disable", group)
        _queue_rebuild()
    messages.success(request, f"已{'启用' if group.active else '停用'}同义词组：{group}。")
    return see_other(reverse("projects:synonyms"))


def _audit(request: HttpRequest, action: str, group: SynonymGroup) -> None:
    from infogov.core.signals import audit

    audit(action, request=request, target=f"查重同义词组 #{group.pk}", terms=group.terms, note=group.note)
