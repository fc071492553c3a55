"""The planning rules said as queries, for the inbox (我的待办, core/workflow/inbox.py).

Each function returns the Q of the plan versions on which the rule passes for `user` — what the
rule's check answers case by case (tests/core/test_inbox.py compares them through explain()). Loaded
by the inbox (core.workflow.inbox.load_queries)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from infogov.core.workflow.rules import (
    EVERYTHING,
    NOTHING,
    government_jurisdictions_of,
    scope_of_user,
    user_memo,
)
from infogov.org.choices import AUTHORITY_ROLES, OrganisationKind, Role
from infogov.org.models import Organisation

from . import rules as r
from .choices import PlanLevel


def _authority_jurisdictions(user: Any) -> list[int]:
    """The jurisdictions of the authorities the user works in (本级, not below)."""
    orgs = scope_of_user(user).org_ids_with_role(*AUTHORITY_ROLES)
    if not orgs:
        return []
    return user_memo(
        user,
        "authority-jurisdictions",
        lambda: list(
            Organisation.objects.filter(pk__in=orgs, kind=OrganisationKind.AUTHORITY).values_list(
                "jurisdiction_id", flat=True
            )
        ),
    )


def _level_or(level: str, q: Q) -> Q:
    """The rule applies to one level only (it passes, None, on the others)."""
    return ~Q(level=level) | q


@r.approves_city_plan.as_query
def _city_approver(user: Any, model: Any) -> Q:
    gov = government_jurisdictions_of(user)
    return _level_or(PlanLevel.CITY, Q(jurisdiction_id__in=gov) if gov else NOTHING)


@r.approves_local_plan.as_query
def _local_approver(user: Any, model: Any) -> Q:
    gov = government_jurisdictions_of(user)
    return _level_or(PlanLevel.LOCAL, Q(jurisdiction_id__in=gov) if gov else NOTHING)


@r.approves_special_plan.as_query
def _special_approver(user: Any, model: Any) -> Q:
    scope = scope_of_user(user)
    leader = scope.org_ids_with_role(Role.AUTHORITY_LEADER)
    staff = scope.org_ids_with_role(Role.DEPT_STAFF)
    q = NOTHING
    if leader:
        q |= Q(owner_id__in=leader, owner__kind=OrganisationKind.AUTHORITY)
    if staff:
        q |= Q(owner_id__in=staff) & ~Q(owner__kind=OrganisationKind.AUTHORITY)
    return _level_or(PlanLevel.SPECIAL, q)


@r.receives_local_filing.as_query
def _local_filing(user: Any, model: Any) -> Q:
    """第五条第二款: every local plan files with the city authority."""
    from infogov.org.selectors import authority_of, city

    orgs = scope_of_user(user).org_ids_with_role(*AUTHORITY_ROLES)
    is_city_authority = (
        bool(orgs) and user_memo(user, "city-authority", lambda: authority_of(city()).pk) in orgs
    )
    return _level_or(PlanLevel.LOCAL, EVERYTHING if is_city_authority else NOTHING)


@r.receives_special_filing.as_query
def _special_filing(user: Any, model: Any) -> Q:
    """第五条第三款: a special plan files with the authority of its own jurisdiction."""
    mine = _authority_jurisdictions(user)
    return _level_or(PlanLevel.SPECIAL, Q(jurisdiction_id__in=mine) if mine else NOTHING)


# -- guards that read the version's own columns ----------------------------------------------------


@r.city_plan_not_filed.as_query
def _city_not_filed(user: Any, model: Any) -> Q:
    return ~Q(level=PlanLevel.CITY)


@r.special_plan_not_published.as_query
def _special_not_published(user: Any, model: Any) -> Q:
    return ~Q(level=PlanLevel.SPECIAL)


@r.local_plan_published_before_filing.as_query
def _local_published(user: Any, model: Any) -> Q:
    return _level_or(PlanLevel.LOCAL, Q(published_at__isnull=False))


@r.city_plan_published.as_query
def _city_published(user: Any, model: Any) -> Q:
    return _level_or(PlanLevel.CITY, Q(approved_at__isnull=False, published_at__isnull=False))


@r.local_plan_filed.as_query
def _local_filed(user: Any, model: Any) -> Q:
    return _level_or(PlanLevel.LOCAL, Q(published_at__isnull=False, filed_at__isnull=False))


@r.special_plan_filed.as_query
def _special_filed(user: Any, model: Any) -> Q:
    return _level_or(PlanLevel.SPECIAL, Q(filed_at__isnull=False))


@r.one_opinion_per_round.as_query
def _no_opinion_yet(user: Any, model: Any) -> Q:
    from django.db.models import Exists, OuterRef

    from .models import ExpertOpinion

    given = ExpertOpinion.objects.filter(
        version=OuterRef("pk"), expert_id=getattr(user, "pk", None), round=OuterRef("review_round")
    )
    return ~Q(Exists(given))
