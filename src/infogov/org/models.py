"""Jurisdictions, organisations, users and their roles (第四条)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from .choices import ADMIN_ROLES, AUTHORITY_ROLES, CoSupervision, JurisdictionKind, OrganisationKind, Role
from .identifiers import credit_code_error, normalise_identifier


class Jurisdiction(models.Model):
    """A level of government: 吉林市 and the counties, districts and development zones below it (第四条)."""

    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    kind = models.CharField("类型", max_length=16, choices=JurisdictionKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes ("220200/220221/"): "this jurisdiction and below" is a prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "行政区域"
        verbose_name_plural = "行政区域"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.path = (self.parent.path if self.parent else "") + f"{self.code}/"
        super().save(*args, **kwargs)

    @property
    def is_city(self) -> bool:
        return self.kind == JurisdictionKind.CITY

    def covers(self, other: Jurisdiction) -> bool:
        """True when `other` is this jurisdiction or lies below it."""
        return other.path.startswith(self.path)


class Organisation(models.Model):
    """An organisation in a jurisdiction: authority, government, department, unit, enterprise, expert pool."""

    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=20, choices=OrganisationKind.choices, db_index=True)
    cosupervision = models.CharField(
        "协同监督职能", max_length=12, choices=CoSupervision.choices, blank=True, default=""
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="所属行政区域", on_delete=models.PROTECT, related_name="organisations"
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["jurisdiction__sort_order", "kind", "name"]
        indexes = [models.Index(fields=["jurisdiction", "kind"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The credit code, when given, is stored normalised (NFKC, upper case) and must be a valid
        GB 32100-2015 code with its check characters (org/identifiers.py)."""
        super().clean()
        if self.credit_code:
            self.credit_code = normalise_identifier(self.credit_code)
            error = credit_code_error(self.credit_code)
            if error:
                raise ValidationError({"credit_code": error})


def new_scope_key() -> str:
    return secrets.token_hex(8)


class User(AbstractUser):
    """A person who signs in; what they may do comes from their memberships (第四条)."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    # Renewed whenever what the user may see changes (a membership, an organisation or the jurisdiction
    # tree; see core/org_signals.py): every process caches the user's Scope under (id, scope_key), so a
    # change reaches all of them with the next request that loads the user row (core's scope_of).
    scope_key = models.CharField(max_length=16, default=new_scope_key, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_set(self) -> frozenset[str]:
        if not self.is_authenticated or not self.pk:
            return frozenset()
        return (_roles_reader or _roles_from_memberships)(self)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_authority(self) -> bool:
        return bool(self.role_set & AUTHORITY_ROLES)

    @property
    def is_platform_admin(self) -> bool:
        return bool(self.role_set & ADMIN_ROLES)


class Membership(models.Model):
    """A role a user holds in an organisation (第四条)."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name="单位", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


# Where User.role_set comes from. org imports nothing of the platform's (pyproject.toml,
# [tool.importlinter]), so on its own it reads the memberships (one query); core installs a reader
# that shares its per-process Scope cache at ready() (core/org_signals.py), so that a request whose
# user's scope is cached reads the roles without a query.
_roles_reader: Callable[[Any], frozenset[str]] | None = None


def _roles_from_memberships(user: User) -> frozenset[str]:
    if not user.is_active:
        return frozenset()
    return frozenset(Membership.objects.filter(user=user).values_list("role", flat=True))


def use_roles_reader(reader: Callable[[Any], frozenset[str]] | None) -> None:
    """Read User.role_set with `reader` (None: from the memberships)."""
    global _roles_reader
    _roles_reader = reader
