"""Shared fixtures: a small Jilin City — the city, 永吉县 (a county), 蛟河市 (a county-level city), 船营区 (a
district) and 吉林高新技术产业开发区 (a development zone) — with one user per role in each. The four kinds
below the city are there because the measures route acts by level: 第十条 filing goes to a county's or a
county-level city's own authority but to the city authority for a district or a zone."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import settings as hypothesis_settings

from infogov.org.choices import CoSupervision, JurisdictionKind, OrganisationKind, Role
from infogov.org.models import Jurisdiction, Membership, Organisation, User

# Hypothesis profiles. The workflow properties leave the number of examples to the profile and keep their
# strength in the number of steps each example takes. HYPOTHESIS_PROFILE=deep for a long run; under CI the
# `ci` profile (the default without a deadline: a shared CI machine's timings are not the code's).
hypothesis_settings.register_profile("default", max_examples=25, deadline=timedelta(seconds=2))
hypothesis_settings.register_profile("ci", hypothesis_settings.get_profile("default"), deadline=None)
hypothesis_settings.register_profile("deep", max_examples=1000, deadline=None)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)


@dataclass
class Land:
    """One jurisdiction with its authority, government, a department, a co-supervisor and users."""

    jurisdiction: Jurisdiction
    authority: Organisation
    government: Organisation
    department: Organisation
    finance: Organisation
    authority_user: User
    leader: User
    approver: User
    dept_user: User
    finance_user: User


_PASSWORD = make_password("demo-pass-123")  # one hash for every user of the world (MD5 in tests)


def _land(code: str, name: str, kind: str, parent: Jurisdiction | None, tag: str, b: _Batch) -> Land:
    j = Jurisdiction.objects.create(code=code, name=name, kind=kind, parent=parent)
    zone = kind == JurisdictionKind.DEV_ZONE  # 第四条第二款: the zone's department for the industrial economy
    authority = b.org(f"{name}经济发展局" if zone else f"{name}工业和信息化局", OrganisationKind.AUTHORITY, j)
    government = b.org(f"{name}管理委员会" if zone else f"{name}人民政府", OrganisationKind.GOVERNMENT, j)
    department = b.org(f"{name}卫生健康局", OrganisationKind.DEPARTMENT, j)
    finance = b.org(f"{name}财政局", OrganisationKind.DEPARTMENT, j, cosupervision=CoSupervision.FINANCE)
    return Land(
        jurisdiction=j,
        authority=authority,
        government=government,
        department=department,
        finance=finance,
        authority_user=b.user(f"{tag}_authority", authority, Role.AUTHORITY_STAFF),
        leader=b.user(f"{tag}_leader", authority, Role.AUTHORITY_LEADER),
        approver=b.user(f"{tag}_approver", government, Role.GOV_APPROVER),
        dept_user=b.user(f"{tag}_dept", department, Role.DEPT_STAFF),
        finance_user=b.user(f"{tag}_finance", finance, Role.CO_SUPERVISOR),
    )


class _Batch:
    """The world's organisations, users and memberships, written in three bulk inserts (the world is set
    up for almost every test: one by one it cost ~300 queries per test). The objects are those the
    tests hold; their primary keys are filled in by `save()` before any test sees them."""

    def __init__(self) -> None:
        self.orgs: list[Organisation] = []
        self.users: list[tuple[User, Organisation, str]] = []

    def org(self, name: str, kind: str, j: Jurisdiction, **extra: Any) -> Organisation:
        o = Organisation(name=name, kind=kind, jurisdiction=j, **extra)
        self.orgs.append(o)
        return o

    def user(self, username: str, org: Organisation, role: str) -> User:
        u = User(username=username, full_name=f"用户{username}", password=_PASSWORD, organisation=org)
        self.users.append((u, org, role))
        return u

    def save(self) -> None:
        Organisation.objects.bulk_create(self.orgs)
        for u, org, _ in self.users:
            u.organisation = org  # the organisation now has its primary key
        User.objects.bulk_create([u for u, _, _ in self.users])
        Membership.objects.bulk_create(
            [Membership(user=u, organisation=org, role=role) for u, org, role in self.users]
        )


@dataclass
class World:
    city: Land
    yongji: Land
    jiaohe: Land
    chuanying: Land
    gaoxin: Land
    expert: User
    expert_pool: Organisation
    sys_admin: User
    sec_admin: User
    audit_admin: User


@pytest.fixture
def world(db) -> World:
    b = _Batch()
    city = _land("220200", "吉林市", JurisdictionKind.CITY, None, "city", b)
    yongji = _land("220221", "永吉县", JurisdictionKind.COUNTY, city.jurisdiction, "yongji", b)
    jiaohe = _land("220281", "蛟河市", JurisdictionKind.COUNTY_CITY, city.jurisdiction, "jiaohe", b)
    chuanying = _land("220204", "船营区", JurisdictionKind.DISTRICT, city.jurisdiction, "chuanying", b)
    zone = JurisdictionKind.DEV_ZONE
    gaoxin = _land("220271", "吉林高新技术产业开发区", zone, city.jurisdiction, "gaoxin", b)
    pool = b.org("吉林市信息化专家库", OrganisationKind.EXPERT_POOL, city.jurisdiction)
    platform = b.org("平台运维中心", OrganisationKind.PLATFORM, city.jurisdiction)
    world = World(
        city=city,
        yongji=yongji,
        jiaohe=jiaohe,
        chuanying=chuanying,
        gaoxin=gaoxin,
        expert_pool=pool,
        expert=b.user("expert", pool, Role.EXPERT),
        sys_admin=b.user("sysadmin", platform, Role.SYS_ADMIN),
        sec_admin=b.user("secadmin", platform, Role.SEC_ADMIN),
        audit_admin=b.user("auditadmin", platform, Role.AUDIT_ADMIN),
    )
    b.save()
    return world


def fresh(user: User) -> User:
    """The same user without cached role/scope (as a new request would see them)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture(autouse=True)
def _content_types_of_this_database() -> None:
    """Every test starts with ContentType's process-wide cache empty. A transactional test flushes the
    tables (the content types come back with new ids) and a content type created inside a rolled-back
    test is gone with it: a cached id from an earlier test would point at no row (an obligation or a
    docket event written with it fails SQLite's foreign-key check at the end of the test)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture
def assert_max_queries():
    """`with assert_max_queries(8): client.get(url)` fails when the page makes more queries."""

    class _Assert:
        def __init__(self, limit: int) -> None:
            self.limit = limit
            self.ctx = CaptureQueriesContext(connection)

        def __enter__(self) -> CaptureQueriesContext:
            from django.apps import apps
            from django.contrib.contenttypes.models import ContentType

            ContentType.objects.get_for_models(*apps.get_models())  # once per process in production
            return self.ctx.__enter__()

        def __exit__(self, exc_type: Any, *rest: Any) -> None:
            self.ctx.__exit__(exc_type, *rest)
            if exc_type is None and len(self.ctx.captured_queries) > self.limit:
                sql = "\n".join(q["sql"] for q in self.ctx.captured_queries)
                raise AssertionError(
                    f"{len(self.ctx.captured_queries)} queries, at most {self.limit} allowed:\n{sql}"
                )

    return _Assert
