"""Excel import of proposals for the annual plan: validated row by row, all or nothing."""

import io

import pytest
from openpyxl import Workbook

from infogov.core.errors import InvalidInput
from infogov.projects.imports import HEADERS, import_proposals
from infogov.projects.models import Project

pytestmark = [pytest.mark.django_db, pytest.mark.article(9)]


def row(title, budget="300000.00", funding="财政性资金", **kw):
    values = {
        "项目名称": title,
        "项目类别": "应用系统",
        "资金性质": funding,
        "预算来源": "2026年县本级预算",
        "预算金额（元）": budget,
        "建设年度": 2026,
        "建设内容": f"{title}的建设内容",
        "执行标准": "GB 17859-1999、GB 18030-2022",
        **kw,
    }
    return [values.get(h) for h in HEADERS]


def workbook(*rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_all_rows_imported_and_submitted(walker):
    created = import_proposals(user=walker.owner, data=workbook(row("项目甲"), row("项目乙")))
    assert [p.state for p in created] == ["proposed", "proposed"]
    assert set(Project.objects.values_list("title", flat=True)) == {"项目甲", "项目乙"}


def test_one_bad_row_imports_nothing_and_names_row_and_column(walker):
    data = workbook(row("项目甲"), row("项目乙", budget="十万"), row("项目丙", 计划开工="2026-13-01"))
    with pytest.raises(InvalidInput) as exc:
        import_proposals(user=walker.owner, data=data)
    details = exc.value.details
    assert {(d["row"], d["column"]) for d in details} == {(3, "预算金额（元）"), (4, "计划开工")}
    assert "第 3 行“预算金额（元）”" in details[0]["msg"]
    assert not Project.objects.exists()


def test_non_fiscal_and_missing_budget_source_are_row_errors(walker):
    data = workbook(row("项目甲", funding="非财政性资金"), row("项目乙", 预算来源=None))
    with pytest.raises(InvalidInput) as exc:
        import_proposals(user=walker.owner, data=data)
    assert {(d["row"], d["column"]) for d in exc.value.details} == {(2, "资金性质"), (3, "预算来源")}


def test_not_a_workbook(walker):
    with pytest.raises(InvalidInput):
        import_proposals(user=walker.owner, data=b"not excel")
