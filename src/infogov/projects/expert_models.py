"""专家评审意见 (第九条第二款): the experts' opinions on a project's review, apart from the register's
models; projects.models imports it so that Django finds it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .choices import MANDATORY_DIMENSIONS, FindingConclusion


class ProjectExpertReview(models.Model):
    """专家评审意见 (第九条第二款): a convened expert's opinion on the four dimensions of a project's
    review, or the authority's note of why it is missing. The authority's 审查意见 cites them."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="expert_reviews")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="专家", on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField("提交期限")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("邀请时间", default=timezone.now)
    layout_conclusion = models.CharField(
        "规划布局结论", max_length=12, choices=FindingConclusion.choices, blank=True
    )
    layout_comment = models.TextField("规划布局意见", blank=True)
    standards_conclusion = models.CharField(
        "技术标准结论", max_length=12, choices=FindingConclusion.choices, blank=True
    )
    standards_comment = models.TextField("技术标准意见", blank=True)
    security_conclusion = models.CharField(
        "网络与信息安全结论", max_length=12, choices=FindingConclusion.choices, blank=True
    )
    security_comment = models.TextField("网络与信息安全意见", blank=True)
    sharing_conclusion = models.CharField(
        "信息资源共享结论", max_length=12, choices=FindingConclusion.choices, blank=True
    )
    sharing_comment = models.TextField("信息资源共享意见", blank=True)
    summary = models.TextField("综合意见", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    missing_reason = models.TextField("未提交意见的原因", blank=True)

    class Meta:
        verbose_name = "专家评审意见"
        verbose_name_plural = "专家评审意见"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "expert"], name="project_expert_review_unique")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def obligation_code(self) -> str:
        return f"expert-review-{self.pk}"

    @property
    def settled(self) -> bool:
        """Given, or its absence explained by the authority."""
        return self.submitted_at is not None or bool(self.missing_reason)

    def dimensions(self) -> list[tuple[str, str, str]]:
        """(dimension label, conclusion label, comment) for the four dimensions of 第九条第二款."""
        out = []
        for d in MANDATORY_DIMENSIONS:
            conclusion = getattr(self, f"{d.value}_conclusion")
            label = str(FindingConclusion(conclusion).label) if conclusion else ""
            out.append((str(d.label), label, getattr(self, f"{d.value}_comment")))
        return out
