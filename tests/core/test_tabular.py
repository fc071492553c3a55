"""The safe table reader (core/tabular.py): crafted workbooks refused fast and in bounded memory,
formula cells named, CSV in the encodings Chinese offices use, dates and levels as people type them,
and the formula-neutralising writer."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from openpyxl import Workbook, load_workbook

from infogov.core.tabular import (
    TableError,
    csv_lines,
    parse_date,
    parse_level,
    read_rows,
    safe_cell,
)

HEADER = ["项目名称", "预算金额（元）", "计划开工"]


def xlsx(*rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def raw_zip(entries: list[tuple[str, bytes, int, int]], method: int = 8) -> bytes:
    """A zip written by hand from already deflated entries: (name, deflated, crc, size)."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, deflated, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(deflated), size, len(encoded), 0
            )
        )
        out.write(encoded + deflated)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                *(0x02014B50, 20, 20, 0, method, 0, 0, crc, len(deflated), size, len(encoded), 0, 0, 0, 0, 0),
                offset,
            )
            + encoded
        )
    start = out.tell()
    out.write(central.getvalue())
    n = len(entries)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central.getvalue()), start, 0))
    return out.getvalue()


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def with_sheet(sheet: list[tuple[bytes, int]] | bytes, *, claimed_size: int | None = None) -> bytes:
    """A real workbook whose first sheet's XML is replaced: either bytes, or (block, repeats) runs
    deflated once per block and repeated (a full flush resets the compressor, so each repeat of a
    block deflates to the same bytes) — gigabytes of XML in a few megabytes, built in milliseconds."""
    base = zipfile.ZipFile(io.BytesIO(xlsx(HEADER)))
    entries = []
    for info in base.infolist():
        data = base.read(info.filename)
        if info.filename != "xl/worksheets/sheet1.xml":
            entries.append((info.filename, deflate(data), zlib.crc32(data), len(data)))
            continue
        if isinstance(sheet, bytes):
            entries.append((info.filename, deflate(sheet), zlib.crc32(sheet), claimed_size or len(sheet)))
            continue
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        deflated, size = b"", 0
        for block, repeats in sheet:
            piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
            deflated += piece * repeats
            size += len(block) * repeats
        deflated += c.flush()
        entries.append((info.filename, deflated, 0, claimed_size or size))
    return raw_zip(entries)


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


ROW = b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'


def bomb(megabytes_out: int) -> bytes:
    """A sheet of `megabytes_out` MB: one row, then spaces (allowed between elements)."""
    return with_sheet([(SHEET_HEAD + ROW, 1), (b" " * 1024 * 1024, megabytes_out), (SHEET_TAIL, 1)])


def refused_fast(data: bytes, filename: str = "x.xlsx", **caps) -> str:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(TableError) as refused:
            read_rows(data, filename, **caps)
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < 1.0, elapsed
    assert peak < 64 * 1024 * 1024, peak
    return refused.value.message


# -- crafted workbooks ------------------------------------------------------------------------------


def test_a_2_mb_zip_bomb_is_refused_from_the_directory() -> None:
    data = bomb(2000)  # about 2 GB of sheet XML
    assert 1_000_000 < len(data) < 3_000_000
    assert "压缩" in refused_fast(data)


def test_a_bomb_whose_directory_lies_about_its_size_is_cut_at_the_claimed_size() -> None:
    data = with_sheet(
        [(SHEET_HEAD + ROW, 1), (b" " * 1024 * 1024, 500), (SHEET_TAIL, 1)], claimed_size=200_000
    )
    assert "无法读取" in refused_fast(data)


def test_a_200_kb_file_with_a_very_wide_header_row_is_refused() -> None:
    data = xlsx([f"第{i}列 {hashlib.sha1(str(i).encode()).hexdigest()[:10]}" for i in range(16384)])
    assert 100_000 < len(data) < 400_000
    assert "范围过大" in refused_fast(data)


def test_a_wide_row_without_a_declared_dimension_stops_at_the_cap() -> None:
    cells = b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>h</t></is></c>' % _col(i).encode() for i in range(16384)
    )
    data = with_sheet(SHEET_HEAD + b'<row r="1">' + cells + b"</row>" + SHEET_TAIL)
    assert "超过 64 列" in refused_fast(data)


def _col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def test_too_many_rows_refused_with_the_cap() -> None:
    data = xlsx(HEADER, *[[f"项目{i}", 1, None] for i in range(30)])
    assert "超过 20 行" in refused_fast(data, max_rows=20)
    header, rows = read_rows(data, "x.xlsx", max_rows=30)
    assert header == HEADER and len(rows) == 30


def test_too_many_entries_and_old_xls_and_garbage_refused() -> None:
    entries = [(f"x/{i}.xml", deflate(b"<a/>"), zlib.crc32(b"<a/>"), 4) for i in range(400)]
    assert "结构异常" in refused_fast(raw_zip(entries))
    assert ".xls" in refused_fast(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "a.xls")
    assert "无法读取" in refused_fast(b"PK\x03\x04not a zip at all", "a.xlsx")
    assert "无法读取" in refused_fast(b"plain text", "a.xlsx")
    assert "为空" in refused_fast(b"", "a.csv")


# -- values -----------------------------------------------------------------------------------------


def test_formula_cells_are_named_not_reported_empty() -> None:
    data = xlsx(HEADER, ['=HYPERLINK("http://x","点我")', 100, None], ["项目乙", "=1+2", None])
    with pytest.raises(TableError) as refused:
        read_rows(data, "x.xlsx")
    assert "第2行「项目名称」是公式，请粘贴为数值" in refused.value.message
    assert [(d["row"], d["column"]) for d in refused.value.details] == [
        (2, "项目名称"),
        (3, "预算金额（元）"),
    ]
    assert refused.value.details[1]["msg"] == "第3行「预算金额（元）」是公式，请粘贴为数值"


def test_rows_keep_excel_numbering_and_header_width() -> None:
    data = xlsx(HEADER, ["甲", 1, dt.date(2027, 3, 1)], [None, None, None], ["乙", 2.5, "2027/3/1", "多余"])
    header, rows = read_rows(data, "x.xlsx")
    assert header == HEADER
    assert rows[0] == ["甲", 1, dt.datetime(2027, 3, 1)]
    assert rows[1] == [None, None, None]  # sheet row 3, kept so that row 4 stays row 4
    assert rows[2] == ["乙", 2.5, "2027/3/1"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_the_encodings_chinese_offices_use(encoding) -> None:
    text = "项目名称,预算金额（元）,计划开工\r\n吉林市政务云扩容,300000,2027年3月1日\r\n\r\n"
    header, rows = read_rows(text.encode(encoding), "项目.csv")
    assert header == HEADER
    assert rows == [["吉林市政务云扩容", "300000", "2027年3月1日"]]


def test_csv_refusals() -> None:
    assert "编码" in refused_fast(b"\xff\xfe\x00\x00\xff\xff", "a.csv")
    wide = ",".join(f"c{i}" for i in range(100)).encode()
    assert "超过 64 列" in refused_fast(wide, "a.csv")
    many = ("a,b\n" + "1,2\n" * 50).encode()
    assert "超过 10 行" in refused_fast(many, "a.csv", max_rows=10)
    header, rows = read_rows("名称\t金额\n甲\t1\n".encode(), "a.csv")  # tab-separated (WPS)
    assert header == ["名称", "金额"] and rows == [["甲", "1"]]


@pytest.mark.parametrize(
    "value",
    [
        "2027/3/1",
        "2027-03-01",
        "2027年3月1日",
        "2027.3.1",
        "20270301",
        "２０２７年３月１日",
        "2027-03-01 00:00:00",
        46447,
        46447.0,
        "46447",
        dt.datetime(2027, 3, 1, 8, 0),
        dt.date(2027, 3, 1),
    ],
)
def test_dates_as_people_type_them(value) -> None:
    assert parse_date(value) == dt.date(2027, 3, 1)


@pytest.mark.parametrize("value", ["2027-13-01", "明年三月", "2027/2/30", True, 1.5, -3, "", "3/1/2027"])
def test_not_dates(value) -> None:
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize("value", ["二级", "第二级", "2级", "第2级", "等保二级", "２级", 2, 2.0, " 二 级 "])
def test_levels_as_people_write_them(value) -> None:
    assert parse_level(value) == 2


@pytest.mark.parametrize("value", ["高级", "二三级", 2.5, True, ""])
def test_not_levels(value) -> None:
    with pytest.raises(ValueError):
        parse_level(value)


# -- writing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_safe_cell_neutralises_formulas_in_xlsx_and_csv(text) -> None:
    assert safe_cell(text) == "'" + text
    wb = Workbook()
    wb.active.append([safe_cell(text)])
    buf = io.BytesIO()
    wb.save(buf)
    cell = load_workbook(io.BytesIO(buf.getvalue())).active["A1"]
    assert cell.data_type == "s" and cell.value.startswith("'")
    written = "".join(csv_lines([[text, 1]]))
    assert next(csv.reader(io.StringIO(written, newline=""))) == ["'" + text, "1"]


def test_safe_cell_leaves_ordinary_values() -> None:
    for value in ("项目", "a=b", 3, -3, None, dt.date(2027, 1, 1)):
        assert safe_cell(value) == value


def test_an_oddly_compressed_workbook_is_unreadable_not_a_500() -> None:
    base = zipfile.ZipFile(io.BytesIO(xlsx(HEADER, ["甲", 1, None])))
    entries = [
        (i.filename, deflate(base.read(i)), zlib.crc32(base.read(i)), i.file_size) for i in base.infolist()
    ]
    data = raw_zip(entries, method=99)  # AES-encrypted entries: zipfile cannot open them
    assert "无法读取" in refused_fast(data)
