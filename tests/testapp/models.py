"""A test-only case type exercising the workflow core."""

from django.db import models

from infogov.core.models import Case


class WidgetState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已退回"
    DELIVERED = "delivered", "已交付"


class Widget(Case):
    """测试事项: a case with a budget and a security plan flag, for core tests only."""

    budget = models.DecimalField("预算（元）", max_digits=14, decimal_places=2, default=0)
    has_security_plan = models.BooleanField("已有信息安全方案", default=False)
    description = models.TextField("建设内容", blank=True)

    reference_prefix = "WG"

    class Meta:
        verbose_name = "测试事项"

    @classmethod
    def cosupervision_q(cls):
        return models.Q(budget__gt=0)


class WidgetInspection(models.Model):
    """监督检查记录: a record under a Widget, added by a Record step (the Core v2 example)."""

    widget = models.ForeignKey(Widget, on_delete=models.PROTECT, related_name="inspections")
    checked_on = models.DateField("检查日期")
    finding = models.TextField("检查发现")
    severity = models.CharField("性质", max_length=8, choices=[("一般", "一般"), ("严重", "严重")])
    recorded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "监督检查记录"

    def __str__(self) -> str:
        return f"{self.checked_on} {self.finding[:20]}"
