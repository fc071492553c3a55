"""Helpers to walk a project through its procedure in tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from infogov.core.workflow import engine as workflow
from infogov.projects import services
from infogov.projects.choices import ReviewDimension
from infogov.projects.models import AnnualConstructionPlan, Project
from tests.conftest import Land, World, fresh

MANDATORY_APP = ["GB 17859-1999", "GB 18030-2022"]


def acceptance_report(project: Project, user: Any, **overrides: Any) -> dict[str, Any]:
    """The acceptance report filed with the authority (第十三条第二款): its summary, and its file uploaded
    to the project by `user` first (core.attachments)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from infogov.core.attachments import attachment_add

    upload = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 acceptance report", content_type="application/pdf")
    att = attachment_add(case=project, user=user, upload=upload, purpose="验收报告")
    report: dict[str, Any] = {
        "organiser": "永吉县卫生健康局",
        "participants": ["永吉县工业和信息化局", "永吉县财政局", "张三（专家）"],
        "conclusion": "项目按批准的建设内容建成，测试通过，验收合格",
        "issues": "",
        "attachments": [att.pk],
    }
    report.update(overrides)
    return report


# The walk's dates, in the order the rules want them (A9-2-CONTRACT-AFTER-REVIEW, A14-PAID-IN-ORDER,
# A13-1-COMPLETION-AFTER-START): review, then contract (2026-04-01), then the start of construction.
REVIEWED_ON = dt.date(2026, 3, 20)
STARTED_ON = "2026-04-15"
MEASURES = ["边界防护", "日志审计"]


def fiscal_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "永吉县社区网格化服务管理平台",
        "category": "application",
        "funding_kind": "fiscal",
        "budget": Decimal("1000000.00"),
        "budget_source": "2026年永吉县本级财政预算",
        "special_fund": "信息化发展专项资金",
        "year": 2026,
        "content": "建设社区网格化服务管理平台，实现网格员巡查上报、事件分拨处置和居民诉求办理。",
        "planned_start": dt.date(2026, 3, 1),
        "planned_completion": dt.date(2026, 12, 31),
        "security_plan": "按第二级等级保护要求建设边界防护和日志审计。",
        "security_level": 2,
        "security_measures": list(MEASURES),
    }
    fields.update(overrides)
    return fields


class Walker:
    """Drives one project of `land` through the fiscal procedure, step by step."""

    def __init__(self, world: World, land: Land) -> None:
        self.world, self.land = world, land
        self.owner = fresh(land.dept_user)
        self.authority = fresh(land.authority_user)
        self.approver = fresh(land.approver)

    def create(self, standards: list[str] | None = None, **overrides: Any) -> Project:
        return services.project_create(
            user=self.owner,
            standards=MANDATORY_APP if standards is None else standards,
            **fiscal_fields(**overrides),
        )

    def plan(self, year: int = 2026) -> AnnualConstructionPlan:
        plan = AnnualConstructionPlan.objects.filter(jurisdiction=self.land.jurisdiction, year=year).first()
        return plan or services.plan_create(
            user=self.authority, jurisdiction=self.land.jurisdiction, year=year
        )

    def submit(self, p: Project) -> Project:
        return services.project_fire(project=p, user=self.owner, name="submit")

    def include(self, p: Project, *, approve: bool = True) -> Project:
        plan = self.plan(p.year)
        p = services.project_include_in_plan(project=p, user=self.authority, plan=plan)
        if approve:
            plan = services.plan_fire(plan=plan, user=self.authority, name="submit_plan")
            services.plan_fire(plan=plan, user=self.approver, name="approve_plan")
        return Project.objects.get(pk=p.pk)

    def findings(self, p: Project, *, skip: tuple[str, ...] = (), conclusion: str = "meets") -> Project:
        for d in ReviewDimension:
            if d.value in skip or d == ReviewDimension.OTHER:
                continue
            hits = list(p.similar_hits.values_list("pk", flat=True)) if d == ReviewDimension.SHARING else []
            services.review_finding_record(
                project=p,
                user=self.authority,
                dimension=d.value,
                conclusion=conclusion,
                text=f"{d.label}评审意见",
                acknowledged_hits=hits,
            )
        return Project.objects.get(pk=p.pk)

    def review(self, p: Project, **kw: Any) -> Project:
        kw.setdefault("decided_on", REVIEWED_ON)
        return services.project_review_decide(
            project=Project.objects.get(pk=p.pk), user=self.authority, passed=True, comment="同意", **kw
        )

    def procure(self, p: Project, amount: str = "950000.00") -> Project:
        return services.project_procurement_record(
            project=Project.objects.get(pk=p.pk),
            user=self.owner,
            method="open_tender",
            notice_number="JLCG-2026-0123",
            supplier="吉林某信息技术有限公司",
            contract_amount=amount,
            contract_date=dt.date(2026, 4, 1),
        )

    def fire(self, p: Project, name: str, user: Any = None, **kw: Any) -> Project:
        if name == "start_construction" and kw.get("payload") is None:
            kw["payload"] = {"started_on": STARTED_ON}  # after the walk's contract, before its payments
        return workflow.fire(Project.objects.get(pk=p.pk), name, user=user or self.owner, **kw)

    def to_reviewed(self, **overrides: Any) -> Project:
        p = self.create(**overrides)
        p = self.include(self.submit(p))
        p = self.findings(p)
        return self.review(p)

    def to_tested(self, **overrides: Any) -> Project:
        p = self.procure(self.to_reviewed(**overrides))
        p = self.fire(p, "start_construction")
        p = self.fire(p, "complete", payload={"completed_on": "2026-12-20"})
        return self.fire(
            p,
            "record_test",
            payload={"tester": "吉林省软件测评中心", "passed": True, "standards": MANDATORY_APP},
        )

    def file_acceptance(self, p: Project, **overrides: Any) -> Any:
        """验收结果备案 with its report (第十三条第二款)."""
        return services.acceptance_file(
            project=p, user=self.owner, report=acceptance_report(p, self.owner, **overrides)
        )

    def accept_payload(self) -> dict[str, Any]:
        return {
            "committee": ["张三", "李四", "王五"],
            "security_measures_built": MEASURES,
            "security_evidence": "第二级等级保护测评报告 编号 DJCP-2026-001",
        }


@pytest.fixture
def walker(world: World) -> Walker:
    return Walker(world, world.yongji)


@pytest.fixture
def jiaohe_walker(world: World) -> Walker:
    return Walker(world, world.jiaohe)


@pytest.fixture(autouse=True)
def standards_catalogue(db: Any) -> None:
    """The standards catalogue is seeded by a data migration; a transactional test's flush empties it."""
    from importlib import import_module

    from django.apps import apps

    import_module("infogov.projects.migrations.0002_standards_catalogue").load(apps, None)
