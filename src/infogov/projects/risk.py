"""Investment risk rating of fiscal projects under construction (第十四条 监督检查).

A 1–5 rating from points on six factors, each shown with its reason; the authority may override
it with a written reason (services.risk_override, docketed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from infogov.core.models import Obligation

from .models import Project


@dataclass
class Factor:
    code: str
    label: str
    points: int
    detail: str


@dataclass
class RiskRating:
    project: Any
    computed: int
    factors: list[Factor] = field(default_factory=list)

    @property
    def level(self) -> int:
        return self.project.risk_override or self.computed

    @property
    def overridden(self) -> bool:
        return self.project.risk_override is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "project_id": self.project.pk,
            "reference": self.project.reference,
            "title": self.project.title,
            "level": self.level,
            "computed": self.computed,
            "overridden": self.overridden,
            "override_reason": self.project.risk_override_reason if self.overridden else "",
            "factors": [f.__dict__ for f in self.factors],
        }


def _level(points: int) -> int:
    return 1 if points <= 0 else 2 if points <= 2 else 3 if points <= 4 else 4 if points <= 6 else 5


def rate(
    project: Project,
    *,
    today: dt.date | None = None,
    progress: int | None = None,
    disbursed: Decimal | None = None,
    open_conditions: int | None = None,
    open_findings: int | None = None,
    overdue: int | None = None,
) -> RiskRating:
    """The rating of one project; the keyword numbers are passed when the caller already counted them."""
    today = today or timezone.localdate()
    progress = project.latest_progress() if progress is None else progress
    disbursed = project.disbursed_total() if disbursed is None else disbursed
    if open_conditions is None:
        open_conditions = project.conditions.filter(answered_at__isnull=True).count()
    if open_findings is None:
        open_findings = project.inspection_findings.filter(rectified_at__isnull=True).count()
    if overdue is None:
        overdue = Obligation.objects.for_case(project).overdue(today).count()
    factors: list[Factor] = []

    # schedule slippage: expected progress by elapsed time vs reported progress
    if (
        project.planned_start
        and project.planned_completion
        and project.planned_completion > project.planned_start
    ):
        span = (project.planned_completion - project.planned_start).days
        elapsed = min(max((today - project.planned_start).days, 0), span)
        expected = round(100 * elapsed / span)
        slip = expected - progress
        pts = 3 if slip >= 40 else 2 if slip >= 25 else 1 if slip >= 10 else 0
        if today > project.planned_completion and progress < 100:
            pts = max(pts, 2)
        factors.append(Factor("schedule", "进度滞后", pts, f"按工期应完成约 {expected}%，已报告 {progress}%"))
    # spend against progress
    ceiling = project.procurement.contract_amount if hasattr(project, "procurement") else project.budget
    if ceiling:
        spent = float(disbursed / ceiling * 100)
        gap = spent - progress
        pts = 2 if gap >= 30 else 1 if gap >= 15 else 0
        factors.append(Factor("spend", "资金支付快于进度", pts, f"已支付 {spent:.0f}%，进度 {progress}%"))
    factors.append(Factor("conditions", "审查条件未落实", min(open_conditions, 2), f"{open_conditions} 项"))
    factors.append(Factor("findings", "监督检查问题未整改", min(open_findings * 1, 3), f"{open_findings} 项"))
    factors.append(Factor("overdue", "法定义务逾期", min(overdue * 2, 4), f"{overdue} 项"))
    sec_ok = bool(project.security_plan.strip() and project.security_level and project.security_measures)
    factors.append(
        Factor("security", "安全方案（第三十一条）", 0 if sec_ok else 2, "完整" if sec_ok else "缺失或不完整")
    )
    return RiskRating(project, _level(sum(f.points for f in factors)), factors)


# the project's fields neither rate() nor the overview reads
_NOT_RATED = (
    "content",
    "systems",
    "data_resources",
    "procedures_completed",
    "risk_override_reason",
    "search_text",
    "collected_words",
    "owner__credit_code",
)


def ranking(
    projects: QuerySet[Project], *, today: dt.date | None = None, limit: int = 200
) -> list[RiskRating]:
    """Ratings of `projects`, highest risk first, in a fixed number of queries."""
    today = today or timezone.localdate()
    from .models import ProgressReport

    qs = (
        projects.select_related("procurement")
        .defer(*_NOT_RATED)  # the long texts no factor reads: rows of a few hundred bytes, not kilobytes
        .annotate(_disbursed=Sum("disbursements__amount", distinct=False))
        .annotate(  # the latest report's percent only (a project has dozens of reports)
            _progress=Subquery(
                ProgressReport.objects.filter(project=OuterRef("pk"))
                .order_by("-reported_on", "-id")
                .values("percent")[:1]
            )
        )[:limit]
    )
    rows = list(qs)
    ids = [p.pk for p in rows]
    ct = ContentType.objects.get_for_model(Project)
    overdue = dict(
        Obligation.objects.overdue(today)
        .filter(case_type=ct, case_id__in=ids)
        .values_list("case_id")
        .annotate(n=Count("id"))
    )
    conditions = dict(
        Project.objects.filter(pk__in=ids)
        .annotate(n=Count("conditions", filter=Q(conditions__answered_at__isnull=True)))
        .values_list("pk", "n")
    )
    findings = dict(
        Project.objects.filter(pk__in=ids)
        .annotate(n=Count("inspection_findings", filter=Q(inspection_findings__rectified_at__isnull=True)))
        .values_list("pk", "n")
    )
    out = []
    for p in rows:
        out.append(
            rate(
                p,
                today=today,
                progress=p._progress if p._progress is not None else 0,
                disbursed=p._disbursed or Decimal("0"),
                open_conditions=conditions.get(p.pk, 0),
                open_findings=findings.get(p.pk, 0),
                overdue=overdue.get(p.pk, 0),
            )
        )
    return sorted(out, key=lambda r: (-r.level, -r.computed, r.project.pk))
