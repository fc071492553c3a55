"""Excel (.xlsx) or CSV import of a department's proposals for the annual construction plan (第九条第一款).

The file is read by core/tabular.py (sizes, ratios and sheet dimensions checked before parsing; a
formula cell is named as such; CSV in UTF-8, UTF-8 with BOM or GBK/GB18030). Every row is checked
first; if any cell is wrong nothing is imported and the report lists each error with its row and
column, in Chinese. Otherwise all rows are registered and submitted in one transaction (all or
nothing). Dates are understood as people type them (2027/3/1, 2027年3月1日, Excel dates) and the
security protection level as 二级 / 第二级 / 2级 / 2."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from infogov.core.errors import InvalidInput
from infogov.core.tabular import cell_problem, parse_date, parse_level, read_rows
from infogov.core.text import clean_name
from infogov.core.workflow.payloads import EARLIEST_DATE, LATEST_DATE

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
TEXT_LIMITS = {"title": 200, "budget_source": 200, "special_fund": 200}  # others: 5000
# one example row, shown on the template's second sheet
EXAMPLE = {
    "项目名称": "吉林市社区网格化服务管理平台",
    "项目类别": "应用系统",
    "资金性质": "财政性资金",
    "预算来源": "2027年市本级财政预算",
    "专项资金": "信息化发展专项资金",
    "预算金额（元）": 1200000,
    "建设年度": 2027,
    "建设内容": "建设网格员巡查上报、事件分拨处置和居民诉求办理系统，对接市政务数据共享交换平台。",
    "计划开工": "2027/3/1",
    "计划竣工": "2027年12月31日",
    "接入网络": "电子政务外网",
    "部署方式": "政务云",
    "安全保护等级": "第二级",
    "信息安全保障方案": "按第二级等级保护要求建设边界防护和日志审计。",
    "安全措施": "边界防护、日志审计",
    "执行标准": "GB 17859-1999、GB 18030-2022",
}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        if not self.column:
            return {
                "row": self.row,
                "column": "",
                "message": self.message,
                "msg": f"第{self.row}行：{self.message}",
            }
        return cell_problem(self.row, self.column, "：" + self.message) | {"message": self.message}


def template_workbook() -> bytes:
    """The import template: the header with drop-down lists on the columns that take a fixed set of
    values (rows 2–501), and a second sheet with an example row (the import reads the first sheet)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "项目申报"
    ws.append(HEADERS)
    ws.freeze_panes = "A2"
    lists = {
        "项目类别": list(Category.labels),
        "资金性质": [str(FundingKind.FISCAL.label)],
        "接入网络": list(Network.labels),
        "部署方式": list(Hosting.labels),
        "安全保护等级": ["第一级", "第二级", "第三级", "第四级", "第五级"],
    }
    for i, (header_, _, required) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = 14 if header_ not in ("项目名称", "建设内容") else 30
        if required:
            ws.cell(row=1, column=i).font = Font(bold=True)
            ws.cell(row=1, column=i).fill = PatternFill("solid", fgColor="FFF2CC")
        cells = f"{letter}2:{letter}{MAX_ROWS + 1}"
        if header_ in lists:
            dv = DataValidation(type="list", formula1='"' + ",".join(lists[header_]) + '"', allow_blank=True)
            dv.error, dv.errorTitle = "请从下拉列表中选择", "输入值无效"
            dv.add(cells)
            ws.add_data_validation(dv)
        elif header_ in ("计划开工", "计划竣工"):
            dv = DataValidation(
                type="date", operator="between", formula1="DATE(1949,10,1)", formula2="DATE(2100,12,31)"
            )
            dv.error, dv.errorTitle = "请填写日期，如 2027/3/1", "日期无效"
            dv.add(cells)
            ws.add_data_validation(dv)
    example = wb.create_sheet("填写示例")
    example.append(HEADERS)
    example.append([EXAMPLE.get(h) for h in HEADERS])
    example.append([])
    example.append(["说明：导入时只读取第一个工作表；加粗的列必填；日期可写 2027/3/1 或 2027年3月1日；"])
    example.append(["安全保护等级可写“第二级”“二级”或 2；安全措施、执行标准多项之间用顿号分隔。"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _choice(value: Any, choices: Any) -> str | None:
    v = str(value).strip()
    by_label = {str(c.label): c.value for c in choices}
    return v if v in choices.values else by_label.get(v)


def _key(header_: str) -> str:
    """A header as compared: NFKC (（元） and (元) alike), no spaces, no required-marker star."""
    return unicodedata.normalize("NFKC", header_).replace(" ", "").strip("*")


def _header_index(header: list[str]) -> dict[str, int]:
    """The columns by the template's header names; a header without a required column is refused."""
    found = {_key(h): i for i, h in reversed(list(enumerate(header))) if h}
    index = {h: found[_key(h)] for h, _, _ in COLUMNS if _key(h) in found}
    missing = [h for h, _, req in COLUMNS if req and h not in index]
    if missing:
        raise InvalidInput(
            "表头缺少列：" + "、".join(missing),
            code="invalid_header",
            details=[RowError(1, h, "缺少该列").as_dict() for h in missing],
        )
    return index


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
            text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip()
            d = Decimal(text.removeprefix("¥").removesuffix("元").strip())
            if not d.is_finite() or d <= 0 or d.as_tuple().exponent < -2:  # type: ignore[operator]
                raise InvalidOperation
            row[field] = d
        except (InvalidOperation, ValueError):
            err(header_, "须为大于零、最多两位小数的金额（元）")
    elif field == "year":
        try:
            v = _whole_number(value)
            if not 2015 <= v <= 2100:
                raise ValueError
            row[field] = v
        except ValueError:
            err(header_, "须为 2015–2100 的年份")
    elif field == "security_level":
        try:
            v = parse_level(value)
            if not 1 <= v <= 5:
                raise ValueError
            row[field] = v
        except ValueError:
            err(header_, "须为第一级至第五级（可写“第二级”“二级”或 2）")
    elif field in ("planned_start", "planned_completion"):
        try:
            day = parse_date(value)
        except ValueError:
            err(header_, "须为日期，如 2027/3/1 或 2027年3月1日")
        else:
            if EARLIEST_DATE <= day <= LATEST_DATE:
                row[field] = day
            else:
                err(header_, f"须在 {EARLIEST_DATE:%Y-%m-%d} 至 {LATEST_DATE:%Y-%m-%d} 之间")
    elif field in ("security_measures", "standards"):
        from .payloads import as_list
        from .standards import canonical

        items = as_list(value)
        if field == "standards":
            if any(c not in known_standards for c in items):  # another spelling ("GB18030")
                items = canonical(items, known_standards)
            unknown = [c for c in items if c not in known_standards]
            if unknown:
                err(header_, "标准目录中没有：" + "、".join(unknown))
        row[field] = items
    else:
        limit = TEXT_LIMITS.get(field, 5000)
        text = clean_name(str(value)) if field in TEXT_LIMITS else str(value).strip()
        if len(text) > limit:
            err(header_, f"不能超过 {limit} 字")
        row[field] = text


def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if value != int(value):
            raise ValueError
        return int(value)
    return int(unicodedata.normalize("NFKC", str(value)).strip().removesuffix("年"))


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


def parse(data: Any, filename: str = "") -> tuple[list[dict[str, Any]], list[RowError]]:
    """Rows as project fields, and every error found (row numbers as Excel shows them). A file that
    cannot be read as a table within the caps, or holds formulas, raises TableError (a 422)."""
    out, _, errors = parse_numbered(data, filename)
    return out, errors


def parse_numbered(data: Any, filename: str = "") -> tuple[list[dict[str, Any]], list[int], list[RowError]]:
    """parse(), with each row's number as Excel shows it."""
    header, rows = read_rows(data, filename, max_rows=MAX_ROWS)
    index = _header_index(header)
    known_standards = set(Standard.objects.values_list("code", flat=True))
    out: list[dict[str, Any]] = []
    numbers: list[int] = []
    errors: list[RowError] = []
    titles: dict[str, int] = {}
    for n, raw in enumerate(rows, start=2):
        if all(v is None or str(v).strip() == "" for v in raw):
            continue
        row, row_errors = _parse_row(n, raw, index, known_standards, titles)
        errors.extend(row_errors)
        out.append(row)
        numbers.append(n)
    if not out and not errors:
        errors.append(RowError(2, "", "表中没有数据行"))
    return out, numbers, errors


def import_proposals(*, user: Any, data: Any, filename: str = "", submit: bool = True) -> list[Any]:
    """Register every row as a proposal of the user's organisation, or none at all, and submit them
    (in the worker, `submit_imported`; at once where huey runs tasks immediately). The projects as
    they are when this returns."""
    from .models import Project

    created, _ = start_import(user=user, data=data, filename=filename, submit=submit)
    fresh = Project.objects.in_bulk([p.pk for p in created])
    return [fresh[p.pk] for p in created]


def start_import(
    *, user: Any, data: Any, filename: str = "", submit: bool = True
) -> tuple[list[Any], str | None]:
    """Check every row, register them all in one transaction (the declared create step for a batch,
    core.workflow.bulk.create_many), then queue their submission (the declared step for the batch,
    import_submit); returns the projects and the import's id (None when not submitting), whose
    record (import_progress) shows how far the submission has come. Must not run inside an outer
    transaction: the worker reads the registered projects."""
    rows, numbers, errors = parse_numbered(data, filename)
    if errors:
        raise InvalidInput(
            f"导入失败：{len(errors)} 处错误，未导入任何项目",
            code="import_invalid",
            details=[e.as_dict() for e in errors],
        )
    created = register(user=user, rows=rows)
    if not submit:
        return created, None
    from .import_progress import new_record
    from .tasks import import_submit

    job = new_record(user, created, numbers)
    import_submit(user.pk, [p.pk for p in created], job)
    return created, job


def register(*, user: Any, rows: list[dict[str, Any]]) -> list[Any]:
    """Each row as a draft of the user's organisation, as services.project_create registers one (the
    same actor rule, fields, search column and declared standards), in one transaction."""
    from infogov.core.text import search_column
    from infogov.core.workflow.bulk import create_many
    from infogov.core.workflow.rules import RuleContext

    from . import rules as r
    from .models import Project

    owner = user.organisation
    r.require(owner, RuleContext(user=user), r.registers_for_own_unit)
    fields, declared = [], []
    for row in rows:
        row = dict(row)
        declared.append(row.pop("standards", []))
        unknown = set(row) - services.EDITABLE_FIELDS
        if unknown:
            raise InvalidInput("不能设置的字段：" + "、".join(sorted(unknown)), code="readonly_field")
        row["search_text"] = search_column(row.get("title", ""), row.get("content", ""))
        fields.append({**row, "owner": owner, "jurisdiction": owner.jurisdiction})
    with transaction.atomic():
        projects = create_many(Project, user=user, rows=fields)
        catalogue = dict(Standard.objects.values_list("code", "pk"))
        through = Project.standards.through
        links = [
            through(project_id=p.pk, standard_id=catalogue[code])
            for p, codes in zip(projects, declared, strict=True)
            for code in dict.fromkeys(codes)
            if code in catalogue
        ]
        through.objects.bulk_create(links, batch_size=1000)
    return projects


def import_status(job: str, ids: list[int] | None) -> dict[str, Any] | None:
    """How far an import's submission has come (the import page: the ids it kept in the session):
    import_progress.status. None for a job this session did not start."""
    from .import_progress import status

    if not ids:
        return None
    return status(job, ids)
