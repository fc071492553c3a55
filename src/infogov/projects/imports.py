"""Excel import of a department's proposals for the annual construction plan (第九条第一款).

Every row is checked first; if any cell is wrong nothing is imported and the report lists each
error with its row and column, in Chinese. Otherwise all rows are registered and submitted in one
transaction (all or nothing)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from infogov.core.errors import DomainError, InvalidInput

from . import services
from .choices import Category, FundingKind, Hosting, Network
from .models import Standard

# (header, field, required)
COLUMNS: list[tuple[str, str, bool]] = [
    ("项目名称", "title", True),
    ("项目类别", "category", True),
    ("资金性质", "funding_kind", True),
    ("预算来源", "budget_source", False),
    ("专项资金", "special_fund", False),
    ("预算金额（元）", "budget", True),
    ("建设年度", "year", True),
    ("建设内容", "content", True),
    ("计划开工", "planned_start", False),
    ("计划竣工", "planned_completion", False),
    ("接入网络", "network", False),
    ("部署方式", "hosting", False),
    ("安全保护等级", "security_level", False),
    ("信息安全保障方案", "security_plan", False),
    ("安全措施", "security_measures", False),
    ("执行标准", "standards", False),
]
HEADERS = [c[0] for c in COLUMNS]
MAX_ROWS = 500


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "msg": f"第 {self.row} 行“{self.column}”：{self.message}",
        }


def template_workbook() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "项目申报"
    ws.append(HEADERS)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _choice(value: Any, choices: Any) -> str | None:
    v = str(value).strip()
    by_label = {str(c.label): c.value for c in choices}
    return v if v in choices.values else by_label.get(v)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def _header_index(data: bytes) -> tuple[dict[str, int], Any]:
    """The columns of the first sheet by header, and the rows below the header; a file that is not a
    workbook, or a header without a required column, is refused."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        raise InvalidInput("无法读取文件：请上传 Excel（.xlsx）文件", code="invalid_workbook")
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    missing = [h for h, _, req in COLUMNS if req and h not in header]
    if missing:
        raise InvalidInput(
            "表头缺少列：" + "、".join(missing),
            code="invalid_header",
            details=[
                {"row": 1, "column": h, "message": "缺少该列", "msg": f"第 1 行缺少“{h}”列"} for h in missing
            ],
        )
    return {h: i for i, h in enumerate(header)}, rows


def _set_cell(
    row: dict[str, Any], field: str, header_: str, value: Any, known_standards: set[str], err: Any
) -> None:
    """The cell's value as the project field (into `row`), or its error (through `err`)."""
    if field == "category":
        row[field] = _choice(value, Category) or err(header_, "须为：" + "、".join(Category.labels))
    elif field == "funding_kind":
        row[field] = _choice(value, FundingKind) or err(header_, "须为：财政性资金 或 非财政性资金")
    elif field == "network":
        row[field] = _choice(value, Network) or err(header_, "须为：" + "、".join(Network.labels))
    elif field == "hosting":
        row[field] = _choice(value, Hosting) or err(header_, "须为：" + "、".join(Hosting.labels))
    elif field == "budget":
        try:
            d = Decimal(str(value).replace(",", "").strip())
            if not d.is_finite() or d <= 0 or d.as_tuple().exponent < -2:  # type: ignore[operator]
                raise InvalidOperation
            row[field] = d
        except (InvalidOperation, ValueError):
            err(header_, "须为大于零、最多两位小数的金额（元）")
    elif field in ("year", "security_level"):
        try:
            v = int(str(value).strip().removesuffix("级").removeprefix("第"))
            if field == "year" and not 2015 <= v <= 2100:
                raise ValueError
            if field == "security_level" and not 1 <= v <= 5:
                raise ValueError
            row[field] = v
        except ValueError:
            err(header_, "须为 2015–2100 的年份" if field == "year" else "须为 1–5")
    elif field in ("planned_start", "planned_completion"):
        try:
            row[field] = _date(value)
        except ValueError:
            err(header_, "须为日期，如 2026-03-01")
    elif field in ("security_measures", "standards"):
        from .payloads import as_list

        items = as_list(value)
        if field == "standards":
            unknown = [c for c in items if c not in known_standards]
            if unknown:
                err(header_, "标准目录中没有：" + "、".join(unknown))
        row[field] = items
    else:
        text = str(value).strip()
        limit = 200 if field in ("title", "budget_source", "special_fund") else 5000
        if len(text) > limit:
            err(header_, f"不能超过 {limit} 字")
        row[field] = text


def _check_row(row: dict[str, Any], n: int, titles: dict[str, int], err: Any) -> None:
    """What a row's cells say together: funding (第三条、第九条第一款), dates, a title given twice."""
    if row.get("funding_kind") == FundingKind.FISCAL and not row.get("budget_source"):
        err("预算来源", "财政性资金项目须写明预算来源（第三条）")
    if row.get("funding_kind") == FundingKind.NON_FISCAL:
        err("资金性质", "年度建设计划只收使用财政性资金的项目（第九条第一款）；非财政性资金项目请办理备案")
    start, end = row.get("planned_start"), row.get("planned_completion")
    if start and end and end < start:
        err("计划竣工", "不能早于计划开工")
    title = row.get("title")
    if title:
        if title in titles:
            err("项目名称", f"与第 {titles[title]} 行重复")
        titles.setdefault(title, n)


def _parse_row(
    n: int, raw: Any, index: dict[str, int], known_standards: set[str], titles: dict[str, int]
) -> tuple[dict[str, Any], list[RowError]]:
    """Row `n` (as Excel numbers it) as project fields, and its errors."""
    cells = {h: raw[i] if i < len(raw) else None for h, i in index.items()}
    row: dict[str, Any] = {}
    row_errors: list[RowError] = []

    def err(col: str, msg: str) -> Any:
        row_errors.append(RowError(n, col, msg))

    for header_, field, required in COLUMNS:
        value = cells.get(header_)
        if value is None or str(value).strip() == "":
            if required:
                err(header_, "不能为空")
            continue
        _set_cell(row, field, header_, value, known_standards, err)
    _check_row(row, n, titles, err)
    return {k: v for k, v in row.items() if v is not None}, row_errors


def parse(data: bytes) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Rows as project fields, and every error found (row numbers as Excel shows them)."""
    index, rows = _header_index(data)
    known_standards = set(Standard.objects.values_list("code", flat=True))
    out: list[dict[str, Any]] = []
    errors: list[RowError] = []
    titles: dict[str, int] = {}
    for n, raw in enumerate(rows, start=2):
        if raw is None or all(v is None or str(v).strip() == "" for v in raw):
            continue
        if len(out) >= MAX_ROWS:
            errors.append(RowError(n, "", f"一次最多导入 {MAX_ROWS} 行"))
            break
        row, row_errors = _parse_row(n, raw, index, known_standards, titles)
        errors.extend(row_errors)
        out.append(row)
    if not out and not errors:
        errors.append(RowError(2, "", "表中没有数据行"))
    return out, errors


def import_proposals(*, user: Any, data: bytes, submit: bool = True) -> list[Any]:
    """Register (and submit) every row as a proposal of the user's organisation, or none at all."""
    rows, errors = parse(data)
    if errors:
        raise InvalidInput(
            f"导入失败：{len(errors)} 处错误，未导入任何项目",
            code="import_invalid",
            details=[e.as_dict() for e in errors],
        )
    created = []
    with transaction.atomic():
        for n, row in enumerate(rows, start=2):
            standards = row.pop("standards", [])
            try:
                project = services.project_create(user=user, standards=standards, **row)
                if submit:
                    project = services.project_fire(project=project, user=user, name="submit")
            except DomainError as exc:
                raise InvalidInput(
                    f"导入失败：第 {n} 行：{exc.message}",
                    code="import_invalid",
                    article=exc.article,
                    details=[RowError(n, "", exc.message).as_dict()],
                ) from None
            created.append(project)
    return created
