"""Informatization projects (信息化工程项目) and their records: annual construction plans, reviews,
filings, procurement, testing, acceptance, funds, supervision (第三、六、九至十四、三十一条)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone

from infogov.core.models import Case

from .choices import (
    Category,
    ConditionStatus,
    FindingConclusion,
    FundingKind,
    Hosting,
    Network,
    ProcurementMethod,
    ProjectState,
    ProtectionLevel,
    ReviewDimension,
    ReviewOpinion,
    Severity,
    StandardKind,
)


class Standard(models.Model):
    """标准目录: national, local and industry standards; mandatory ones cannot be waived (第十二条)."""

    code = models.CharField("标准编号", max_length=40, unique=True)
    name = models.CharField("标准名称", max_length=200)
    kind = models.CharField("类别", max_length=12, choices=StandardKind.choices)
    mandatory = models.BooleanField("强制性", default=False)
    categories = models.JSONField(
        "适用项目类别", default=list, blank=True, help_text="为空表示适用于全部类别"
    )
    active = models.BooleanField("现行有效", default=True, help_text="被代替或废止的标准不再供选择")

    class Meta:
        verbose_name = "标准"
        verbose_name_plural = "标准目录"
        ordering = ["-mandatory", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def applies_to(self, category: str) -> bool:
        return not self.categories or category in self.categories


class AnnualConstructionPlan(Case):
    """使用财政性资金的信息化工程项目建设年度计划 (第九条第一款): assembled by the authority,
    approved by the government or management committee of its level."""

    year = models.PositiveSmallIntegerField("年度")
    approval_number = models.CharField("批准文号", max_length=60, blank=True)

    reference_prefix = "ND"

    class Meta:
        verbose_name = "年度建设计划"
        verbose_name_plural = "年度建设计划"
        ordering = ["-year", "jurisdiction__code"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "year"], name="annual_plan_unique")]


class Project(Case):
    """信息化工程项目 (第九至十四条、第三十一条): the construction unit (建设单位) is the case owner."""

    category = models.CharField("项目类别", max_length=16, choices=Category.choices)
    funding_kind = models.CharField("资金性质", max_length=12, choices=FundingKind.choices, db_index=True)
    budget_source = models.CharField(
        "预算来源", max_length=200, blank=True, help_text="财政性资金：列入哪一级、哪一年度预算（第三条）"
    )
    special_fund = models.CharField("信息化发展专项资金", max_length=200, blank=True)
    funding_source = models.CharField("资金来源", max_length=200, blank=True, help_text="非财政性资金的来源")
    budget = models.DecimalField(
        "预算金额（元）",
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        max_digits=16,
        decimal_places=2,
    )
    year = models.PositiveSmallIntegerField("建设年度", db_index=True)
    content = models.TextField("建设内容")
    systems = models.JSONField("新建或改造的系统", default=list, blank=True)
    data_resources = models.JSONField("产生或使用的信息资源", default=list, blank=True)
    network = models.CharField(
        "接入网络", max_length=16, choices=Network.choices, default=Network.EGOV_EXTRANET
    )
    hosting = models.CharField("部署方式", max_length=16, choices=Hosting.choices, default=Hosting.GOV_CLOUD)
    planned_start = models.DateField("计划开工", null=True, blank=True)
    planned_completion = models.DateField("计划竣工", null=True, blank=True)
    plan_task_ref = models.CharField(
        "落实的规划任务",
        max_length=200,
        blank=True,
        help_text="信息化发展规划中的任务编号（规划模块上线后改为关联）",
    )
    standards = models.ManyToManyField(
        Standard, verbose_name="执行的标准", blank=True, related_name="projects"
    )
    security_plan = models.TextField("信息安全保障方案", blank=True)
    security_level = models.PositiveSmallIntegerField(
        "拟定安全保护等级", choices=ProtectionLevel.choices, null=True, blank=True
    )
    security_measures = models.JSONField("计划建设的安全措施", default=list, blank=True)
    procedures_completed = models.TextField(
        "已办理的建设手续", blank=True, help_text="第十条：依法办理建设相关手续后备案"
    )
    annual_plan = models.ForeignKey(
        AnnualConstructionPlan,
        verbose_name="年度计划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    filing_number = models.CharField("备案号", max_length=40, blank=True)
    completed_on = models.DateField("竣工日期", null=True, blank=True)
    risk_override = models.PositiveSmallIntegerField(
        "人工调整风险等级", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    risk_override_reason = models.TextField("调整理由", blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    # [[item, words]] of the data it will collect (shared_data.cut_collected), cut when saved: the
    # 不重复采集 matches on its page are then a query, not a run of the segmenter. Nullable without a
    # default so that SQLite adds the column in place: a NOT NULL column makes Django rebuild the table,
    # which drops the similarity index's triggers on it (tests/projects/test_shared_data.py)
    collected_words = models.JSONField(editable=False, null=True, blank=True)

    reference_prefix = "XM"
    # PostgreSQL: the words of search_text as a stored array with a GIN index (migration
    # 0011_search_words_column); core.text.HasWords reads it instead of splitting the text per row
    SEARCH_WORDS = {"search_text": "search_words"}

    class Meta:
        verbose_name = "信息化工程项目"
        verbose_name_plural = "信息化工程项目"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["jurisdiction", "year", "state"], name="project_jur_year_state"),
            models.Index(fields=["owner", "state"], name="project_owner_state"),
            # 我的待办 (core/workflow/inbox.py): the cases of these jurisdictions in the states a step of
            # the user's starts from, of every year
            models.Index(fields=["jurisdiction", "state"], name="project_jur_state"),
            # the register's list filtered by year and funding, newest first: the page is read in
            # index order and the count is an index-only scan (scope columns included; PostgreSQL)
            models.Index(
                fields=["year", "funding_kind", "created_at", "id"],
                include=["jurisdiction", "owner"],
                name="project_list_year_kind",
            ),
        ]

    @classmethod
    def cosupervision_q(cls) -> Q:
        """第十四条: DRC, finance and audit co-supervise the projects that use fiscal funds."""
        return Q(funding_kind=FundingKind.FISCAL)

    @property
    def is_fiscal(self) -> bool:
        return self.funding_kind == FundingKind.FISCAL

    @property
    def needs_filing(self) -> bool:
        """第十条: non-fiscal public-infrastructure and security projects file with the authority."""
        return not self.is_fiscal and self.category in (Category.INFRASTRUCTURE, Category.SECURITY)

    @property
    def needs_outsourcing_review(self) -> bool:
        """第十一条第二款."""
        return self.is_fiscal and self.category == Category.OUTSOURCING

    def similarity_text(self) -> str:
        parts = [self.title, self.content, " ".join(str(s) for s in self.systems)]
        parts += [str(d.get("name", d)) if isinstance(d, dict) else str(d) for d in self.data_resources]
        return "\n".join(p for p in parts if p)

    def disbursed_total(self) -> Decimal:
        total = self.disbursements.aggregate(t=Sum("amount"))["t"] or Decimal("0")
        return Decimal(total).quantize(Decimal("0.01"))

    def latest_progress(self) -> int:
        p = self.progress_reports.order_by("-reported_on", "-id").values_list("percent", flat=True).first()
        return p or 0


class ReviewFinding(models.Model):
    """评审意见中的一项 (第九条第二款): one dimension's finding."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="findings")
    dimension = models.CharField("评审内容", max_length=12, choices=ReviewDimension.choices)
    conclusion = models.CharField("结论", max_length=12, choices=FindingConclusion.choices)
    text = models.TextField("评审意见")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "评审意见"
        verbose_name_plural = "评审意见"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "dimension"], name="finding_dimension_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()}：{self.get_conclusion_display()}"


class ProjectReview(models.Model):
    """审查意见 (第九条第二款): the authority's opinion on a planned project."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="review")
    opinion = models.CharField("审查意见", max_length=12, choices=ReviewOpinion.choices)
    comment = models.TextField("说明", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    approval_number = models.CharField("批准文号", max_length=60, blank=True)
    expert_reviews: models.ManyToManyField[ProjectExpertReview, Any] = models.ManyToManyField(
        "ProjectExpertReview", verbose_name="引用的专家评审意见", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "审查意见"
        verbose_name_plural = "审查意见"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def passed(self) -> bool:
        return self.opinion in (ReviewOpinion.PASS, ReviewOpinion.CONDITIONAL)


class ReviewCondition(models.Model):
    """A condition attached to a conditional pass: an obligation of the construction unit (第九条第二款)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="conditions")
    text = models.TextField("整改条件")
    due_date = models.DateField("答复期限")
    answer = models.TextField("落实情况", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        "落实状态", max_length=12, choices=ConditionStatus.choices, default=ConditionStatus.OPEN
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)

    class Meta:
        verbose_name = "审查条件"
        verbose_name_plural = "审查条件"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def obligation_code(self) -> str:
        return f"review-condition-{self.pk}"

    @property
    def verify_code(self) -> str:
        """The authority's duty to verify this condition's answer."""
        return f"verify-condition-{self.pk}"

    @property
    def verified(self) -> bool:
        return self.status == ConditionStatus.VERIFIED


class SimilarityHit(models.Model):
    """A similar project or information system found at submission (第六条 避免重复建设)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="similar_hits")
    other_project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # a system of the security app's register (read through infogov.security.selectors: a key, not a
    # foreign key), with its name as it was when the comparison found it
    other_system_id = models.BigIntegerField("相似的信息系统", null=True, blank=True)
    other_system_title = models.CharField("相似的信息系统名称", max_length=200, blank=True)
    score = models.FloatField("相似度")
    method = models.CharField("算法", max_length=12)
    acknowledged = models.BooleanField("评审已回应", default=False)
    note = models.TextField("回应说明", blank=True)
    shared_terms = models.JSONField("共同词", default=list, blank=True)

    class Meta:
        verbose_name = "相似项目"
        verbose_name_plural = "相似项目"
        ordering = ["-score", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def other_label(self) -> str:
        if self.other_project_id:
            return str(self.other_project)
        return f"信息系统：{self.other_system_title}" if self.other_system_id else ""

    @property
    def highlighted_label(self) -> str:
        """other_label, escaped, with the shared words in <mark> (similarity.highlight)."""
        from .similarity_synonyms import highlight

        return highlight(self.other_label, self.shared_terms or [])


class OutsourcingReview(models.Model):
    """信息服务外包项目审核 (第十一条第二款)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="outsourcing_review")
    approved = models.BooleanField("审核通过")
    opinion = models.TextField("审核意见")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "外包项目审核"
        verbose_name_plural = "外包项目审核"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class ProcurementRecord(models.Model):
    """政府集中采购记录 (第十一条第一款)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="procurement")
    method = models.CharField("采购方式", max_length=16, choices=ProcurementMethod.choices)
    notice_number = models.CharField("采购公告编号", max_length=60)
    supplier = models.CharField("中标（成交）供应商", max_length=200)
    contract_amount = models.DecimalField("合同金额（元）", max_digits=16, decimal_places=2)
    contract_date = models.DateField("合同签订日期")

    class Meta:
        verbose_name = "政府采购记录"
        verbose_name_plural = "政府采购记录"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class ProgressReport(models.Model):
    """建设进度报告 (第十四条 完成情况)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress_reports")
    reported_on = models.DateField("报告日期")
    percent = models.PositiveSmallIntegerField("完成比例（%）", validators=[MaxValueValidator(100)])
    note = models.TextField("进展说明", blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "进度报告"
        verbose_name_plural = "进度报告"
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Disbursement(models.Model):
    """资金支付 (第十四条 资金使用情况)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="disbursements")
    paid_on = models.DateField("支付日期")
    amount = models.DecimalField(
        "金额（元）", validators=[MinValueValidator(Decimal("0.01"))], max_digits=16, decimal_places=2
    )
    purpose = models.CharField("用途", max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "资金支付"
        verbose_name_plural = "资金支付"
        ordering = ["-paid_on", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class TestReport(models.Model):
    """测试报告 (第十三条第一款): testing by national or industry standards after completion."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="test_reports")
    tester = models.CharField("测试机构", max_length=200)
    tested_on = models.DateField("测试日期")
    passed = models.BooleanField("测试结论：通过")
    standards = models.JSONField("测试依据的标准", default=list, blank=True)
    summary = models.TextField("测试结论说明", blank=True)

    class Meta:
        verbose_name = "测试报告"
        verbose_name_plural = "测试报告"
        ordering = ["-tested_on", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Acceptance(models.Model):
    """验收 (第十三条): committee, conclusion, and the evidence that security was built (第三十一条)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="acceptances")
    held_on = models.DateField("验收日期")
    committee = models.JSONField("验收组成员", default=list)
    passed = models.BooleanField("验收合格")
    opinion = models.TextField("验收意见", blank=True)
    security_measures_built = models.JSONField("已建成的安全措施", default=list, blank=True)
    security_evidence = models.TextField("安全措施建设证明", blank=True)

    class Meta:
        verbose_name = "验收记录"
        verbose_name_plural = "验收记录"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class AcceptanceFiling(models.Model):
    """验收结果备案 (第十三条第二款): fiscal projects file their acceptance result with the authority."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="acceptance_filing")
    acceptance = models.ForeignKey(Acceptance, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # the acceptance report (验收报告) as filed
    report_date = models.DateField("验收报告日期", null=True, blank=True)
    conclusion = models.TextField("验收结论", blank=True)
    organiser = models.CharField("组织验收单位", max_length=200, blank=True)
    participants = models.JSONField("参加验收的单位和人员", default=list, blank=True)
    issues = models.TextField("遗留问题及处理意见", blank=True)
    attachments = models.ManyToManyField(
        "core.Attachment", verbose_name="验收报告及附件", blank=True, related_name="+"
    )
    # the authority's receipt (备案回执)
    received_at = models.DateTimeField("确认收到时间", null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt_number = models.CharField("备案号", max_length=60, blank=True)
    receipt_note = models.TextField("回执说明", blank=True)

    class Meta:
        verbose_name = "验收结果备案"
        verbose_name_plural = "验收结果备案"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class SupervisionInspection(models.Model):
    """监督检查 (第十四条): by the authority with DRC, finance and audit."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="inspections")
    opened_on = models.DateField("检查日期")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cosupervisors = models.ManyToManyField(
        "org.Organisation", verbose_name="协同监督部门", blank=True, related_name="+"
    )
    subject = models.CharField("检查内容", max_length=200, default="项目完成情况和资金使用情况")
    summary = models.TextField("检查情况", blank=True)

    class Meta:
        verbose_name = "监督检查"
        verbose_name_plural = "监督检查"
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class InspectionFinding(models.Model):
    """检查发现的问题，限期整改 (第十四条)."""

    inspection = models.ForeignKey(SupervisionInspection, on_delete=models.CASCADE, related_name="findings")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="inspection_findings")
    text = models.TextField("问题")
    severity = models.CharField("严重程度", max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    due_date = models.DateField("整改期限")
    rectification = models.TextField("整改情况", blank=True)
    rectified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "检查问题"
        verbose_name_plural = "检查问题"
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def obligation_code(self) -> str:
        return f"rectify-finding-{self.pk}"


ACTIVE_STATES = (
    ProjectState.PROCURED,
    ProjectState.CONSTRUCTION,
    ProjectState.COMPLETED,
    ProjectState.TESTED,
    ProjectState.ACCEPTED,
)


# models kept in their own modules, imported here so that Django finds them: the experts' opinions
# (expert_models.py), the duplicate-construction index and the synonym groups (第六条)
from .expert_models import ProjectExpertReview  # noqa: E402
from .similarity_models import (  # noqa: E402, F401
    SimilarityDocument,
    SimilarityPosting,
    SimilarityStale,
    SimilarityTerm,
)
from .similarity_synonyms import SynonymGroup  # noqa: E402, F401
