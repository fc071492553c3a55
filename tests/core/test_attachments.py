"""Attachments: judged by their bytes, not their names; size-limited; fingerprinted; scoped (第四条)."""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from infogov.core.attachments import ALLOWED, attachment_add, attachment_for_download, sniff
from infogov.core.docket import verify as docket_verify
from infogov.core.errors import InvalidInput, NotFound, NotPermitted
from infogov.core.models import Attachment, DocketEvent
from infogov.core.workflow import engine as workflow
from tests.testapp.models import Widget

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + bytes(range(256)) * 4
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"This program cannot be run in DOS mode" * 10
)
RANDOM = random.Random(20150101).randbytes(4096)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document><w:body>方案</w:body></w:document>')
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "项目预算"
    wb.active["B1"] = 480000
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bytes(name="readme.txt", content="x") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, content)
    return buf.getvalue()


def whole(data: bytes) -> str | None:
    return sniff(data[:16], data)


# -- sniff: by content --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        ("吉林市电子政务建设方案\n第一章 总则\n".encode(), "text/plain"),
        (b"plain ascii\r\n", "text/plain"),
    ],
)
def test_sniff_recognises_accepted_kinds(data, mime):
    assert whole(data) == mime
    assert mime in ALLOWED


def test_sniff_recognises_office_documents_by_their_zip_content():
    assert whole(docx_bytes()) == DOCX
    assert whole(xlsx_bytes()) == XLSX
    assert whole(zip_bytes("OFD.xml", "<ofd:OFD/>")) == "application/ofd"


@pytest.mark.parametrize(
    "data",
    [
        ELF,
        EXE,
        RANDOM,
        zip_bytes(),
        b"PK\x03\x04 not really a zip archive at all",
        "方案".encode("gbk") + b"\x00",
    ],
    ids=["elf", "exe", "random", "plain-zip", "broken-zip", "nul-bytes"],
)
def test_sniff_refuses_executables_archives_and_binary(data):
    assert whole(data) is None


def test_sniff_accepts_text_whose_sample_cuts_a_character():
    text = ("信息化" * 3000).encode()  # 9000 bytes; the 8192-byte sample ends inside a character
    assert len(text) > 8192 and text[:8192].decode("utf-8", errors="replace").endswith("\ufffd")
    assert whole(text) == "text/plain"


def test_sniff_refuses_text_with_an_early_invalid_byte():
    assert whole(b"abc\xff\xfe" + b"d" * 100) is None


# -- attachment_add ----------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def new_widget(land) -> Widget:
    return workflow.create(
        Widget,
        user=land.dept_user,
        title="档案数字化",
        jurisdiction=land.jurisdiction,
        owner=land.department,
        budget=Decimal("30000"),
        has_security_plan=True,
    )


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


pytestmark = pytest.mark.django_db


def test_a_pdf_named_png_is_stored_as_pdf(world, media):
    w = new_widget(world.yongji)
    att = attachment_add(
        case=w, user=world.yongji.dept_user, upload=upload("扫描件.png", PDF), purpose="plan"
    )
    att.refresh_from_db()
    assert att.mime_type == "application/pdf"
    assert att.name == "扫描件.png"  # the name is kept as given; the type comes from the bytes
    assert (att.size, att.purpose, att.uploaded_by) == (len(PDF), "plan", world.yongji.dept_user)
    assert att.case == w


@pytest.mark.parametrize("data", [ELF, EXE, RANDOM], ids=["elf", "exe", "random"])
def test_executables_and_binary_named_pdf_are_refused(world, media, data):
    w = new_widget(world.yongji)
    with pytest.raises(InvalidInput) as exc:
        attachment_add(case=w, user=world.yongji.dept_user, upload=upload("方案.pdf", data))
    assert exc.value.code == "file_type"
    assert exc.value.status == 422
    assert not Attachment.objects.exists()
    assert [e.action for e in DocketEvent.objects.for_case(w)] == ["create"]
    assert [p for p in media.rglob("*") if p.is_file()] == []  # nothing written to storage


def test_office_documents_are_detected(world, media):
    w = new_widget(world.yongji)
    doc = attachment_add(case=w, user=world.yongji.dept_user, upload=upload("方案.bin", docx_bytes()))
    sheet = attachment_add(case=w, user=world.yongji.dept_user, upload=upload("预算.docx", xlsx_bytes()))
    assert (doc.mime_type, sheet.mime_type) == (DOCX, XLSX)


def test_size_limit(world, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    w = new_widget(world.yongji)
    with pytest.raises(InvalidInput) as exc:
        attachment_add(case=w, user=world.yongji.dept_user, upload=upload("big.txt", b"a" * 1025))
    assert exc.value.code == "file_too_large"
    # a client that understates the size is measured again after reading
    liar = upload("liar.txt", b"a" * 2000)
    liar.size = 10
    with pytest.raises(InvalidInput) as exc:
        attachment_add(case=w, user=world.yongji.dept_user, upload=liar)
    assert exc.value.code == "file_too_large"
    with pytest.raises(InvalidInput) as exc:
        attachment_add(case=w, user=world.yongji.dept_user, upload=upload("empty.txt", b""))
    assert exc.value.code == "file_empty"
    assert not Attachment.objects.exists()
    att = attachment_add(case=w, user=world.yongji.dept_user, upload=upload("exact.txt", b"a" * 1024))
    assert att.size == 1024


def test_sha256_is_stored_and_the_docket_records_the_attachment(world, media):
    w = new_widget(world.yongji)
    w = workflow.fire(w, "submit", user=world.yongji.dept_user)
    data = xlsx_bytes()
    att = attachment_add(case=w, user=world.yongji.dept_user, upload=upload("dir/预算表.xlsx", data))
    assert att.sha256 == hashlib.sha256(data).hexdigest()
    assert att.name == "预算表.xlsx"  # no client-supplied path
    with att.file.open("rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == att.sha256
    assert att.sha256 in att.file.name
    e = DocketEvent.objects.for_case(w).order_by("-seq").first()
    assert (e.seq, e.action, e.from_state, e.to_state) == (3, "attach", "submitted", "submitted")
    assert e.attachments == [{"id": att.pk, "name": "预算表.xlsx", "sha256": att.sha256}]
    assert (e.actor, e.organisation) == (world.yongji.dept_user, world.yongji.department)
    assert docket_verify.verify().ok
    # attaching records, but does not change the case or its version
    assert Widget.objects.get(pk=w.pk).version == w.version


@pytest.mark.article(4)
def test_another_jurisdiction_cannot_attach_or_download(world, media):
    w = new_widget(world.yongji)
    att = attachment_add(case=w, user=world.yongji.dept_user, upload=upload("a.pdf", PDF))
    for outsider in (
        world.jiaohe.dept_user,
        world.jiaohe.authority_user,
        world.jiaohe.finance_user,
        world.expert,
    ):
        with pytest.raises(NotPermitted) as exc:
            attachment_add(case=w, user=outsider, upload=upload("b.pdf", PDF))
        assert exc.value.article == "第四条"
        with pytest.raises(NotFound):
            attachment_for_download(user=outsider, attachment_id=att.pk)
    assert Attachment.objects.count() == 1
    for admin in (world.audit_admin, world.sys_admin, world.sec_admin):
        with pytest.raises(NotPermitted):
            attachment_add(case=w, user=admin, upload=upload("c.pdf", PDF))
        with pytest.raises(NotFound):
            attachment_for_download(user=admin, attachment_id=att.pk)
    # those who may see the case may download
    for insider in (
        world.yongji.dept_user,
        world.yongji.authority_user,
        world.city.authority_user,
        world.yongji.approver,
        world.yongji.finance_user,
    ):
        assert attachment_for_download(user=insider, attachment_id=att.pk) == att
    with pytest.raises(NotFound):
        attachment_for_download(user=world.yongji.dept_user, attachment_id=att.pk + 1000)


@pytest.mark.article(4)
def test_an_assigned_expert_may_attach(world, media):
    from django.contrib.contenttypes.models import ContentType

    from infogov.core.models import CaseAssignment

    w = new_widget(world.yongji)
    CaseAssignment.objects.create(
        case_type=ContentType.objects.get_for_model(w),
        case_id=w.pk,
        jurisdiction=w.jurisdiction,
        user=world.expert,
    )
    att = attachment_add(case=w, user=world.expert, upload=upload("论证意见.pdf", PDF))
    assert attachment_for_download(user=world.expert, attachment_id=att.pk) == att


def test_download_of_an_attachment_whose_case_is_gone_is_not_found(world, media):
    w = new_widget(world.yongji)
    att = attachment_add(case=w, user=world.yongji.dept_user, upload=upload("a.pdf", PDF))
    Widget.objects.filter(pk=w.pk).delete()
    with pytest.raises(NotFound):
        attachment_for_download(user=world.city.authority_user, attachment_id=att.pk)


def test_a_nul_in_the_purpose_is_a_422_and_stores_nothing(world):
    """Found by the API fuzzer as a PostgreSQL 500 (PostgreSQL refuses NUL in text)."""
    w = new_widget(world.yongji)
    with pytest.raises(InvalidInput) as exc:
        attachment_add(case=w, user=world.yongji.dept_user, upload=upload("a.pdf", PDF), purpose="\x12\x00")
    assert exc.value.code == "nul_character"
    assert not Attachment.objects.for_case(w).exists()
    att = attachment_add(
        case=w, user=world.yongji.dept_user, upload=upload("a.pdf", PDF), purpose="\u202e验收报告\x12"
    )
    assert att.purpose == "验收报告"
