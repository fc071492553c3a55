"""The government information resource catalogue and its exchange (第二十一条、第二十六至二十九条)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from infogov.core.models import Case

from .choices import (
    MASKED,
    BaseCategory,
    CorrectionOutcome,
    DataFormat,
    FieldType,
    OpenType,
    Sensitivity,
    ShareType,
    UpdateFrequency,
)


class Resource(Case):
    """政务信息资源目录条目 (第二十六、二十七、二十八条): what a collecting unit or a public-service
    unit holds, catalogued, reviewed by the authority and published for sharing."""

    catalogue_code = models.CharField("资源目录代码（类-项-目-细目）", max_length=20)
    provider_code = models.CharField("提供方内部代码", max_length=40, blank=True)
    summary = models.TextField("资源摘要")
    base_category = models.CharField("资源分类", max_length=20, choices=BaseCategory.choices)
    source_system = models.CharField("来源信息系统", max_length=200, blank=True)
    update_frequency = models.CharField(
        "更新周期", max_length=12, choices=UpdateFrequency.choices, default=UpdateFrequency.MONTHLY
    )
    share_type = models.CharField(
        "共享类型", max_length=16, choices=ShareType.choices, default=ShareType.CONDITIONAL
    )
    share_basis = models.TextField("共享条件或不予共享的依据", blank=True)
    open_type = models.CharField("开放类型", max_length=12, choices=OpenType.choices, default=OpenType.CLOSED)
    data_format = models.CharField(
        "数据格式", max_length=10, choices=DataFormat.choices, default=DataFormat.DATABASE
    )
    sensitivity = models.CharField(
        "资源密级与敏感程度", max_length=20, choices=Sensitivity.choices, default=Sensitivity.INTERNAL
    )
    record_key = models.CharField("记录标识字段", max_length=40, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    last_loaded_at = models.DateTimeField("最近更新数据时间", null=True, blank=True)

    reference_prefix = "ZY"

    class Meta:
        verbose_name = "政务信息资源"
        verbose_name_plural = "政务信息资源"
        indexes = [
            models.Index(fields=["state", "base_category"], name="resource_category"),
            models.Index(fields=["owner", "state"], name="resource_owner"),
        ]

    def field_codes(self) -> list[str]:
        return [f.code for f in self.fields.all()]


class ResourceField(models.Model):
    """信息项: one field of a resource with its type and sensitivity (第二十九条)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="fields")
    code = models.CharField("字段代码", max_length=40)
    name = models.CharField("信息项名称", max_length=100)
    field_type = models.CharField(
        "数据类型", max_length=12, choices=FieldType.choices, default=FieldType.TEXT
    )
    description = models.TextField("说明", blank=True)
    sensitivity = models.CharField(
        "敏感程度", max_length=20, choices=Sensitivity.choices, default=Sensitivity.INTERNAL
    )
    required = models.BooleanField("必填", default=False)
    code_list = models.JSONField("取值范围", default=list, blank=True)
    position = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "信息项"
        verbose_name_plural = "信息项"
        ordering = ["resource", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "code"], name="resource_field_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def masked(self) -> bool:
        return self.sensitivity in MASKED


class SharingRequest(Case):
    """共享申请与授权 (第二十七条第二款、第二十九条): a consumer organisation's request for a resource
    and, once granted, the grant — fields, purpose, period, the consumer's system, the exchange token."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="requests")
    purpose = models.TextField("使用用途")
    fields_requested = models.JSONField("申请的信息项", default=list, blank=True)
    legal_basis = models.TextField("申请依据", blank=True)
    period_start = models.DateField("使用期限起")
    period_end = models.DateField("使用期限止")
    consumer_system = models.CharField("使用方信息系统", max_length=200)
    clear_text_requested = models.BooleanField("申请明文使用个人信息", default=False)
    fields_granted = models.JSONField("授权的信息项", default=list, blank=True)
    clear_text = models.BooleanField("授权明文", default=False)
    decided_on = models.DateField("答复日期", null=True, blank=True)
    token_prefix = models.CharField(max_length=16, blank=True, db_index=True)
    token_digest = models.CharField(max_length=64, blank=True)

    reference_prefix = "GX"

    class Meta:
        verbose_name = "信息资源共享申请"
        verbose_name_plural = "信息资源共享申请"

    def is_active_on(self, day) -> bool:  # type: ignore[no-untyped-def]
        return self.state == "granted" and self.period_start <= day <= self.period_end


class CorrectionReport(models.Model):
    """校核纠错 (第二十七条第一款): a user of a resource reports a wrong record; the provider verifies
    and corrects within the platform's deadline and answers the reporter."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="corrections")
    reporter = models.ForeignKey("org.Organisation", on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, related_name="+")
    record_id = models.CharField("记录标识", max_length=64)
    field_code = models.CharField("信息项", max_length=40)
    problem = models.TextField("错误情况")
    evidence = models.TextField("依据材料", blank=True)
    reported_on = models.DateField("报告日期")
    outcome = models.CharField("核实结果", max_length=12, choices=CorrectionOutcome.choices, blank=True)
    answer = models.TextField("答复", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)

    class Meta:
        verbose_name = "校核纠错"
        verbose_name_plural = "校核纠错"
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.record_id} {self.field_code}"

    @property
    def duty_code(self) -> str:
        return f"resource-correction-{self.pk}"


class DataRecord(models.Model):
    """资源数据记录: one record of a resource, keyed by its record identifier; the values by field code.

    One table for every resource (PostgreSQL: a GIN jsonb_path_ops index serves equality filters on any
    field, migration 0002); docs/scaling.md describes partitioning it by resource."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+", db_index=False)
    record_id = models.CharField("记录标识", max_length=64)
    data = models.JSONField("数据", default=dict)
    loaded_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "资源数据记录"
        verbose_name_plural = "资源数据记录"
        constraints = [
            models.UniqueConstraint(fields=["resource", "record_id"], name="datarecord_key_unique")
        ]

    def __str__(self) -> str:
        return self.record_id
