"""Attachments: checked by content (not by file name, core/filetypes.py), size-limited, fingerprinted
with SHA-256."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction

from infogov.core.docket import chain as docket
from infogov.core.errors import InvalidInput, NotPermitted
from infogov.core.filetypes import ALLOWED, FileRefused, inspect

__all__ = ["ALLOWED", "attachment_add", "attachment_for_download", "sniff"]
from infogov.core.models import Attachment
from infogov.core.text import clean_name
from infogov.core.workflow.permissions import scope_of


def sniff(head: bytes, data: bytes | None = None) -> str | None:
    """The type the bytes are, whatever the name says; None when not an accepted kind (the whole
    file is judged: core/filetypes.py)."""
    try:
        return inspect(data if data is not None else head)
    except FileRefused:
        return None


def may_attach(user: Any, case: models.Model) -> bool:
    """Who may add a file to a case: those who act on it — its owner, an authority of its level or above
    (which supervises and inspects: 第四条、第十四条、第三十二条), an expert assigned to it.
    Co-supervisors (第四条第三款) and the audit administrator read only; a refused upload writes
    nothing, not even a docket event."""
    scope = scope_of(user)
    if user.has_role("audit_admin") or not scope.can_view(case):
        return False
    jurisdiction_id = case.jurisdiction_id  # type: ignore[attr-defined]
    return scope.can_change(case) or scope.is_authority_for(jurisdiction_id) or scope.is_assigned(case)


def attachment_add(*, case: models.Model, user: Any, upload: Any, purpose: str = "") -> Attachment:
    """Store an upload on a case after checking who uploads, its size and its real type."""
    if not may_attach(user, case):
        raise NotPermitted(
            "只有承办该事项的单位（建设单位、信息化主管部门、受邀专家）可以上传附件；"
            "协同监督部门和审计管理员只能查阅",
            article="第四条",
        )
    if "\x00" in (purpose or ""):  # PostgreSQL refuses NUL in text: a 422, never a 500
        raise InvalidInput("附件用途含有不允许的空字符（NUL），请删除后重试", code="nul_character")
    purpose = clean_name(purpose or "", max_length=50)
    limit = settings.ATTACHMENT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is None or size > limit:
        raise InvalidInput(f"文件超过大小上限（{limit // (1024 * 1024)} MB）", code="file_too_large")
    if size == 0:
        raise InvalidInput("文件为空", code="file_empty")
    data = upload.read()
    if len(data) > limit:
        raise InvalidInput(f"文件超过大小上限（{limit // (1024 * 1024)} MB）", code="file_too_large")
    mime = inspect(data)  # the whole file, by libmagic and structure; FileRefused (422) says why not
    digest = hashlib.sha256(data).hexdigest()
    # the base name, without control, invisible or bidi characters ("\u202efdp.exe" displays "exe.pdf")
    base = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = clean_name(base, max_length=200) or "附件"
    with transaction.atomic():
        type(case)._default_manager.select_for_update().filter(pk=case.pk).first()
        att = Attachment(
            case_type=ContentType.objects.get_for_model(case),
            case_id=case.pk,
            jurisdiction_id=case.jurisdiction_id,  # type: ignore[attr-defined]
            name=name,
            mime_type=mime,
            size=len(data),
            sha256=digest,
            uploaded_by=user,
            purpose=purpose,
        )
        att.file.save(digest, ContentFile(data), save=False)
        att.save()
        docket.record(
            case,
            actor=user,
            action="attach",
            action_label="上传附件",
            from_state=getattr(case, "state", ""),
            to_state=getattr(case, "state", ""),
            attachments=[{"id": att.pk, "name": name, "sha256": digest}],
        )
    return att


def attachment_for_download(*, user: Any, attachment_id: int) -> Attachment:
    from infogov.core.errors import NotFound

    att = Attachment.objects.select_related("case_type").filter(pk=attachment_id).first()
    if att is None:
        raise NotFound()
    case = att.case
    if case is None or not scope_of(user).can_view(case):
        raise NotFound()
    return att
