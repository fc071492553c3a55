"""Excel import of proposals for the annual plan: validated row by row, all or nothing."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from infogov.core.errors import InvalidInput
from infogov.projects.imports import HEADERS, import_proposals, parse, template_workbook
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
    assert details[0]["msg"].startswith("第3行「预算金额（元）」：须为")
    assert not Project.objects.exists()


def test_non_fiscal_and_missing_budget_source_are_row_errors(walker):
    data = workbook(row("项目甲", funding="非财政性资金"), row("项目乙", 预算来源=None))
    with pytest.raises(InvalidInput) as exc:
        import_proposals(user=walker.owner, data=data)
    assert {(d["row"], d["column"]) for d in exc.value.details} == {(2, "资金性质"), (3, "预算来源")}


def test_not_a_workbook(walker):
    with pytest.raises(InvalidInput):
        import_proposals(user=walker.owner, data=b"not excel")


# -- formats, values and crafted files (issue 10, bad input) -------------------------------------------


def csv_bytes(*rows, encoding="utf-8-sig") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    for r in rows:
        writer.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_bom_and_gbk_is_imported(walker, encoding):
    data = csv_bytes(
        row("项目甲", 计划开工="2026/3/1", 计划竣工="2026年12月31日", 安全保护等级="二级"), encoding=encoding
    )
    [project] = import_proposals(user=walker.owner, data=data, filename="申报.csv")
    assert (project.title, project.security_level) == ("项目甲", 2)
    assert (project.planned_start, project.planned_completion) == (dt.date(2026, 3, 1), dt.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("level", "expected"), [("第三级", 3), ("二级", 2), ("2级", 2), (2, 2), ("等保三级", 3)]
)
def test_protection_levels_as_people_write_them(walker, level, expected):
    [project] = import_proposals(user=walker.owner, data=workbook(row("项目甲", 安全保护等级=level)))
    assert project.security_level == expected


def test_excel_dates_and_typed_dates_are_understood(walker):
    data = workbook(
        row("项目甲", 计划开工=dt.date(2026, 3, 1), 计划竣工="2026年12月31日"),
        row("项目乙", 计划开工=46082, 计划竣工="2026-12-31"),  # 46082: Excel's serial for 2026-03-01
    )
    created = import_proposals(user=walker.owner, data=data)
    assert {p.planned_start for p in created} == {dt.date(2026, 3, 1)}


def test_dates_outside_the_window_and_levels_out_of_range_are_row_errors(walker):
    data = workbook(
        row("项目甲", 计划开工="1899/12/31"),
        row("项目乙", 安全保护等级="六级"),
        row("项目丙", 计划开工="0001-01-01"),
    )
    with pytest.raises(InvalidInput) as exc:
        import_proposals(user=walker.owner, data=data)
    assert {(d["row"], d["column"]) for d in exc.value.details} == {
        (2, "计划开工"),
        (3, "安全保护等级"),
        (4, "计划开工"),
    }
    assert not Project.objects.exists()


def test_a_formula_cell_is_named_as_a_formula(walker):
    data = workbook(row('=CONCAT("项目","甲")', 建设内容="内容"), row("项目乙", budget="=1000*300"))
    with pytest.raises(InvalidInput) as exc:
        import_proposals(user=walker.owner, data=data)
    msgs = [d["msg"] for d in exc.value.details]
    assert msgs == ["第2行「项目名称」是公式，请粘贴为数值", "第3行「预算金额（元）」是公式，请粘贴为数值"]
    assert "不能为空" not in exc.value.message


def test_whitespace_only_title_is_empty(walker):
    with pytest.raises(InvalidInput) as exc:
        import_proposals(user=walker.owner, data=workbook(row(" \u3000 ")))
    assert [(d["row"], d["column"], d["message"]) for d in exc.value.details] == [(2, "项目名称", "不能为空")]


def test_headers_with_ascii_parentheses_are_recognised(walker):
    wb = Workbook()
    ws = wb.active
    ws.append([h.replace("（", "(").replace("）", ")") for h in HEADERS])
    ws.append(row("项目甲"))
    buf = io.BytesIO()
    wb.save(buf)
    assert len(import_proposals(user=walker.owner, data=buf.getvalue())) == 1


def test_more_than_500_rows_refused_before_any_row_is_read(walker):
    data = csv_bytes(*[row(f"项目{i}") for i in range(501)])
    with pytest.raises(InvalidInput) as exc:
        import_proposals(user=walker.owner, data=data, filename="a.csv")
    assert "500" in exc.value.message


def test_template_has_drop_downs_and_an_example_row(walker):
    wb = load_workbook(io.BytesIO(template_workbook()))
    sheet, example = wb.worksheets
    assert [c.value for c in sheet[1]] == HEADERS and sheet.max_row == 1
    lists = {str(dv.sqref)[:1]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    column = {h: chr(ord("A") + i) for i, h in enumerate(HEADERS)}
    assert "应用系统" in lists[column["项目类别"]] and "第二级" in lists[column["安全保护等级"]]
    assert "电子政务外网" in lists[column["接入网络"]] and "政务云" in lists[column["部署方式"]]
    assert [c.value for c in example[1]] == HEADERS and example["A2"].value
    # the example row itself is a valid import
    buf = io.BytesIO()
    single = Workbook()
    single.active.append(HEADERS)
    single.active.append([example.cell(row=2, column=i + 1).value for i in range(len(HEADERS))])
    single.save(buf)
    rows, errors = parse(buf.getvalue())
    assert errors == [] and rows[0]["security_level"] == 2


# -- the batch registration and the submission with progress -----------------------------------------


def test_batch_registration_is_the_create_step_with_its_docket(walker):
    from infogov.core.docket import verify as docket_verify
    from infogov.core.models import DocketEvent
    from infogov.projects.imports import start_import

    created, job = start_import(user=walker.owner, data=workbook(row("项目甲"), row("项目乙")), submit=False)
    assert job is None
    one = walker.create(title="逐个登记的项目")  # services.project_create: the single-case path
    for p in Project.objects.filter(pk__in=[c.pk for c in created]):
        assert p.state == "draft" and p.reference == f"XM-{p.created_at.year}-{p.pk:06d}"
        assert p.owner_id == walker.owner.organisation_id and p.search_text.strip()
        assert sorted(p.standards.values_list("code", flat=True)) == ["GB 17859-1999", "GB 18030-2022"]
        event = DocketEvent.objects.for_case(p).get()
        assert (event.seq, event.action, event.to_state, event.actor_id) == (
            1,
            "create",
            "draft",
            walker.owner.pk,
        )
        assert set(event.payload) == set(DocketEvent.objects.for_case(one).get().payload)
    assert docket_verify.verify().ok


def test_import_page_shows_the_submission_progress(walker, client):
    client.force_login(walker.owner)
    data = workbook(row("项目甲"), row("项目乙"))
    response = client.post("/projects/import/", {"file": SimpleUploadedFile("申报.xlsx", data)})
    assert response.status_code == 303 and "?job=" in response["Location"]
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "申报完成" in html and "已申报 <strong>2</strong> / 2" in html
    assert set(Project.objects.values_list("state", flat=True)) == {"proposed"}
    other = client.get("/projects/import/?job=not-mine")
    assert other.status_code == 200 and "import-progress" not in other.content.decode()


def test_a_refused_submission_is_listed_and_stays_a_draft(walker):
    """A row the submit step's guards refuse (here: its budget source emptied after registration) stays
    a draft; the others are submitted; the record names the row, the rule and the article."""
    from infogov.projects import import_progress, imports
    from infogov.projects.import_submit import submit_imported

    created, _ = imports.start_import(
        user=walker.owner, data=workbook(row("项目甲"), row("项目乙")), submit=False
    )
    Project.objects.filter(title="项目乙").update(budget_source="")
    job = import_progress.new_record(walker.owner, created, [2, 3])
    result = submit_imported(walker.owner.pk, [p.pk for p in created], job)
    assert result["submitted"] == 1
    status = imports.import_status(job, [p.pk for p in created])
    assert status["finished"] and status["submitted"] == 1 and status["total"] == 2
    [refused] = import_progress.progress(job, walker.owner)["refused"]
    assert (refused["row"], refused["title"], refused["article"]) == (3, "项目乙", "第三条")
    assert refused["code"] and "预算" in refused["message"]
    assert Project.objects.get(title="项目乙").state == "draft"
    assert Project.objects.get(title="项目甲").state == "proposed"
