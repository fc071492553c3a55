"""第七条: the annual score of each supervised plan by a published scoring sheet, and the table per
jurisdiction and department that goes into the city's annual performance assessment (Excel, JSON).

评分表（满分100分）:
- 指标完成情况（60分）: for each task, the reported value against the share of its target due by the
  assessed year (target × elapsed years of the task ÷ years to its target year, at most the target);
  the mean completion (each at most 100 %) × 60.
- 报送及时性（20分）: by 31 January (or the set due date) 20; up to 30 days late 10; later or not at all 0.
- 检查发现（20分）: 20, minus 5 for each general and 10 for each serious finding, at least 0; a plan not
  drawn for inspection keeps 20.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from infogov.org.choices import OrganisationKind
from infogov.org.models import Jurisdiction, Organisation

from .choices import FindingSeverity, PlanLevel, PlanState
from .deadlines import execution_due_date
from .models import ExecutionReport, Inspection, PlanScore, PlanVersion

SCORING_SHEET: list[dict[str, Any]] = [
    {
        "item": "指标完成情况",
        "points": 60,
        "rule": "各任务指标完成值与截至考核年度应完成目标值之比（不超过100%）的平均值 × 60",
    },
    {
        "item": "报送及时性",
        "points": 20,
        "rule": "按期（次年1月31日前）报送得20分；逾期30日内得10分；逾期超过30日或未报送得0分",
    },
    {
        "item": "检查发现",
        "points": 20,
        "rule": "20分起，每个一般问题扣5分，每个严重问题扣10分，扣完为止；未抽中检查的得20分",
    },
]
LATE_GRACE_DAYS = 30
Q2 = Decimal("0.01")


def _q(value: Decimal) -> Decimal:
    return value.quantize(Q2, rounding=ROUND_HALF_UP)


@dataclass
class Score:
    indicator: Decimal
    timeliness: Decimal
    findings: Decimal
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return _q(self.indicator + self.timeliness + self.findings)


def expected_share(task: Any, version: PlanVersion, year: int) -> Decimal:
    """How much of a task's target should be reached by the end of `year` (linear from the period start)."""
    if not task.target_year or year >= task.target_year:
        return Decimal(1)
    span = task.target_year - version.period_start + 1
    done = year - version.period_start + 1
    return Decimal(max(done, 0)) / Decimal(max(span, 1))


def score_version(version: PlanVersion, year: int, *, today: dt.date | None = None) -> Score:
    today = today or timezone.localdate()
    report = ExecutionReport.objects.filter(version=version, year=year).prefetch_related("progress").first()
    tasks = list(version.tasks.all())
    progress = {p.task_id: p.actual_value for p in report.progress.all()} if report else {}
    ratios = []
    for t in tasks:
        if t.target_value is None or t.target_value <= 0:
            continue
        expected = t.target_value * expected_share(t, version, year)
        actual = progress.get(t.pk) or Decimal(0)
        ratios.append(min(Decimal(1), actual / expected) if expected > 0 else Decimal(1))
    completion = sum(ratios, Decimal(0)) / len(ratios) if ratios else Decimal(0)
    indicator = _q(completion * 60)

    due = report.due_date if report else execution_due_date(year)
    if report is None:
        timeliness = Decimal(0)
        late = (today - due).days if today > due else 0
    else:
        late = report.days_late
        timeliness = Decimal(20) if late == 0 else Decimal(10) if late <= LATE_GRACE_DAYS else Decimal(0)

    inspection = Inspection.objects.filter(version=version, year=year).prefetch_related("findings").first()
    general = serious = 0
    if inspection is not None:
        for f in inspection.findings.all():
            if f.severity == FindingSeverity.SERIOUS:
                serious += 1
            else:
                general += 1
    findings = Decimal(max(0, 20 - 5 * general - 10 * serious))
    return Score(
        indicator=indicator,
        timeliness=timeliness,
        findings=findings,
        detail={
            "completion": str(_q(completion * 100)),
            "tasks": len(ratios),
            "reported": report is not None,
            "days_late": late,
            "inspected": inspection is not None,
            "general": general,
            "serious": serious,
        },
    )


# -- the table for the city's annual performance assessment ----------------------------------------

COLUMNS = [
    "类别",
    "考核对象",
    "行政区域",
    "规划",
    "规划编号",
    "指标完成得分",
    "报送及时性得分",
    "检查发现得分",
    "总分",
    "说明",
]


def _subject_row(
    kind: str, subject: str, jurisdiction: str, found: list[PlanScore], missing: str
) -> dict[str, Any]:
    """One row of the table: the subject's plans and their average scores, or 0 and why (`missing`)."""
    if not found:
        return {
            "类别": kind,
            "考核对象": subject,
            "行政区域": jurisdiction,
            "规划": "",
            "规划编号": "",
            "指标完成得分": 0,
            "报送及时性得分": 0,
            "检查发现得分": 0,
            "总分": 0,
            "说明": missing,
        }
    n = Decimal(len(found))

    def avg(attr: str) -> float:
        return float(_q(sum((getattr(s, attr) for s in found), Decimal(0)) / n))

    return {
        "类别": kind,
        "考核对象": subject,
        "行政区域": jurisdiction,
        "规划": "；".join(s.version.title for s in found),
        "规划编号": "；".join(s.version.reference for s in found),
        "指标完成得分": avg("indicator_score"),
        "报送及时性得分": avg("timeliness_score"),
        "检查发现得分": avg("findings_score"),
        "总分": avg("total"),
        "说明": "" if len(found) == 1 else f"{len(found)} 项规划的平均分",
    }


def _scores_of_year(year: int) -> tuple[dict[int, list[PlanScore]], dict[int, list[PlanScore]]]:
    """The year's scores: of local plans by jurisdiction, of the other plans by owner."""
    scores = list(
        PlanScore.objects.filter(year=year)
        .select_related("version__plan", "version__jurisdiction", "version__owner")
        .order_by("version__jurisdiction__sort_order", "version__id")
    )
    by_jurisdiction: dict[int, list[PlanScore]] = {}
    by_owner: dict[int, list[PlanScore]] = {}
    for s in scores:
        if s.version.plan.level == PlanLevel.LOCAL:
            by_jurisdiction.setdefault(s.version.jurisdiction_id, []).append(s)
        else:
            by_owner.setdefault(s.version.owner_id, []).append(s)
    return by_jurisdiction, by_owner


def assessment_rows(year: int) -> list[dict[str, Any]]:
    """Every county/district/zone (its local plan) and every department (its special plans) with its score.

    A jurisdiction or department without a plan in force that year is listed with 0 and the reason,
    so that the assessment shows who owes a plan as well as who scored."""
    by_jurisdiction, by_owner = _scores_of_year(year)
    rows = []
    # 第七条: the counties (county-level cities), districts and development zones directly below the city
    for j in Jurisdiction.objects.filter(parent__isnull=False, parent__parent__isnull=True).order_by(
        "sort_order", "code"
    ):
        rows.append(
            _subject_row(
                "县（市）区和开发区",
                j.name,
                j.name,
                by_jurisdiction.get(j.pk, []),
                "无施行中的本辖区规划或未计分",
            )
        )
    departments = (
        Organisation.objects.filter(
            Q(kind__in=(OrganisationKind.DEPARTMENT, OrganisationKind.PUBLIC_SERVICE))
            | Q(pk__in=list(by_owner))
        )
        .select_related("jurisdiction")
        .order_by("jurisdiction__sort_order", "kind", "name")
    )
    for org in departments:
        rows.append(
            _subject_row(
                "部门",
                org.name,
                org.jurisdiction.name,
                by_owner.get(org.pk, []),
                "无施行中的专项规划或未计分",
            )
        )
    return rows


def assessment_json(year: int) -> dict[str, Any]:
    return {"year": year, "scoring_sheet": SCORING_SHEET, "columns": COLUMNS, "rows": assessment_rows(year)}


def assessment_xlsx(year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年度规划执行考核"
    ws.append([f"吉林市{year}年度信息化发展规划执行情况考核结果（《吉林市信息化促进办法》第七条）"])
    ws["A1"].font = Font(bold=True)
    ws.append(COLUMNS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in assessment_rows(year):
        ws.append([r[c] for c in COLUMNS])
    for col, width in zip("ABCDEFGHIJ", (16, 28, 12, 40, 18, 12, 14, 12, 8, 30), strict=True):
        ws.column_dimensions[col].width = width
    sheet = wb.create_sheet("评分表")
    sheet.append(["评分项目", "分值", "计分规则"])
    for item in SCORING_SHEET:
        sheet.append([item["item"], item["points"], item["rule"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def supervised_versions(year: int) -> list[PlanVersion]:
    return list(
        PlanVersion.objects.filter(
            state=PlanState.IN_FORCE,
            plan__level__in=(PlanLevel.LOCAL, PlanLevel.SPECIAL),
            period_start__lte=year,
            period_end__gte=year,
        ).select_related("plan", "owner")
    )
