"""Walking plan versions through the procedure in tests (each step through the real services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from infogov.core.workflow import engine as wf
from infogov.planning import services
from infogov.planning.choices import PlanLevel
from infogov.planning.models import Plan, PlanVersion
from infogov.planning.rules import in_force_version

TODAY = timezone.localdate


@dataclass
class PlanWorld:
    world: Any
    experts: list[Any]

    # -- building ---------------------------------------------------------------------------------
    def draft(
        self,
        level: str,
        land: Any = None,
        *,
        owner: Any = None,
        user: Any = None,
        parent: Plan | None = None,
        title: str = "",
        tasks: list[str] | None = None,
    ) -> PlanVersion:
        w = self.world
        land = land or w.city
        if level == PlanLevel.SPECIAL:
            owner = owner or land.department
            user = user or land.dept_user
        else:
            owner = owner or land.authority
            user = user or land.authority_user
        if parent is None and level != PlanLevel.CITY:
            parent_level = PlanLevel.CITY if (level == PlanLevel.LOCAL or land is w.city) else PlanLevel.LOCAL
            parent = Plan.objects.filter(
                level=parent_level,
                jurisdiction=(w.city.jurisdiction if parent_level == PlanLevel.CITY else land.jurisdiction),
            ).first()
        v = services.plan_create(
            user=user,
            level=level,
            title=title or f"{land.jurisdiction.name}{PlanLevel(level).label}（2026—2030年）",
            jurisdiction=land.jurisdiction,
            owner=owner,
            period_start=2026,
            period_end=2030,
            parent=parent,
            parent_reference="吉林省信息化发展规划（2026—2030年）" if level == PlanLevel.CITY else "",
        )
        goal = services.goal_add(version=v, user=user, text="建成全市统一的数字政府基础设施")
        for i, text in enumerate(
            tasks
            or [
                f"建设{land.jurisdiction.name}政务云平台，实现部门业务系统迁移上云",
                "推进政务数据共享交换，完善人口、法人基础数据库",
            ],
            start=1,
        ):
            services.task_add(
                version=v,
                user=user,
                text=text,
                goal_id=goal.pk,
                responsible_id=owner.pk,
                indicator="完成率",
                target_value=100 * i,
                unit="个",
                target_year=2028,
            )
        return PlanVersion.objects.get(pk=v.pk)

    def owner_user(self, v: PlanVersion) -> Any:
        from infogov.org.models import User

        return (
            User.objects.filter(
                memberships__organisation=v.owner_id, memberships__role__in=("authority_staff", "dept_staff")
            )
            .order_by("pk")
            .first()
        )

    # -- the steps --------------------------------------------------------------------------------
    def open_consultation(self, v: PlanVersion, user: Any = None) -> PlanVersion:
        start = TODAY()
        return wf.fire(
            v,
            "open_consultation",
            user=user or self.owner_user(v),
            payload={"start": start.isoformat(), "end": (start + dt.timedelta(days=10)).isoformat()},
        )

    def after_window(self, v: PlanVersion) -> dt.date:
        return v.consultation_end + dt.timedelta(days=1)

    def close_consultation(self, v: PlanVersion, user: Any = None) -> PlanVersion:
        return wf.fire(v, "close_consultation", user=user or self.owner_user(v), today=self.after_window(v))

    def review(
        self, v: PlanVersion, conclusions: tuple[str, ...] = ("pass", "pass", "conditional"), user: Any = None
    ) -> PlanVersion:
        user = user or self.owner_user(v)
        services.consultation_summary_save(version=v, user=user, summary="共收到意见若干条，均已答复并公布。")
        experts = self.experts[: len(conclusions)]
        services.experts_assign(version=v, user=user, experts=experts)
        for expert, conclusion in zip(experts, conclusions, strict=True):
            services.expert_opinion_submit(
                version=v,
                user=expert,
                conclusion=conclusion,
                opinion="规划目标明确，任务可衡量，建议按期实施。",
            )
        return PlanVersion.objects.get(pk=v.pk)

    def submit(self, v: PlanVersion, user: Any = None) -> PlanVersion:
        return wf.fire(v, "submit", user=user or self.owner_user(v), today=self.after_window(v))

    def approver(self, v: PlanVersion) -> Any:
        w = self.world
        land = next(x for x in (w.city, w.yongji, w.jiaohe) if x.jurisdiction.pk == v.jurisdiction_id)
        if v.plan.level == PlanLevel.SPECIAL:
            return self.owner_user(v)
        return land.approver

    def approve(self, v: PlanVersion, user: Any = None) -> PlanVersion:
        payload = {"document": "吉政函〔2026〕1号"}
        if v.plan.level == PlanLevel.SPECIAL:
            payload["leader_signoff"] = "部门主要负责人 王某 签发（卫健发〔2026〕3号）"
        return wf.fire(v, "approve", user=user or self.approver(v), payload=payload)

    def filer(self, v: PlanVersion) -> Any:
        w = self.world
        if v.plan.level == PlanLevel.LOCAL:
            return w.city.authority_user
        land = next(x for x in (w.city, w.yongji, w.jiaohe) if x.jurisdiction.pk == v.jurisdiction_id)
        return land.authority_user

    def to_in_force(self, v: PlanVersion) -> PlanVersion:
        """From drafting to in force, every step through the workflow."""
        v = self.open_consultation(v)
        v = self.close_consultation(v)
        v = self.review(v)
        v = self.submit(v)
        v = self.approve(v)
        if v.plan.level != PlanLevel.SPECIAL:
            v = wf.fire(v, "publish", user=self.owner_user(v))
        if v.plan.level != PlanLevel.CITY:
            v = wf.fire(v, "file", user=self.filer(v), payload={"filing_number": "备-2026-001"})
        return wf.fire(v, "enact", user=self.owner_user(v))

    def city_plan_in_force(self) -> PlanVersion:
        existing = in_force_version(Plan.objects.filter(level=PlanLevel.CITY).first())
        return existing or self.to_in_force(self.draft(PlanLevel.CITY))
