"""Information security (第三十条至第三十二条): the system register with its classified-protection record,
evaluations and their findings, risk assessments, emergency plans and drills, incidents, inspections and
their hidden dangers, security responsibility per unit, and telecom security-plan filings."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from infogov.core.models import Case

from .choices import (
    HIGH_RISK,
    DangerSeverity,
    DangerStatus,
    EvaluationResult,
    HarmDegree,
    HarmedObject,
    Hosting,
    IncidentGrade,
    NetworkKind,
    Treatment,
)

LEVELS = [(n, f"第{'一二三四五'[n - 1]}级") for n in range(1, 6)]


class InformationSystem(Case):
    """信息系统 (第三十条第一款): a network or information system with its owner, operator, security
    responsible person, backups and classified-protection record (等级保护)."""

    purpose = models.TextField("用途", blank=True)
    operator = models.ForeignKey(
        "org.Organisation",
        verbose_name="运行维护单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    network = models.CharField("承载网络", max_length=16, choices=NetworkKind.choices, blank=True)
    hosting = models.CharField("部署方式", max_length=16, choices=Hosting.choices, blank=True)
    data_categories = models.JSONField("数据类别", default=list, blank=True)
    sector = models.CharField("所属领域", max_length=50, blank=True)
    critical = models.BooleanField("关键信息基础设施", default=False)
    security_officer = models.CharField("安全责任人", max_length=50, blank=True)
    security_contact = models.CharField("安全责任人联系方式", max_length=50, blank=True)
    backup_scope = models.TextField("备份内容", blank=True)
    backup_frequency = models.CharField("备份频率", max_length=50, blank=True)
    backup_location = models.CharField("备份地点", max_length=100, blank=True)
    last_restore_test = models.DateField("最近恢复测试日期", null=True, blank=True)
    harmed_object = models.CharField("受侵害客体", max_length=16, choices=HarmedObject.choices, blank=True)
    harm_degree = models.CharField("侵害程度", max_length=16, choices=HarmDegree.choices, blank=True)
    matrix_level = models.PositiveSmallIntegerField("定级矩阵等级", null=True, blank=True, choices=LEVELS)
    level = models.PositiveSmallIntegerField(
        "安全保护等级", null=True, blank=True, choices=LEVELS, db_index=True
    )
    grading_reasoning = models.TextField("定级理由", blank=True)
    determined_on = models.DateField("定级日期", null=True, blank=True)
    review_override = models.BooleanField("经专家评审调整等级", default=False)
    filing_number = models.CharField("备案证明编号", max_length=64, blank=True)
    filing_organ = models.CharField("受理备案的公安机关", max_length=100, blank=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    last_evaluated_on = models.DateField("最近等级测评日期", null=True, blank=True)
    # the project whose delivery registered or last rebuilt the system (第三十一条第一款 同步运行); a key,
    # not a foreign key: the projects app reads the register through selectors, never by a join
    source_project_id = models.BigIntegerField("来源项目", null=True, blank=True, db_index=True)
    in_service_since = models.DateField("投入使用日期", null=True, blank=True)

    reference_prefix = "XT"

    class Meta:
        verbose_name = "信息系统"
        verbose_name_plural = "信息系统"
        indexes = [models.Index(fields=["jurisdiction", "level"], name="security_system_level")]

    @classmethod
    def cosupervision_q(cls) -> models.Q:
        """Co-supervising departments read the register of their jurisdiction (read-only)."""
        return models.Q(pk__isnull=False)


class GradingReview(models.Model):
    """定级专家评审 (第三十条第一款): the experts' opinion on a system's grading."""

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="grading_reviews")
    reviewed_on = models.DateField("评审日期")
    experts = models.TextField("评审专家")
    opinion = models.TextField("评审意见")
    reviewed_level = models.PositiveSmallIntegerField("评审确定的等级", choices=LEVELS)
    override_reasons = models.TextField("低于定级矩阵的理由", blank=True)
    recorded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "定级专家评审"
        verbose_name_plural = "定级专家评审"

    def __str__(self) -> str:
        return f"{self.reviewed_on} 第{self.reviewed_level}级"


class Evaluation(models.Model):
    """等级测评 (第三十条第一款; GB/T 28448-2019): result, score and the issues found."""

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="evaluations")
    evaluated_on = models.DateField("测评日期")
    agency = models.CharField("测评机构", max_length=100)
    report_number = models.CharField("测评报告编号", max_length=64)
    result = models.CharField("测评结论", max_length=2, choices=EvaluationResult.choices)
    score = models.DecimalField("综合得分", max_digits=5, decimal_places=2)
    recorded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "等级测评"
        verbose_name_plural = "等级测评"
        ordering = ["-evaluated_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.evaluated_on} {self.result}"


class Finding(models.Model):
    """测评发现的问题 (第三十条第一款): each with a rectification duty until it is rectified."""

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="findings")
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    description = models.TextField("问题描述")
    severity = models.CharField("风险程度", max_length=4, choices=[("高", "高"), ("中", "中"), ("低", "低")])
    due_date = models.DateField("整改期限")
    rectified_on = models.DateField("整改完成日期", null=True, blank=True)
    rectification = models.TextField("整改措施", blank=True)

    class Meta:
        verbose_name = "测评问题"
        verbose_name_plural = "测评问题"
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.description[:30]

    @property
    def duty_code(self) -> str:
        return f"sec-finding-{self.pk}"


class RiskAssessment(models.Model):
    """信息安全风险评估 (第三十条第一款; GB/T 20984-2022)."""

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="risk_assessments")
    assessed_on = models.DateField("评估日期")
    assets = models.TextField("资产")
    threats = models.TextField("威胁")
    vulnerabilities = models.TextField("脆弱性")
    existing_measures = models.TextField("已有安全措施", blank=True)
    recorded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "风险评估"
        verbose_name_plural = "风险评估"
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.assessed_on} 风险评估"


class Risk(models.Model):
    """一项风险: likelihood × impact (1–5 each), its treatment with owner and due date, residual risk."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.PROTECT, related_name="risks")
    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="risks")
    name = models.CharField("风险", max_length=200)
    likelihood = models.PositiveSmallIntegerField("可能性（1–5）")
    impact = models.PositiveSmallIntegerField("影响（1–5）")
    value = models.PositiveSmallIntegerField("风险值", db_index=True)
    treatment = models.CharField("处置方式", max_length=10, choices=Treatment.choices, blank=True)
    treatment_owner = models.CharField("处置责任人", max_length=50, blank=True)
    due_date = models.DateField("处置期限", null=True, blank=True)
    treated_on = models.DateField("处置完成日期", null=True, blank=True)
    residual_likelihood = models.PositiveSmallIntegerField("残余可能性", null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField("残余影响", null=True, blank=True)

    class Meta:
        verbose_name = "风险"
        verbose_name_plural = "风险"
        ordering = ["-value", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.value}）"

    @property
    def is_high(self) -> bool:
        return self.value >= HIGH_RISK

    @property
    def residual(self) -> int | None:
        if self.residual_likelihood and self.residual_impact:
            return self.residual_likelihood * self.residual_impact
        return None


class EmergencyPlan(models.Model):
    """应急预案 (第三十条第一款): scenarios, roles, contacts, RTO/RPO; reviewed yearly."""

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="emergency_plans")
    approved_on = models.DateField("批准（修订）日期")
    scenarios = models.TextField("应急场景")
    roles = models.TextField("职责分工")
    contacts = models.TextField("联系人及联系方式")
    rto_hours = models.DecimalField("恢复时间目标（小时）", max_digits=7, decimal_places=2)
    rpo_hours = models.DecimalField("恢复点目标（小时）", max_digits=7, decimal_places=2)
    recorded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "应急预案"
        verbose_name_plural = "应急预案"
        ordering = ["-approved_on", "-pk"]

    def __str__(self) -> str:
        return f"应急预案 {self.approved_on}"


class Drill(models.Model):
    """应急演练 (第三十条第一款)."""

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="drills")
    held_on = models.DateField("演练日期")
    scenario = models.TextField("演练场景")
    participants = models.TextField("参演单位和人员")
    findings = models.TextField("发现的问题", blank=True)
    recorded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "应急演练"
        verbose_name_plural = "应急演练"
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"应急演练 {self.held_on}"


class Incident(Case):
    """网络安全事件 (第三十条第二款): measures taken, records kept, reports to the competent authority."""

    detected_at = models.DateTimeField("发现时间")
    grade = models.CharField("事件级别", max_length=4, choices=IncidentGrade.choices)
    critical_operator = models.BooleanField("关键信息基础设施运营者", default=False)
    systems = models.ManyToManyField(
        InformationSystem, verbose_name="受影响的系统", blank=True, related_name="+"
    )
    affected_data = models.TextField("受影响的数据", blank=True)
    measures = models.TextField("已采取的处置措施", blank=True)
    report_deadline = models.DateTimeField("报告时限", null=True, blank=True)
    first_reported_at = models.DateTimeField("首次报告时间", null=True, blank=True)
    root_cause = models.TextField("事件原因", blank=True)
    lessons = models.TextField("经验教训和整改", blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)

    reference_prefix = "SJ"

    class Meta:
        verbose_name = "网络安全事件"
        verbose_name_plural = "网络安全事件"

    @classmethod
    def cosupervision_q(cls) -> models.Q:
        return models.Q(pk__isnull=False)

    def minutes_remaining(self, now: dt.datetime | None = None) -> int | None:
        """Minutes left to report (negative: overdue); None once reported or without a deadline."""
        if self.first_reported_at is not None or self.report_deadline is None:
            return None
        return int((self.report_deadline - (now or timezone.now())).total_seconds() // 60)

    @property
    def reported_late(self) -> bool:
        return bool(
            self.report_deadline and self.first_reported_at and self.first_reported_at > self.report_deadline
        )


class IncidentUpdate(models.Model):
    """事件处置进展 (第三十条第二款): one entry of the incident's timeline."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="updates")
    at = models.DateTimeField("时间")
    kind = models.CharField("类别", max_length=8, choices=[(k, k) for k in ("处置", "进展", "恢复", "取证")])
    content = models.TextField("内容")
    recorded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "处置进展"
        verbose_name_plural = "处置进展"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class IncidentReport(models.Model):
    """向有关主管部门的报告 (第三十条第二款), with whether it was within the deadline."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports")
    reported_at = models.DateTimeField("报告时间")
    recipient = models.CharField("报告对象", max_length=100)
    content = models.TextField("报告内容")
    late = models.BooleanField("逾期报告", default=False)
    minutes_late = models.IntegerField("逾期分钟数", default=0)
    recorded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "事件报告"
        verbose_name_plural = "事件报告"
        ordering = ["reported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.reported_at:%Y-%m-%d %H:%M} {self.recipient}"


class Inspection(Case):
    """安全检查 (第三十二条): planned by the city authority with inspectors from several departments."""

    scope = models.TextField("检查范围")
    sectors = models.CharField("重点领域", max_length=200, blank=True)
    planned_start = models.DateField("计划开始日期", null=True, blank=True)
    planned_end = models.DateField("计划结束日期", null=True, blank=True)
    inspectors = models.TextField("检查组成员及所在部门", blank=True)
    summary = models.TextField("检查结论", blank=True)

    reference_prefix = "JC"

    class Meta:
        verbose_name = "安全检查"
        verbose_name_plural = "安全检查"


class HiddenDanger(models.Model):
    """安全隐患 (第三十二条): found in an inspection on a system, rectified by its owner, verified by the
    city authority."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="dangers")
    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="dangers")
    found_on = models.DateField("发现日期")
    description = models.TextField("隐患描述")
    severity = models.CharField("隐患等级", max_length=4, choices=DangerSeverity.choices)
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=10, choices=DangerStatus.choices, default=DangerStatus.OPEN)
    answer = models.TextField("整改情况", blank=True)
    answered_on = models.DateField("整改完成日期", null=True, blank=True)
    verify_comment = models.TextField("核验意见", blank=True)
    verified_on = models.DateField("核验日期", null=True, blank=True)

    class Meta:
        verbose_name = "安全隐患"
        verbose_name_plural = "安全隐患"
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.description[:30]

    @property
    def duty_code(self) -> str:
        return f"sec-danger-{self.pk}"


class Responsibility(Case):
    """信息安全保障工作责任制 (第三十条第一款): a unit's responsible leader, security officer and
    written responsibilities, reviewed yearly."""

    leader = models.CharField("责任领导", max_length=50, blank=True)
    officer = models.CharField("安全管理负责人", max_length=50, blank=True)
    officer_contact = models.CharField("联系方式", max_length=50, blank=True)
    responsibilities = models.TextField("责任内容", blank=True)
    reviewed_on = models.DateField("最近复核日期", null=True, blank=True)

    reference_prefix = "ZR"

    class Meta:
        verbose_name = "安全责任制"
        verbose_name_plural = "安全责任制"


class TelecomPlanFiling(Case):
    """通信基础设施建设项目信息安全保障方案备案 (第三十一条第二款), always with the city authority."""

    project_name = models.CharField("建设项目", max_length=200, blank=True)
    plan_summary = models.TextField("安全保障方案摘要", blank=True)
    submitted_on = models.DateField("报送日期", null=True, blank=True)
    filing_number = models.CharField("备案编号", max_length=64, blank=True)
    receipt = models.TextField("备案回执", blank=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)

    reference_prefix = "TX"

    class Meta:
        verbose_name = "通信基础设施安全保障方案备案"
        verbose_name_plural = "通信基础设施安全保障方案备案"
