"""The core records every regulated procedure shares: cases, docket, obligations, attachments, audit."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin

from infogov.core.fields import StateField


class Case(ConcurrentTransitionMixin, models.Model):
    """A regulated matter moving through a declared workflow (plan, project, filing, …).

    The jurisdiction column is on every case table: it scopes what a user sees (第四条) and is
    the distribution key for sharding by jurisdiction.
    """

    reference = models.CharField("编号", max_length=32, blank=True, db_index=True)
    title = models.CharField("名称", max_length=200)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name="行政区域", on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "org.Organisation", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    state = StateField("状态", max_length=32, protected=True, db_index=True)
    version = models.PositiveIntegerField("版本", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    reference_prefix = "CASE"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if not self.reference and self.pk:
            self.reference = f"{self.reference_prefix}-{timezone.localtime(self.created_at):%Y}-{self.pk:06d}"
            type(self)._default_manager.filter(pk=self.pk).update(reference=self.reference)

    @classmethod
    def cosupervision_q(cls) -> models.Q | None:
        """Which cases of their jurisdiction co-supervisors (DRC, finance, audit) may read; None: none."""
        return None

    def is_cosupervised(self) -> bool:
        q = self.cosupervision_q()
        if q is None:
            return False
        return type(self)._default_manager.filter(q, pk=self.pk).exists()

    @property
    def case_key(self) -> str:
        return f"{self._meta.label_lower}:{self.pk}"


class CaseLinkQuerySet(models.QuerySet):
    def for_case(self, case: models.Model) -> Self:
        return self.filter(case_type=ContentType.objects.get_for_model(case), case_id=case.pk)


class CaseLink(models.Model):
    """Abstract generic link to a case (docket events, obligations, attachments, assignments)."""

    # No index of its own: every case-link table leads an index with (case_type, case_id). A lone
    # case_type index only misled PostgreSQL: for a case type with few rows in its statistics it
    # read a case's docket tail by scanning the whole type (99 ms at 10,000 events, not 0.06 ms).
    case_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    case_id = models.BigIntegerField()
    jurisdiction = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    @property
    def case(self) -> models.Model | None:
        model = self.case_type.model_class()
        return model._default_manager.filter(pk=self.case_id).first() if model else None


class DocketEvent(CaseLink):
    """案卷记录: one append-only event per transition or edit, hash-chained per case (第三十四条)."""

    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("经办人", max_length=100, blank=True)
    organisation = models.ForeignKey(
        "org.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("操作", max_length=50)
    action_label = models.CharField("操作名称", max_length=100, blank=True)
    from_state = models.CharField("原状态", max_length=32, blank=True)
    to_state = models.CharField("新状态", max_length=32, blank=True)
    citation = models.CharField("依据条款", max_length=50, blank=True)
    comment = models.TextField("意见", blank=True)
    attachments = models.JSONField("附件摘要", default=list, blank=True)
    payload = models.JSONField("数据", default=dict, blank=True)
    changes = models.JSONField("字段变更", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    # unique by a constraint, not unique=True, which on PostgreSQL adds a second (LIKE-pattern) index
    # on the hash: every event paid a random insert into both (a third of the docket's insert cost)
    hash = models.CharField(max_length=64)

    objects = CaseLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "案卷记录"
        verbose_name_plural = "案卷记录"
        ordering = ["case_type", "case_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "case_id", "seq"], name="docket_case_seq_unique"),
            models.UniqueConstraint(fields=["hash"], name="docket_hash_unique"),
        ]
        indexes = [models.Index(fields=["jurisdiction", "at"])]

    def __str__(self) -> str:
        return f"{self.case_type_id}:{self.case_id}#{self.seq} {self.action}"


class DocketSeal(models.Model):
    """A sealed batch of docket events, chained to the previous seal (global chain, 第三十四条)."""

    at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField()
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    digest = models.CharField(max_length=64)  # sha256 over the sealed events' hashes, in id order
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "案卷封存批次"
        verbose_name_plural = "案卷封存批次"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"封存批次 #{self.pk}（{self.count} 条）"


class DocketSealEntry(models.Model):
    """Which seal holds an event: insert-only, so that sealing never rewrites an event."""

    event = models.OneToOneField(
        DocketEvent, primary_key=True, on_delete=models.PROTECT, related_name="seal_entry"
    )
    seal = models.ForeignKey(DocketSeal, on_delete=models.PROTECT, related_name="entries")

    def __str__(self) -> str:
        return f"{self.event_id} → {self.seal_id}"


class ObligationQuerySet(CaseLinkQuerySet):
    def open(self) -> ObligationQuerySet:
        return self.filter(fulfilled_at__isnull=True, cancelled_at__isnull=True)

    def overdue(self, today=None) -> ObligationQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())


class Obligation(CaseLink):
    """Who owes what to whom, under which article, due when, fulfilled by which event."""

    code = models.CharField("义务代码", max_length=50)
    title = models.CharField("事项", max_length=200)
    citation = models.CharField("依据条款", max_length=50)
    owed_by = models.ForeignKey(
        "org.Organisation", verbose_name="义务单位", on_delete=models.PROTECT, related_name="obligations_owed"
    )
    owed_to = models.ForeignKey(
        "org.Organisation",
        verbose_name="权利单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="obligations_due",
    )
    due_date = models.DateField("期限")
    created_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        DocketEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fulfilled_at = models.DateTimeField("履行时间", null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        DocketEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        verbose_name = "法定义务"
        verbose_name_plural = "法定义务"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(
                fields=["owed_by", "fulfilled_at", "cancelled_at", "due_date"], name="obligation_todo"
            ),
            models.Index(fields=["case_type", "case_id", "code"], name="obligation_case"),
            models.Index(fields=["jurisdiction", "due_date"], name="obligation_jurisdiction"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.fulfilled_at is None and self.cancelled_at is None

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(CaseLink):
    """A document attached to a case; content-checked and fingerprinted with SHA-256."""

    file = models.FileField(upload_to=attachment_path)
    name = models.CharField("文件名", max_length=200)
    mime_type = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    purpose = models.CharField("用途", max_length=50, blank=True)

    objects = CaseLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["case_type", "case_id"], name="attachment_case")]

    def __str__(self) -> str:
        return self.name


class CaseAssignment(CaseLink):
    """An expert or reviewer assigned to a case; what makes a case visible to experts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    purpose = models.CharField("任务", max_length=50, default="review")
    assigned_at = models.DateTimeField(default=timezone.now)
    due_date = models.DateField("完成期限", null=True, blank=True)

    objects = CaseLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "任务分派"
        verbose_name_plural = "任务分派"
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "case_id", "user", "purpose"], name="assignment_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "case_type"], name="assignment_user")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.case_type_id}:{self.case_id} · {self.purpose}"


class Follow(CaseLink):
    """关注: a case a user follows (listed in the user's inbox under 关注)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField("关注时间", default=timezone.now)

    objects = CaseLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "关注"
        verbose_name_plural = "关注"
        constraints = [
            models.UniqueConstraint(fields=["user", "case_type", "case_id"], name="follow_unique"),
        ]
        indexes = [models.Index(fields=["case_type", "case_id"], name="follow_case")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.case_type_id}:{self.case_id}"


class AuditEvent(models.Model):
    """The platform audit trail (sign-ins, lockouts, refusals, administration, tokens, downloads, exports):
    read by the audit administrator only.

    Append-only and hash-chained (GB/T 22239-2019 8.1.4.3 安全审计): every insert takes the next `seq`
    under a lock and chains its hash to the previous event's (core/audit.py); database triggers refuse
    UPDATE and DELETE (core 0005); `manage.py docket_verify` recomputes the chain. No application path
    deletes an event (网络安全法第二十一条: kept at least six months; the platform keeps them all).
    """

    seq = models.PositiveBigIntegerField("序号", null=True, editable=False)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # PROTECT: an account that appears in the trail is deactivated, never deleted (and SET_NULL
    # would have to rewrite the event, which the triggers refuse and the hash would expose).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=50, db_index=True)
    target = models.CharField("对象", max_length=200, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["seq"], name="auditevent_seq_unique")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs) -> None:
        """Insert only, chained (core/audit.py); an existing event is never saved again."""
        if self.pk is not None and not self._state.adding:
            raise ValueError("审计日志只能追加，不能修改（平台规定）。")
        from infogov.core.audit import append

        append(self, *args, **kwargs)


class ApiToken(models.Model):
    """A machine client's bearer token: per user, revocable, only its SHA-256 kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("令牌前缀", max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


# 文号 (document numbers) live in their own module; imported here so that Django registers them
from infogov.core.docnumbers import DocumentNumberFormat, DocumentSequence  # noqa: E402, F401
