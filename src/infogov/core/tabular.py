"""Tables people upload and download: a safe reader for .xlsx and .csv, and the cell values the
platform writes.

Reading (`read_rows`). An uploaded workbook is checked before any XML is parsed, from the zip's
central directory only: the upload's size, the number of entries, each entry's and the total
uncompressed size, and each entry's compression ratio (a 2 MB file that unpacks to gigabytes is
refused at once). The first sheet is then scanned as a stream with hard caps — the dimension it
declares, the columns and rows that hold values, the number of cells, the time — before openpyxl
(read-only mode) reads the values; a wide header row of 16 384 cells stops the scan at the first
cell past the cap. Each refusal is a `TableError` (a 422) with a Chinese message, in well under a
second and in bounded memory. A formula cell is not a value: it is reported as
"第N行「字段」是公式，请粘贴为数值". A .csv is read in UTF-8 (with or without BOM) or GBK/GB18030,
what Chinese offices' Excel and WPS save.

Values (`parse_date`, `parse_level`): dates as people type them (2027/3/1, 2027-03-01,
2027年3月1日, 20270301, an Excel serial number) and levels as 二级 / 第二级 / 2级 / 2.

Writing (`safe_cell`): user text that a spreadsheet would run as a formula (starting with = + - @,
tab or carriage return) is prefixed with an apostrophe, in every .xlsx and .csv the platform writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import posixpath
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any
from xml.etree import ElementTree as ET

from infogov.core.errors import InvalidInput

MAX_FILE_BYTES = 10 * 1024 * 1024  # the upload itself
MAX_UNCOMPRESSED = 30 * 1024 * 1024  # all entries of the workbook, unpacked
MAX_ENTRY_RATIO = 100  # unpacked ÷ packed, for an entry over 1 MB unpacked (sheets compress 5–30×)
MAX_ENTRIES = 300
MAX_SECONDS = 5.0  # the whole read
DEFAULT_MAX_ROWS = 1000  # data rows below the header
DEFAULT_MAX_COLS = 64

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_UNREADABLE = "无法读取文件：请上传 Excel（.xlsx）或 CSV 文件"


class TableError(InvalidInput):
    """An uploaded table refused as a whole, with a Chinese message (and per-cell details)."""

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, code="invalid_table", details=details)


def cell_problem(row: int, column: str, message: str) -> dict[str, Any]:
    """One cell's problem as the import pages and the API report it."""
    return {"row": row, "column": column, "message": message, "msg": f"第{row}行「{column}」{message}"}


# -- reading ------------------------------------------------------------------------------------------


def read_rows(
    file_obj: Any,
    filename: str = "",
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_cols: int = DEFAULT_MAX_COLS,
) -> tuple[list[str], list[list[Any]]]:
    """The header (first row, as text) and the rows below it of an .xlsx's first sheet or a .csv.

    `rows[i]` is the sheet's row i + 2 (empty rows inside the table are kept as rows of None, so that
    row numbers in messages are the ones Excel shows; empty rows at the end are dropped). Each row is
    as long as the header. Cells are None (empty), str (control characters removed), int, float,
    bool or datetime. Raises TableError on anything that is not a readable table within the caps."""
    deadline = time.monotonic() + MAX_SECONDS
    data = _read_bytes(file_obj)
    if not data.strip():
        raise TableError("文件为空")
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data, max_rows=max_rows, max_cols=max_cols, deadline=deadline)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(
            "不支持旧版 Excel（.xls）或加密的文件：请取消密码保护，"
            "在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后上传"
        )
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise TableError(_UNREADABLE)
    else:
        table = _read_csv(data, max_rows=max_rows, max_cols=max_cols)
    return _shape(table)


def _read_bytes(file_obj: Any) -> bytes:
    if isinstance(file_obj, bytes | bytearray | memoryview):
        data = bytes(file_obj)
    else:
        size = getattr(file_obj, "size", None)
        if size is not None and size > MAX_FILE_BYTES:
            raise TableError(f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，请分批导入")
        data = file_obj.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise TableError(f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，请分批导入")
    return data


def _shape(table: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    """Header as stripped text; rows cut or padded to the header's width; trailing empty rows off."""
    if not table:
        raise TableError("表中没有表头行")
    header = ["" if v is None else str(v).strip() for v in table[0]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise TableError("第1行（表头）是空的")
    width = len(header)
    rows = [(list(r[:width]) + [None] * (width - len(r)))[:width] for r in table[1:]]
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    return header, rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = _CONTROL.sub("", value)
        return value if value.strip() else None
    return value


# -- .csv -----------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads GBK and GB2312 too
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别 CSV 文件的编码：请另存为 UTF-8 或 GBK 编码的 CSV，或上传 .xlsx")


def _read_csv(data: bytes, *, max_rows: int, max_cols: int) -> list[list[Any]]:
    text = _decode(data)
    if "\x00" in text:
        raise TableError(_UNREADABLE)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    table: list[list[Any]] = []
    try:
        for n, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            cells = [_clean(v) for v in record]
            _check_width(cells, n, max_cols)
            table.append(cells)
            if n > max_rows + 1 and any(v is not None for v in cells):
                raise TableError(f"表格超过 {max_rows} 行（不含表头），请分批导入")
    except csv.Error:
        raise TableError("CSV 文件格式有误（引号不成对或单元格过长）") from None
    return table


def _check_width(cells: list[Any], n: int, max_cols: int) -> None:
    if len(cells) > max_cols and any(v is not None for v in cells[max_cols:]):
        raise TableError(f"第{n}行超过 {max_cols} 列，请只保留模板中的列")


# -- .xlsx ----------------------------------------------------------------------------------------------


def _read_xlsx(data: bytes, *, max_rows: int, max_cols: int, deadline: float) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TableError(_UNREADABLE) from None
    with zf:
        _check_zip(zf)
        sheet = _first_sheet_part(zf)
        _scan_sheet(zf, sheet, max_rows=max_rows, max_cols=max_cols, deadline=deadline)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        raise TableError(_UNREADABLE) from None
    try:
        return _sheet_values(wb.worksheets[0], max_rows=max_rows, max_cols=max_cols, deadline=deadline)
    except TableError:
        raise
    except Exception:
        raise TableError(_UNREADABLE) from None
    finally:
        wb.close()


def _check_zip(zf: zipfile.ZipFile) -> None:
    """Sizes and ratios from the central directory, before anything is unpacked."""
    entries = zf.infolist()
    if len(entries) > MAX_ENTRIES:
        raise TableError(f"文件结构异常（含 {len(entries)} 个部件），不是正常的 Excel 表格")
    total = 0
    for info in entries:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_ENTRY_RATIO * max(info.compress_size, 1):
            raise TableError("文件压缩比异常（疑似压缩炸弹），已拒绝读取")
        if info.flag_bits & 0x1:
            raise TableError("文件已加密：请在 Excel 中取消密码保护后再上传")
    if total > MAX_UNCOMPRESSED:
        raise TableError(
            f"表格解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB，请删除多余的工作表、图片和格式后分批导入"
        )


def _xml_root(zf: zipfile.ZipFile, name: str) -> ET.Element:
    try:
        return ET.fromstring(zf.read(name))  # small parts only (checked sizes); expat limits entities
    except Exception:  # missing, broken, encrypted or not XML
        raise TableError(_UNREADABLE) from None


def _first_sheet_part(zf: zipfile.ZipFile) -> str:
    """The zip entry of the workbook's first sheet (what openpyxl's worksheets[0] reads)."""
    workbook = _xml_root(zf, "xl/workbook.xml")
    rels = _xml_root(zf, "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target") or "" for r in rels if r.tag.endswith("Relationship")}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(_REL_ID))
        if target:
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            if part in zf.namelist() and "worksheets/" in part:
                return part
    raise TableError("文件中没有工作表")


def _scan_sheet(zf: zipfile.ZipFile, part: str, *, max_rows: int, max_cols: int, deadline: float) -> None:
    """Stream the sheet's XML once and stop at the first thing past a cap."""
    max_cells = (max_rows + 1) * max_cols * 4  # cells with only a format count too: bounded time
    cells = rows_with_values = 0
    local: dict[str, str] = {}
    try:
        parent: ET.Element | None = None
        for event, elem in ET.iterparse(zf.open(part), events=("start", "end")):
            tag = local.get(elem.tag) or local.setdefault(elem.tag, elem.tag.rsplit("}", 1)[-1])
            if event == "start":
                if tag == "sheetData":
                    parent = elem
            elif tag == "c":
                cells += 1
                if cells > max_cells or (cells % 1000 == 0 and time.monotonic() > deadline):
                    raise TableError("表格单元格过多或读取超时：请删除多余的行、列和格式后重试")
                if len(elem) and _column(elem.get("r")) > max_cols:
                    raise TableError(f"表格超过 {max_cols} 列，请只保留模板中的列")
            elif tag == "row":
                if any(len(c) for c in elem):
                    rows_with_values += 1
                    if rows_with_values > max_rows + 1:
                        raise TableError(f"表格超过 {max_rows} 行（不含表头），请分批导入")
                if parent is not None:
                    parent.remove(elem)
            elif tag == "dimension":
                _check_dimension(elem.get("ref") or "", max_rows, max_cols)
    except TableError:
        raise
    except Exception:  # a broken or encrypted entry, bad XML, an unsupported compression: unreadable
        raise TableError(_UNREADABLE) from None


@functools.lru_cache(maxsize=4096)
def _column_index(letters: str) -> int:
    from openpyxl.utils.cell import column_index_from_string

    return column_index_from_string(letters)


def _column(ref: str | None) -> int:
    letters = (ref or "").rstrip("0123456789")
    return _column_index(letters) if letters.isalpha() else 0


def _check_dimension(ref: str, max_rows: int, max_cols: int) -> None:
    """The used range the sheet declares; formatted empty cells count in it, hence the margin."""
    from openpyxl.utils.cell import range_boundaries

    try:
        _, _, max_col, max_row = range_boundaries(ref.split(" ")[0])
    except (ValueError, TypeError):
        return  # no or odd dimension: the streaming caps still apply
    if (max_col or 0) > max(4 * max_cols, 256) or (max_row or 0) > max(10 * max_rows, 10_000):
        raise TableError(
            f"表格范围过大（{ref}）：最多 {max_rows} 行、{max_cols} 列，请删除多余的行、列和格式后重试"
        )


def _sheet_values(ws: Any, *, max_rows: int, max_cols: int, deadline: float) -> list[list[Any]]:
    """Values of the first rows and columns; a formula or error cell is a problem, reported by row and
    the header's name of its column."""
    table: list[list[Any]] = []
    problems: list[tuple[int, int, str]] = []
    for n, cells in enumerate(ws.iter_rows(min_row=1, max_row=max_rows + 1, max_col=max_cols), start=1):
        if time.monotonic() > deadline:
            raise TableError("读取表格超时：请删除多余的行、列和格式后重试")
        values: list[Any] = []
        for i, cell in enumerate(cells):
            if cell.data_type == "f":
                problems.append((n, i, "是公式，请粘贴为数值"))
                values.append(None)
            elif cell.data_type == "e":
                problems.append((n, i, f"是错误值 {cell.value}，请改为数值"))
                values.append(None)
            else:
                values.append(_clean(cell.value))
        table.append(values)
    if problems:
        header = table[0] if table else []
        details = [cell_problem(n, _header_name(header, i), why) for n, i, why in problems]
        shown = "；".join(d["msg"] for d in details[:5])
        more = f" 等 {len(details)} 处" if len(details) > 5 else ""
        raise TableError(f"表格中有公式或错误值：{shown}{more}", details=details)
    return table


def _header_name(header: list[Any], i: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    name = str(header[i]).strip() if i < len(header) and header[i] is not None else ""
    return name or f"{get_column_letter(i + 1)}列"


# -- values -----------------------------------------------------------------------------------------


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)


def parse_date(value: Any) -> dt.date:
    """A date as typed or stored in a sheet: a date cell, an Excel serial number (45352), or text
    2027-03-01, 2027/3/1, 2027.3.1, 2027年3月1日, 20270301 (full-width digits too). ValueError else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, int | float):
        if not 1 <= value <= 2_958_465 or value != int(value):  # 9999-12-31
            raise ValueError("not an Excel serial date")
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.match(text)
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    if text.isdigit() and len(text) == 8:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if text.isdigit() and len(text) <= 6:
        return parse_date(int(text))
    raise ValueError("not a date")


_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def parse_level(value: Any) -> int:
    """A level as written in Chinese documents: 二级, 第二级, 2级, 第2级, 等保二级, 2 → 2. ValueError else."""
    if isinstance(value, bool):
        raise ValueError("not a level")
    if isinstance(value, int | float):
        if value != int(value):
            raise ValueError("not a level")
        return int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    text = text.removeprefix("等保").removeprefix("等级保护").removeprefix("第").removesuffix("级")
    if text.isdigit():
        return int(text)
    if text in _NUMERALS:
        return _NUMERALS[text]
    raise ValueError("not a level")


# -- writing ----------------------------------------------------------------------------------------


def safe_cell(value: Any) -> Any:
    """A value as written to a spreadsheet cell: text that a spreadsheet would take as a formula
    (= + - @, tab, carriage return first) is kept as text by an apostrophe in front; anything else
    unchanged. Use on every user-supplied value the platform writes to .xlsx or .csv."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """`safe_cell` of each value."""
    return [safe_cell(v) for v in values]


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text line by line (for a streaming response), each value through `safe_cell`."""

    class _Line:
        def write(self, text: str) -> str:
            return text

    writer = csv.writer(_Line())
    for row in rows:
        yield writer.writerow(safe_row(row))
