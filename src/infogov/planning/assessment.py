"""第七条: the annual score of each supervised plan by a published scoring sheet, and the table per
jurisdiction and department that goes into the city's annual performance assessment (Excel, JSON).

评分表（满分100分）:
- 指标完成情况（60分）: for each task, the reported value against the share of its target due by the
  assessed year (target × elapsed years of the task ÷ years to its target year, at most the target);
  the mean completion (each at most 100 %) × 60.
- 报送及时性（20分）: by 31 January (or the set due date) 20; up to 30 days late 10; later or not at all 0.
- 检查发现（20分）: 20, minus 5 for each general and 10 for each serious finding, at least 0; a plan not
  drawn for inspection keeps 20.

A plan lawfully changed during the year (第六条第二款: a new version, approved and filed by the original
procedure, supersedes the old one) is scored over the versions in force during the year, each weighted by
the days it was in force that year. The year's report is filed by the version in force when it is due; a
superseded version can no longer file one (A7-SUPERVISED), so its report items (指标完成、报送及时性) are not
counted against it — they come from the versions that filed or can still file — while its inspection
findings count for the time it was in force.

A computation made before the year's reports are all due is provisional (暂定): the table says so and
names the reports still to come.
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


def days_in_force(version: PlanVersion, year: int) -> int:
    """How many days of `year` the version was in force (第六条第二款: until its successor took effect)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if version.in_force_at is None:
        return 0
    start = max(first, timezone.localdate(version.in_force_at))
    end = last
    if version.superseded_at is not None:
        end = min(last, timezone.localdate(version.superseded_at) - dt.timedelta(days=1))
    return max(0, (end - start).days + 1)


def score_version(version: PlanVersion, year: int, *, today: dt.date | None = None) -> Score:
    today = today or timezone.localdate()
    score = _score_items(version, year, today)
    # the report's items count only where the version filed its report or can still file it
    superseded = version.state == PlanState.SUPERSEDED
    reported = score.detail["reported"]
    due = execution_due_date(year)
    score.detail.update(
        days_in_force=days_in_force(version, year),
        report_items_count=reported or not superseded,
        provisional=not reported and not superseded and today <= due,
        due=due.isoformat(),
    )
    return score


def _score_items(version: PlanVersion, year: int, today: dt.date) -> Score:
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
    by_plan: dict[int, list[PlanScore]] = {}
    for s in found:
        by_plan.setdefault(s.version.plan_id, []).append(s)
    items = [plan_items(scores) for scores in by_plan.values()]
    n = Decimal(len(items))

    def avg(i: int) -> Decimal:
        return _q(sum((it[i] for it in items), Decimal(0)) / n)

    indicator, timeliness, findings = avg(0), avg(1), avg(2)
    notes = [] if len(items) == 1 else [f"{len(items)} 项规划的平均分"]
    for scores in by_plan.values():
        if len(scores) > 1:
            weights = "、".join(f"{s.version.reference} {s.detail.get('days_in_force', 0)}天" for s in scores)
            notes.append(f"规划年内依第六条第二款变更，各版本按施行天数加权（{weights}）")
    pending = [s for s in found if s.detail.get("provisional")]
    if pending:
        to_come = [f"{p.version.reference} {p.year}年度执行情况（{p.detail.get('due')}前）" for p in pending]
        notes.append("暂定：尚待报送 " + "、".join(to_come))
    return {
        "类别": kind,
        "考核对象": subject,
        "行政区域": jurisdiction,
        "规划": "；".join(s.version.title for s in found),
        "规划编号": "；".join(s.version.reference for s in found),
        "指标完成得分": float(indicator),
        "报送及时性得分": float(timeliness),
        "检查发现得分": float(findings),
        "总分": float(_q(indicator + timeliness + findings)),
        "说明": "；".join(notes),
    }


def plan_items(scores: list[PlanScore]) -> tuple[Decimal, Decimal, Decimal]:
    """(indicator, timeliness, findings) of one plan over its versions scored for the year, weighted by the
    days each was in force; the report items over the versions that filed or could still file the report."""

    def weight(s: PlanScore) -> Decimal:
        return Decimal(max(int(s.detail.get("days_in_force", 1) or 0), 0))

    def weighted(of: list[PlanScore], attr: str) -> Decimal:
        total = sum((weight(s) for s in of), Decimal(0))
        if total == 0:  # none in force a day (or scored before this was recorded): plain average
            return _q(sum((getattr(s, attr) for s in of), Decimal(0)) / len(of)) if of else Decimal(0)
        return _q(sum((weight(s) * getattr(s, attr) for s in of), Decimal(0)) / total)

    reporting = [s for s in scores if s.detail.get("report_items_count", True)]
    return (
        weighted(reporting, "indicator_score"),
        weighted(reporting, "timeliness_score"),
        weighted(scores, "findings_score"),
    )


def provisional_reports(year: int) -> list[str]:
    """The year's reports still to come when the scores were computed (empty: the assessment is final)."""
    return [
        f"{s.version.reference} {year}年度执行情况（{s.detail.get('due')}前报送）"
        for s in PlanScore.objects.filter(year=year).select_related("version").order_by("version_id")
        if s.detail.get("provisional")
    ]


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
    pending = provisional_reports(year)
    return {
        "year": year,
        "provisional": bool(pending),
        "pending_reports": pending,
        "scoring_sheet": SCORING_SHEET,
        "columns": COLUMNS,
        "rows": assessment_rows(year),
    }


def assessment_xlsx(year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from infogov.core.tabular import safe_row

    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年度规划执行考核"
    pending = provisional_reports(year)
    status = "（暂定：尚有执行情况未到报送期限）" if pending else ""
    ws.append([f"吉林市{year}年度信息化发展规划执行情况考核结果{status}（《吉林市信息化促进办法》第七条）"])
    ws["A1"].font = Font(bold=True)
    ws.append(COLUMNS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in assessment_rows(year):
        ws.append(safe_row(r[c] for c in COLUMNS))  # names typed by people: never a live formula
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
