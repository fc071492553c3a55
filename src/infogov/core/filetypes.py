"""What an uploaded file really is, judged from the whole file and never from its name.

`inspect(data)` returns the accepted MIME type or raises InvalidInput with a Chinese reason:

- libmagic (python-magic, Debian's libmagic1) names the type from the content; PDF, PNG, JPEG and
  text must be what libmagic says they are, not only start with the right bytes.
- No accepted file carries an executable: the whole file is searched for a Windows PE image ("MZ"
  whose header pointer leads to "PE\\0\\0") and an ELF image, and so is every compressed stream of a
  PDF and every part of an Office or OFD package (inflated within a budget).
- A PDF has no active content: no JavaScript, launch action or rich media, and no embedded file
  named as a program or script (names written with #xx escapes are decoded first; an embedded XML,
  as PDF/A-3 invoices carry, is fine).
- A .docx / .xlsx / .ofd is a real zip package with its main part (word/document.xml,
  xl/workbook.xml, OFD.xml), no macros (vbaProject.bin, macro-enabled content types), no executable
  or script part, and sizes and compression ratios that are not a zip bomb.
- Text is UTF-8 without NUL bytes.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

from infogov.core.errors import InvalidInput

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFD = "application/ofd"
TEXT = "text/plain"

ALLOWED = {
    PDF: "PDF",
    PNG: "PNG 图片",
    JPEG: "JPEG 图片",
    DOCX: "Word 文档",
    XLSX: "Excel 表格",
    OFD: "OFD 版式文件",
    TEXT: "文本",
}

INFLATE_BUDGET = 128 * 1024 * 1024  # bytes inflated from a PDF's streams or a package's parts, in all
PACKAGE_MAX_ENTRIES = 5000
PACKAGE_MAX_RATIO = 100  # per part over 1 MB unpacked
_SCRIPT_SUFFIXES = (
    ".exe",
    ".dll",
    ".com",
    ".scr",
    ".bat",
    ".cmd",
    ".ps1",
    ".vbs",
    ".js",
    ".jar",
    ".msi",
    ".sh",
)
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|RichMedia)(?![A-Za-z0-9])")
# an embedded file (PDF/A-3 invoices carry XML) is allowed unless it is named as a program or script
_PDF_EMBEDDED_PROGRAM = re.compile(
    rb"/(?:UF|F)\s*\([^()]*\.(?:exe|dll|com|scr|bat|cmd|ps1|vbs|js|jar|msi|sh|hta|lnk)\)", re.IGNORECASE
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_EXECUTABLE_TYPES = frozenset(
    {
        "application/x-executable",
        "application/x-pie-executable",
        "application/x-sharedlib",
        "application/x-dosexec",
        "application/x-mach-binary",
        "application/vnd.microsoft.portable-executable",
    }
)
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")


class FileRefused(InvalidInput):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="file_type")


def _not_accepted() -> FileRefused:
    return FileRefused("不支持的文件类型（按文件内容判断），仅接受：" + "、".join(ALLOWED.values()))


def magic_type(data: bytes) -> str:
    """libmagic's MIME type of the content."""
    import magic

    return str(magic.from_buffer(data, mime=True))


def inspect(data: bytes) -> str:
    """The accepted MIME type of `data`, or FileRefused saying why not."""
    kind = _package(data) if data.startswith(b"PK\x03\x04") else _by_magic(data)
    if kind != TEXT:
        found = executable_in(data)
        if found:
            raise FileRefused(f"文件中夹带了可执行程序（{found}），已拒绝")
    if kind == PDF:
        _pdf_inside(data)
    return kind


def _by_magic(data: bytes) -> str:
    told = magic_type(data)
    if data.startswith(b"%PDF-") and told == PDF:
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n") and told == PNG:
        return PNG
    if data.startswith(b"\xff\xd8\xff") and told == JPEG:
        return JPEG
    if data.startswith((b"%PDF-", b"\x89PNG", b"\xff\xd8\xff")):
        raise FileRefused(f"文件开头像文档或图片，但整个文件的内容不是（识别为 {told}），已拒绝")
    if _is_text(data) and told not in _EXECUTABLE_TYPES:
        return TEXT
    raise _not_accepted()


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# -- executables --------------------------------------------------------------------------------------


def executable_in(data: bytes) -> str | None:
    """ "Windows 程序" / "Linux 程序" when `data` holds a PE or ELF image anywhere, else None."""
    at = data.find(b"MZ")
    while at != -1:
        if at + 0x40 <= len(data):
            (pointer,) = struct.unpack_from("<I", data, at + 0x3C)
            if data[at + pointer : at + pointer + 4] == b"PE\x00\x00":
                return "Windows 程序"
        at = data.find(b"MZ", at + 1)
    at = data.find(b"\x7fELF")
    while at != -1:
        # class 32/64-bit, little/big endian, version 1
        if data[at + 4 : at + 5] in (b"\x01", b"\x02") and data[at + 5 : at + 7] in (
            b"\x01\x01",
            b"\x02\x01",
        ):
            return "Linux 程序"
        at = data.find(b"\x7fELF", at + 1)
    return None


# -- PDF --------------------------------------------------------------------------------------------------


def _pdf_inside(data: bytes) -> None:
    """Active content in the file or in any of its compressed streams; an executable in a stream."""
    budget = INFLATE_BUDGET
    for chunk in _pdf_chunks(data, budget):
        names = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), chunk)
        active = _PDF_ACTIVE.search(names)
        if active:
            what = {b"Launch": "启动外部程序的动作", b"RichMedia": "富媒体"}.get(
                active[1], "脚本（JavaScript）"
            )
            raise FileRefused(f"PDF 中含有{what}，请另存为不含脚本的 PDF 后上传")
        if b"/EmbeddedFile" in names and _PDF_EMBEDDED_PROGRAM.search(names):
            raise FileRefused("PDF 中嵌入了程序或脚本文件，请删除该附件后再上传")
        found = executable_in(chunk)
        if found:
            raise FileRefused(f"PDF 中夹带了可执行程序（{found}），已拒绝")


def _pdf_chunks(data: bytes, budget: int):  # type: ignore[no-untyped-def]
    """The file itself, then each stream inflated (streams that are not Flate are skipped)."""
    yield data
    for match in _STREAM.finditer(data):
        if budget <= 0:
            raise FileRefused("PDF 中压缩的内容过多，无法检查，已拒绝")
        start = match.end()
        end = data.find(b"endstream", start)
        if end == -1:
            end = len(data)
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[start:end], budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        if inflater.unconsumed_tail:  # more than the budget in one stream
            raise FileRefused("PDF 中压缩的内容过多，无法检查，已拒绝")
        yield inflated


# -- packages (.docx, .xlsx, .ofd) ---------------------------------------------------------------


def _package(data: bytes) -> str:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        entries = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_accepted() from None
    names = {e.filename for e in entries}
    if "word/document.xml" in names:
        kind = DOCX
    elif "xl/workbook.xml" in names:
        kind = XLSX
    elif "OFD.xml" in names:
        kind = OFD
    else:
        raise _not_accepted()
    _package_parts(package, entries)
    return kind


def _package_parts(package: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > PACKAGE_MAX_ENTRIES:
        raise FileRefused("文件包含的部件过多，不是正常的文档")
    budget = INFLATE_BUDGET
    for info in entries:
        name = info.filename.lower()
        if name.endswith("vbaproject.bin") or name.endswith(_SCRIPT_SUFFIXES):
            raise FileRefused("文档中含有宏或可执行部件，请另存为不含宏的 .docx / .xlsx 后上传")
        if info.file_size > 1024 * 1024 and info.file_size > PACKAGE_MAX_RATIO * max(info.compress_size, 1):
            raise FileRefused("文件压缩比异常（疑似压缩炸弹），已拒绝")
        budget -= info.file_size
        if budget < 0:
            raise FileRefused("文件解压后过大，无法检查，已拒绝")
        try:
            part = package.read(info)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, zlib.error, EOFError):
            raise FileRefused("文件已损坏或已加密，无法检查，已拒绝") from None
        if name == "[content_types].xml" and b"macroEnabled" in part:
            raise FileRefused("文档中含有宏或可执行部件，请另存为不含宏的 .docx / .xlsx 后上传")
        found = executable_in(part)
        if found:
            raise FileRefused(f"文档中夹带了可执行程序（{found}），已拒绝")
