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
