"""Attachments are judged by the whole file (core/filetypes.py): an executable behind a PDF, PNG or
Office header is refused, a PDF with active content is refused, a .docx must really be a Word
package, and names shown to others carry no bidi overrides."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from infogov.core.attachments import attachment_add
from infogov.core.errors import InvalidInput
from infogov.core.filetypes import DOCX, PDF, PNG, XLSX, FileRefused, executable_in, inspect
from infogov.core.workflow import engine as workflow
from tests.testapp.models import Widget

PE = (
    b"MZ"
    + b"\x90" * 58
    + struct.pack("<I", 0x80)
    + b"\x00" * 64
    + b"PE\x00\x00"
    + b"\x4c\x01"
    + b"\x00" * 200
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
GOOD_PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"3 0 obj\n<< /Length 20 /Filter /FlateDecode >>\nstream\n"
    + zlib.compress(b"BT /F1 12 Tf (x) Tj ET")
    + b"\nendstream\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def package(parts: dict[str, bytes], *, content_types: bytes = b'<?xml version="1.0"?><Types/>') -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


DOC_XML = '<?xml version="1.0"?><w:document><w:body>方案</w:body></w:document>'.encode()


def refused(data: bytes) -> str:
    with pytest.raises(FileRefused) as exc:
        inspect(data)
    return exc.value.message


# -- accepted --------------------------------------------------------------------------------------


def test_real_documents_are_accepted() -> None:
    assert inspect(GOOD_PDF) == PDF
    assert inspect(PNG_BYTES) == PNG
    assert inspect(package({"word/document.xml": DOC_XML})) == DOCX
    wb = openpyxl.Workbook()
    wb.active["A1"] = "预算"
    buf = io.BytesIO()
    wb.save(buf)
    assert inspect(buf.getvalue()) == XLSX
    assert inspect("吉林市电子政务建设方案\n".encode()) == "text/plain"


# -- executables behind a document's first bytes ----------------------------------------------------


def test_a_pdf_carrying_a_windows_program_is_refused() -> None:
    assert executable_in(PE) == "Windows 程序"
    assert "可执行程序" in refused(GOOD_PDF + PE)
    assert "可执行程序" in refused(b"%PDF-1.4\n" + PE + b"\n%%EOF\n")


def test_a_pdf_with_a_program_inside_a_compressed_stream_is_refused() -> None:
    hidden = zlib.compress(b"padding" * 10 + PE)
    data = (
        b"%PDF-1.7\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n" + hidden + b"\nendstream\nendobj\n%%EOF\n"
    )
    assert executable_in(data) is None  # not visible in the raw bytes
    assert "可执行程序" in refused(data)


@pytest.mark.parametrize(
    ("active", "said"),
    [
        (b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>", "JavaScript"),
        (b"/OpenAction << /S /JavaScr#69pt /JS (x) >>", "JavaScript"),
        (b"/OpenAction << /S /Launch /F (cmd.exe) >>", "启动外部程序"),
        (b"/Names << /EmbeddedFiles 5 0 R >> /AF [<< /Type /Filespec /F (setup.exe) >>]", "程序或脚本"),
        (b"/Names << /EmbeddedFiles 5 0 R >> /AF [<< /Type /Filespec /UF (run.JS) >>]", "程序或脚本"),
    ],
)
def test_a_pdf_with_active_content_is_refused(active, said) -> None:
    data = GOOD_PDF.replace(b"/Type /Catalog", b"/Type /Catalog " + active)
    assert said in refused(data)


def test_a_pdf_a3_with_an_embedded_xml_is_accepted() -> None:
    data = GOOD_PDF.replace(
        b"/Type /Catalog", b"/Type /Catalog /Names << /EmbeddedFiles 5 0 R >> /AF [<< /F (invoice.xml) >>]"
    )
    assert inspect(data) == PDF


def test_active_content_hidden_in_an_object_stream_is_refused() -> None:
    objstm = zlib.compress(b"4 0 << /S /JavaScript /JS (app.alert(1)) >>")
    data = GOOD_PDF.replace(
        b"trailer", b"5 0 obj\n<< /Type /ObjStm >>\nstream\n" + objstm + b"\nendstream\ntrailer"
    )
    assert "JavaScript" in refused(data)


def test_a_png_or_jpeg_with_an_appended_program_is_refused() -> None:
    assert "可执行程序" in refused(PNG_BYTES + ELF)
    assert "可执行程序" in refused(PNG_BYTES + PE)


def test_first_bytes_of_a_pdf_over_something_else_are_refused() -> None:
    assert refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)  # a PNG signature and nothing of a PNG


# -- Office packages --------------------------------------------------------------------------------


def test_a_docx_must_be_a_word_package() -> None:
    assert "不支持" in refused(package({"readme.txt": b"x"}))
    assert "不支持" in refused(b"PK\x03\x04" + b"\x00" * 100)


def test_macros_and_programs_in_a_package_are_refused() -> None:
    assert "宏" in refused(
        package({"word/document.xml": DOC_XML, "word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
    )
    macro_types = (
        b'<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
    )
    assert "宏" in refused(package({"word/document.xml": DOC_XML}, content_types=macro_types))
    assert "宏" in refused(package({"word/document.xml": DOC_XML, "word/media/run.exe": PE}))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + PE  # a packaged program in an OLE object
    assert "可执行程序" in refused(
        package({"word/document.xml": DOC_XML, "word/embeddings/oleObject1.bin": ole})
    )


def test_a_package_that_is_a_zip_bomb_is_refused() -> None:
    assert "压缩" in refused(
        package({"word/document.xml": DOC_XML, "word/media/big.xml": b" " * (5 * 1024 * 1024)})
    )


# -- through attachment_add ---------------------------------------------------------------------


@pytest.mark.django_db
def test_attachment_add_refuses_with_the_reason_and_cleans_bidi_names(world, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    land = world.yongji
    w = workflow.create(
        Widget,
        user=land.dept_user,
        title="档案数字化",
        jurisdiction=land.jurisdiction,
        owner=land.department,
        budget=Decimal("30000"),
        has_security_plan=True,
    )
    with pytest.raises(InvalidInput) as exc:
        attachment_add(case=w, user=land.dept_user, upload=SimpleUploadedFile("方案.pdf", GOOD_PDF + PE))
    assert exc.value.status == 422 and "可执行程序" in exc.value.message
    att = attachment_add(case=w, user=land.dept_user, upload=SimpleUploadedFile("\u202efdp.exe", GOOD_PDF))
    assert att.name == "fdp.exe" and att.mime_type == PDF
    att = attachment_add(
        case=w, user=land.dept_user, upload=SimpleUploadedFile("方\u2066案\u2069.pdf", GOOD_PDF)
    )
    assert att.name == "方案.pdf"
