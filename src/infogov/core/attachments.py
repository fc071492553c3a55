"""Attachments: checked by content (not by file name), size-limited, fingerprinted with SHA-256."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction

from infogov.core.docket import chain as docket
from infogov.core.errors import InvalidInput, NotPermitted
from infogov.core.models import Attachment
from infogov.core.text import clean_name
from infogov.core.workflow.permissions import scope_of

ALLOWED = {
    "application/pdf": "PDF",
    "image/png": "PNG 图片",
    "image/jpeg": "JPEG 图片",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
    "application/ofd": "OFD 版式文件",
    "text/plain": "文本",
}


def sniff(head: bytes, data: bytes | None = None) -> str | None:
    """The type the bytes are, whatever the name says; None when not an accepted kind."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04") and data is not None:
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if "OFD.xml" in names:
            return "application/ofd"
        return None
    sample = data if data is not None else head
    if b"\x00" in sample[:8192]:
        return None
    try:
        sample[:8192].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample[:8192]) - 4:  # a multi-byte character cut at the sample's end is fine
            return None
    return "text/plain"


def attachment_add(*, case: models.Model, user: Any, upload: Any, purpose: str = "") -> Attachment:
    """Store an upload on a case after checking who uploads, its size and its real type."""
    if not scope_of(user).can_view(case) or user.has_role("audit_admin"):
        raise NotPermitted("您无权向该事项上传附件", article="第四条")
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
    mime = sniff(data[:16], data)
    if mime is None:
        kinds = "、".join(ALLOWED.values())
        raise InvalidInput(f"不支持的文件类型（按文件内容判断），仅接受：{kinds}", code="file_type")
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
