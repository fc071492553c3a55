"""Document numbers (文号): 批准文号 on approvals, 备案号 on filings — numbered per issuing organisation,
kind and year, in the format each issuer uses (e.g. 吉市工信备〔2026〕12号).

GB/T 9704-2012 (党政机关公文格式) 7.2.3: a document number is the issuer's code (机关代字), the year in
六角括号 and the sequence number, without leading zeros ("〔2026〕12号"). The platform allocates the number
inside the transaction of the step that issues the document (an approval, a filing, a receipt), with the
issuer's sequence row locked: two steps issuing at the same time wait for each other and never get the same
number, and a step that is refused or rolled back gives its number back.

The format is set per issuer and kind by the system administrator (``DocumentNumberFormat``, in the admin);
without one, ``DEFAULT_TEMPLATES`` apply with the issuer's short name (简称, else its name) as its code.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction


class DocumentKind(models.TextChoices):
    APPROVAL = "approval", "批准文号"
    FILING = "filing", "备案号"


# {short}: the issuer's short name (简称, else its name); {year}: the year of the act; {n}: the sequence
DEFAULT_TEMPLATES = {
    DocumentKind.APPROVAL: "{short}批〔{year}〕{n}号",
    DocumentKind.FILING: "{short}备〔{year}〕{n}号",
}
PLACEHOLDERS = frozenset({"short", "year", "n"})


def check_template(template: str) -> None:
    """A template names {year} and {n}, and nothing but {short}, {year}, {n} (a ValidationError)."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        raise ValidationError("文号格式中的花括号不成对") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        bad = "、".join(sorted(unknown))
        raise ValidationError(f"文号格式只能使用 {{short}}、{{year}}、{{n}}，不能使用：{bad}")
    if not {"year", "n"} <= names:
        raise ValidationError("文号格式须包含年份 {year} 和顺序号 {n}")


class DocumentNumberFormat(models.Model):
    """文号格式 (GB/T 9704-2012 7.2.3): how one issuer writes a kind of number: 吉市工信备〔{year}〕{n}号."""

    issuer = models.ForeignKey(
        "org.Organisation", verbose_name="发文单位", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("文号类别", max_length=12, choices=DocumentKind.choices)
    template = models.CharField(
        "文号格式",
        max_length=60,
        validators=[check_template],
        help_text="{short} 为单位简称，{year} 为年份，{n} 为顺序号，如：吉市工信备〔{year}〕{n}号",
    )

    class Meta:
        app_label = "core"
        verbose_name = "文号格式"
        verbose_name_plural = "文号格式"
        constraints = [models.UniqueConstraint(fields=["issuer", "kind"], name="docnumber_format_unique")]

    def __str__(self) -> str:
        return self.template


class DocumentSequence(models.Model):
    """文号顺序号: the last number an issuer gave to one kind of document in one year."""

    issuer = models.ForeignKey(
        "org.Organisation", verbose_name="发文单位", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("文号类别", max_length=12, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用顺序号", default=0)

    class Meta:
        app_label = "core"
        verbose_name = "文号顺序号"
        verbose_name_plural = "文号顺序号"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "kind", "year"], name="docnumber_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id} {self.get_kind_display()} {self.year}：{self.last}"


def template_for(issuer: Any, kind: str) -> str:
    found = DocumentNumberFormat.objects.filter(issuer=issuer, kind=kind).values_list("template", flat=True)
    return found.first() or DEFAULT_TEMPLATES[DocumentKind(kind)]


def _next(issuer: Any, kind: str, year: int) -> int:
    """The next sequence number, the row locked until the caller's transaction ends."""
    rows = DocumentSequence.objects.select_for_update().filter(issuer=issuer, kind=kind, year=year)
    seq = rows.first()
    if seq is None:
        try:
            with transaction.atomic():  # a savepoint: the first number of a year may be asked for twice
                seq = DocumentSequence.objects.create(issuer=issuer, kind=kind, year=year, last=0)
        except IntegrityError:  # another step created it first (and has committed): lock that row
            seq = rows.get()
    seq.last += 1
    seq.save(update_fields=["last"])
    return seq.last


def allocate(issuer: Any, kind: str, on: dt.date) -> str:
    """The next document number of `issuer` for `kind` in the year of `on` (the date of the act).

    Call it inside the step's transaction (a step's effect): the number is the step's, committed with it
    or given back with it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("文号只能在办理步骤的事务内分配")
    n = _next(issuer, kind, on.year)
    short = (issuer.short_name or issuer.name).strip()
    return template_for(issuer, kind).format(short=short, year=on.year, n=n)
