"""Development plans (第五条至第七条): plans, their versions (the cases), goals and tasks, public
consultation, expert review, annual execution reports, inspections and assessment scores."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from infogov.core.models import Case

from .choices import (
    APPROVED_STATES,
    AnswerStatus,
    ExpertConclusion,
    FindingSeverity,
    PlanLevel,
    PlanState,
)


class Plan(models.Model):
    """信息化发展规划 (第五条): a plan of one level and owner; its content lives in its versions."""

    level = models.CharField("规划层级", max_length=10, choices=PlanLevel.choices, db_index=True)
    title = models.CharField("规划名称", max_length=200)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name="行政区域", on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "org.Organisation", verbose_name="编制单位", on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="依据规划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # 第五条第一款: the city plan rests on the provincial plan, which is not in this register.
    parent_reference = models.CharField("依据的上级规划（名称）", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "信息化发展规划"
        verbose_name_plural = "信息化发展规划"
        ordering = ["jurisdiction__sort_order", "level", "id"]
        indexes = [models.Index(fields=["jurisdiction", "level"])]

    def __str__(self) -> str:
        return self.title


class PlanVersion(Case):
    """规划版本 (第五条、第六条): one version; each runs the whole procedure; approved = frozen."""

    plan = models.ForeignKey(Plan, verbose_name="规划", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("版本号", default=1)
    # The plan's level, copied onto each version: lists and filters need no join (immutable with the plan).
    level = models.CharField("规划层级", max_length=10, choices=PlanLevel.choices, db_index=True)
    period_start = models.PositiveSmallIntegerField("规划期起始年")
    period_end = models.PositiveSmallIntegerField("规划期终止年")
    body = models.TextField("规划说明", blank=True)
    change_reason = models.TextField("变更、调整的特殊情况", blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name="替代的版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
    )
    consultation_start = models.DateField("征求意见开始日期", null=True, blank=True)
    consultation_end = models.DateField("征求意见截止日期", null=True, blank=True)
    consultation_summary = models.TextField("征求意见情况说明", blank=True)
    review_round = models.PositiveSmallIntegerField("论证轮次", default=1)
    findings = models.JSONField("重复建设与衔接性检查结果", default=dict, blank=True)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    approval_body = models.ForeignKey(
        "org.Organisation",
        verbose_name="批准机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approval_document = models.CharField("批准文号", max_length=100, blank=True)
    leader_signoff = models.CharField("部门负责人签发", max_length=100, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    filed_at = models.DateTimeField("备案时间", null=True, blank=True)
    filed_with = models.ForeignKey(
        "org.Organisation",
        verbose_name="备案机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filing_number = models.CharField("备案号", max_length=100, blank=True)
    in_force_at = models.DateTimeField("施行时间", null=True, blank=True)
    superseded_at = models.DateTimeField("替代时间", null=True, blank=True)
    # Segmented words (jieba) of title, body, goals and tasks: Chinese search on both databases.
    search_text = models.TextField(blank=True, editable=False)

    reference_prefix = "GH"

    # What the immutability triggers (migration 0002) guard once a version is approved (第六条第二款).
    CONTENT_COLUMNS = (
        "title",
        "plan_id",
        "number",
        "level",
        "period_start",
        "period_end",
        "body",
        "change_reason",
        "supersedes_id",
        "jurisdiction_id",
        "owner_id",
        "consultation_start",
        "consultation_end",
        "consultation_summary",
        "findings",
        "approved_at",
        "approval_body_id",
        "approval_document",
        "leader_signoff",
    )

    class Meta:
        verbose_name = "规划版本"
        verbose_name_plural = "规划版本"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_plan_number"),
            # The database itself holds the order of 第五条 (whatever writes the row): an approved
            # version has its approval; a published city or local plan its publication; a filed, in
            # force or superseded local or special plan its filing (第五条第二款、第三款).
            models.CheckConstraint(
                condition=~models.Q(state__in=APPROVED_STATES) | models.Q(approved_at__isnull=False),
                name="planversion_frozen_is_approved",
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    level__in=(PlanLevel.CITY, PlanLevel.LOCAL),
                    state__in=(
                        PlanState.PUBLISHED,
                        PlanState.FILED,
                        PlanState.IN_FORCE,
                        PlanState.SUPERSEDED,
                    ),
                )
                | models.Q(published_at__isnull=False),
                name="planversion_public_plan_published",
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    level__in=(PlanLevel.LOCAL, PlanLevel.SPECIAL),
                    state__in=(PlanState.FILED, PlanState.IN_FORCE, PlanState.SUPERSEDED),
                )
                | models.Q(filed_at__isnull=False),
                name="planversion_in_force_is_filed",
            ),
        ]
        indexes = [models.Index(fields=["jurisdiction", "state"], name="planversion_jur_state")]

    @property
    def is_frozen(self) -> bool:
        return self.state in APPROVED_STATES

    @property
    def period(self) -> str:
        return f"{self.period_start}—{self.period_end}年"

    @classmethod
    def cosupervision_q(cls) -> models.Q | None:
        """第四条第三款: DRC, finance and planning cooperate on plans — they read all plans of their area."""
        return models.Q()


class PlanGoal(models.Model):
    """发展目标 (第五条): a goal of one plan version."""

    version = models.ForeignKey(
        PlanVersion, verbose_name="规划版本", on_delete=models.CASCADE, related_name="goals"
    )
    seq = models.PositiveSmallIntegerField("序号", default=1)
    text = models.TextField("目标")
    key = models.UUIDField(default=uuid.uuid4, editable=False)  # stable across versions, for the diff

    class Meta:
        verbose_name = "发展目标"
        verbose_name_plural = "发展目标"
        ordering = ["version", "seq", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class PlanTask(models.Model):
    """重点任务 (第五条): task, responsible organisation, target indicator (number, unit) and target year."""

    version = models.ForeignKey(
        PlanVersion, verbose_name="规划版本", on_delete=models.CASCADE, related_name="tasks"
    )
    goal = models.ForeignKey(
        PlanGoal,
        verbose_name="所属目标",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    seq = models.PositiveSmallIntegerField("序号", default=1)
    text = models.TextField("任务")
    responsible = models.ForeignKey(
        "org.Organisation",
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    indicator = models.CharField("目标指标", max_length=200, blank=True)
    target_value = models.DecimalField("目标值", max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField("单位", max_length=20, blank=True)
    target_year = models.PositiveSmallIntegerField("目标年度", null=True, blank=True)
    parent_task = models.ForeignKey(
        "self",
        verbose_name="对应上级规划任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    key = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = "重点任务"
        verbose_name_plural = "重点任务"
        ordering = ["version", "seq", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class PublicComment(models.Model):
    """公众意见 (第六条第一款 广泛征求意见): a comment on a plan, goal or task, and its answer."""

    version = models.ForeignKey(
        PlanVersion, verbose_name="规划版本", on_delete=models.PROTECT, related_name="comments"
    )
    goal = models.ForeignKey(
        PlanGoal, verbose_name="针对目标", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task = models.ForeignKey(
        PlanTask, verbose_name="针对任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField("意见内容")
    name = models.CharField("姓名", max_length=50, blank=True)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    client_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    answer_status = models.CharField("答复结论", max_length=16, choices=AnswerStatus.choices, blank=True)
    answer_text = models.TextField("答复意见", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answer_published_at = models.DateTimeField("答复公布时间", null=True, blank=True)

    class Meta:
        verbose_name = "公众意见"
        verbose_name_plural = "公众意见"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["version", "answer_published_at"], name="comment_version_pub")]

    def __str__(self) -> str:
        return self.body[:40]

    @property
    def is_anonymous(self) -> bool:
        return not (self.name or self.contact)

    @property
    def target_label(self) -> str:
        if self.task_id:
            return f"任务：{self.task}"
        if self.goal_id:
            return f"目标：{self.goal}"
        return "规划整体"


class CommentNotification(models.Model):
    """A notice to a commenter who left contact details that their comment was answered (no mail is sent)."""

    comment = models.ForeignKey(PublicComment, on_delete=models.CASCADE, related_name="notifications")
    address = models.CharField("联系方式", max_length=100)
    message = models.TextField("通知内容")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "答复通知"
        verbose_name_plural = "答复通知"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.address}: {self.message[:30]}"


class ExpertOpinion(models.Model):
    """专家论证意见 (第六条第一款): one expert's conclusion and opinion in one review round."""

    version = models.ForeignKey(
        PlanVersion, verbose_name="规划版本", on_delete=models.PROTECT, related_name="opinions"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="专家", on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField("论证轮次", default=1)
    conclusion = models.CharField("论证结论", max_length=16, choices=ExpertConclusion.choices)
    opinion = models.TextField("论证意见")
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "专家论证意见"
        verbose_name_plural = "专家论证意见"
        ordering = ["version", "round", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "expert", "round"], name="opinion_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.get_conclusion_display()}"


class ExecutionReport(models.Model):
    """年度执行情况报告 (第七条): what the owner of a local or special plan reports for one year."""

    version = models.ForeignKey(
        PlanVersion, verbose_name="规划版本", on_delete=models.PROTECT, related_name="execution_reports"
    )
    year = models.PositiveSmallIntegerField("报告年度")
    summary = models.TextField("执行情况综述", blank=True)
    due_date = models.DateField("报送期限")
    submitted_at = models.DateTimeField("报送时间", default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "年度执行情况报告"
        verbose_name_plural = "年度执行情况报告"
        ordering = ["-year", "version"]
        constraints = [models.UniqueConstraint(fields=["version", "year"], name="execution_report_once")]

    def __str__(self) -> str:
        return f"{self.version} {self.year}年度"

    @property
    def days_late(self) -> int:
        return max(0, (timezone.localdate(self.submitted_at) - self.due_date).days)


class TaskProgress(models.Model):
    """Progress of one task indicator in one execution report (第七条)."""

    report = models.ForeignKey(ExecutionReport, on_delete=models.CASCADE, related_name="progress")
    task = models.ForeignKey(PlanTask, verbose_name="任务", on_delete=models.PROTECT, related_name="progress")
    actual_value = models.DecimalField("完成值", max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "任务指标进展"
        verbose_name_plural = "任务指标进展"
        constraints = [models.UniqueConstraint(fields=["report", "task"], name="progress_once")]

    def __str__(self) -> str:
        return f"{self.task} · {self.actual_value}"


class Inspection(models.Model):
    """监督检查 (第七条): the city authority's inspection of one plan's execution in one year."""

    version = models.ForeignKey(
        PlanVersion, verbose_name="规划版本", on_delete=models.PROTECT, related_name="inspections"
    )
    year = models.PositiveSmallIntegerField("检查年度")
    sampled_at = models.DateTimeField("抽取时间", default=timezone.now)
    sampled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    inspected_at = models.DateTimeField("检查完成时间", null=True, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    conclusion = models.TextField("检查结论", blank=True)

    class Meta:
        verbose_name = "规划执行监督检查"
        verbose_name_plural = "规划执行监督检查"
        ordering = ["-year", "version"]
        constraints = [models.UniqueConstraint(fields=["version", "year"], name="inspection_once")]

    def __str__(self) -> str:
        return f"{self.version} {self.year}年度检查"


class InspectionFinding(models.Model):
    """检查发现的问题 (第七条)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    severity = models.CharField("性质", max_length=10, choices=FindingSeverity.choices)
    text = models.TextField("问题描述")

    class Meta:
        verbose_name = "检查发现的问题"
        verbose_name_plural = "检查发现的问题"

    def __str__(self) -> str:
        return f"{self.get_severity_display()}：{self.text[:30]}"


class PlanScore(models.Model):
    """考核得分 (第七条): a plan's score for one year by the published scoring sheet (assessment.py)."""

    version = models.ForeignKey(
        PlanVersion, verbose_name="规划版本", on_delete=models.PROTECT, related_name="scores"
    )
    year = models.PositiveSmallIntegerField("考核年度")
    indicator_score = models.DecimalField("指标完成得分", max_digits=5, decimal_places=2)
    timeliness_score = models.DecimalField("报送及时性得分", max_digits=5, decimal_places=2)
    findings_score = models.DecimalField("检查发现得分", max_digits=5, decimal_places=2)
    total = models.DecimalField("总分", max_digits=5, decimal_places=2)
    detail = models.JSONField("计分明细", default=dict)
    computed_at = models.DateTimeField(default=timezone.now)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "规划执行考核得分"
        verbose_name_plural = "规划执行考核得分"
        ordering = ["-year", "version"]
        constraints = [
            models.UniqueConstraint(fields=["version", "year"], name="score_once"),
            models.CheckConstraint(condition=models.Q(total__gte=0, total__lte=100), name="score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.year}年度 {self.total}分"
