"""The overview as JSON (API) and as an Excel workbook (the page's export). A cell that a spreadsheet
would read as a formula (starting with = + - @, a tab or a carriage return) is written with a leading
apostrophe, so that a system's name cannot run as a formula in the authority's Excel (CSV/formula
injection)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from .selectors import Overview

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value as a cell: text that would start a formula gets an apostrophe in front."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def overview_json(ov: Overview) -> dict[str, Any]:
    now = timezone.now()
    return {
        "today": ov.today.isoformat(),
        "systems_by_level": ov.by_level,
        "evaluation": {
            "level3_and_above": ov.level3_total,
            "current": ov.evaluation_current,
            "overdue": ov.evaluation_overdue,
            "missing": ov.evaluation_missing,
            "share_current": ov.evaluation_share,
        },
        "open_high_risks": ov.high_risk_count,
        "high_risks": [
            {"system": r.system.reference, "risk": r.name, "value": r.value, "due_date": r.due_date}
            for r in ov.high_risks
        ],
        "open_incidents": [
            {
                "reference": i.reference,
                "title": i.title,
                "grade": i.grade,
                "report_deadline": i.report_deadline,
                "minutes_remaining": i.minutes_remaining(now),
                "reported_late": i.reported_late,
            }
            for i in ov.open_incidents
        ],
        "late_reports": ov.late_reports,
        "unreported_past_deadline": ov.unreported_overdue,
        "overdue_rectifications": {"findings": ov.overdue_findings, "hidden_dangers": ov.overdue_dangers},
        "open_incident_count": ov.open_incident_count,
        "flagged_without_plan_or_drill": [s.reference for s in ov.flagged_plans],
        "flagged_without_plan_or_drill_count": ov.flagged_count,
        "per_jurisdiction": [
            {**vars(r), "overdue_rectifications": r.overdue_rectifications} for r in ov.rows
        ],
    }


def overview_xlsx(ov: Overview) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="按辖区")
    ws.append(["行政区域", "信息系统", "三级以上", "测评逾期", "未处置高风险", "整改逾期", "处置中事件"])
    for r in ov.rows:
        ws.append(
            [
                safe_cell(r.name),
                r.systems,
                r.level3,
                r.overdue_evaluations,
                r.high_risks,
                r.overdue_rectifications,
                r.open_incidents,
            ]
        )
    risks = wb.create_sheet(title="未处置高风险")
    risks.append(["系统编号", "系统名称", "风险", "风险值", "处置期限"])
    for risk in ov.high_risks:
        risks.append(
            [
                risk.system.reference,
                safe_cell(risk.system.title),
                safe_cell(risk.name),
                risk.value,
                risk.due_date,
            ]
        )
    flagged = wb.create_sheet(title="缺预案或演练")
    flagged.append(["系统编号", "系统名称", "所属单位", "安全保护等级"])
    for s in ov.flagged_plans:
        flagged.append([s.reference, safe_cell(s.title), safe_cell(s.owner.name), s.level])
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    wb.save(response)
    filename = f"信息安全总览-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
