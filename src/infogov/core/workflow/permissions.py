"""Who may see what (第四条): one Scope per user, used both as a queryset filter and per object.

- department / unit staff: the cases their own organisation owns;
- authority staff and leaders: see every case of their jurisdiction and the jurisdictions below (第四条:
  the city authority supervises the whole city), but ACT only for their own level (`is_own_authority_of`):
  an article that gives an act to a level says so, and no article lets a higher authority act in a lower
  one's place (第十条's filing with the city for districts and zones is its own rule);
- government approvers: the cases of their own jurisdiction and below (they approve them);
- co-supervisors (DRC, finance, audit, planning): the co-supervised cases of their jurisdiction and below;
- experts: the cases they are assigned to;
- the three platform administrators: no case data at all.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import rules
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from infogov.org.choices import AUTHORITY_ROLES, OrganisationKind, Role


@dataclass
class Scope:
    user_id: int | None
    roles_by_org: dict[int, frozenset[str]] = field(default_factory=dict)
    authority_jurisdictions: frozenset[int] = frozenset()
    government_jurisdictions: frozenset[int] = frozenset()
    cosupervised_jurisdictions: frozenset[int] = frozenset()
    is_expert: bool = False
    own_authority_jurisdictions: frozenset[int] = frozenset()  # 本级: the authority's own jurisdictions

    @classmethod
    def anonymous(cls) -> Scope:
        return cls(user_id=None)

    @classmethod
    def for_user(cls, user: Any) -> Scope:
        from infogov.org.models import Jurisdiction, Membership

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls.anonymous()
        memberships = list(
            Membership.objects.filter(user=user)
            .select_related("organisation__jurisdiction")
            .only(
                "role",
                "organisation__id",
                "organisation__kind",
                "organisation__cosupervision",
                "organisation__jurisdiction__id",
                "organisation__jurisdiction__path",
            )
        )
        roles_by_org: dict[int, set[str]] = {}
        authority_paths, government_paths, cosup_paths = set(), set(), set()
        own_authority: set[int] = set()
        for m in memberships:
            org = m.organisation
            roles_by_org.setdefault(org.id, set()).add(m.role)
            path = org.jurisdiction.path
            if m.role in AUTHORITY_ROLES and org.kind == OrganisationKind.AUTHORITY:
                authority_paths.add(path)
                own_authority.add(org.jurisdiction.id)
            elif m.role == Role.GOV_APPROVER and org.kind == OrganisationKind.GOVERNMENT:
                government_paths.add(path)
            elif m.role == Role.CO_SUPERVISOR and org.cosupervision:
                cosup_paths.add(path)
        below = _jurisdictions_below(Jurisdiction, authority_paths | government_paths | cosup_paths)
        return cls(
            user_id=user.pk,
            roles_by_org={k: frozenset(v) for k, v in roles_by_org.items()},
            authority_jurisdictions=frozenset(
                j for j, p in below if any(p.startswith(a) for a in authority_paths)
            ),
            government_jurisdictions=frozenset(
                j for j, p in below if any(p.startswith(a) for a in government_paths)
            ),
            cosupervised_jurisdictions=frozenset(
                j for j, p in below if any(p.startswith(a) for a in cosup_paths)
            ),
            is_expert=any(Role.EXPERT in r for r in roles_by_org.values()),
            own_authority_jurisdictions=frozenset(own_authority),
        )

    # -- facts -------------------------------------------------------------------------------
    @cached_property
    def org_ids(self) -> frozenset[int]:
        """Organisations whose own cases this user works on (staff of any kind, not admins)."""
        case_roles = {Role.DEPT_STAFF, Role.AUTHORITY_STAFF, Role.AUTHORITY_LEADER, Role.GOV_APPROVER}
        return frozenset(o for o, r in self.roles_by_org.items() if r & case_roles)

    def org_ids_with_role(self, *roles_: str) -> frozenset[int]:
        return frozenset(o for o, r in self.roles_by_org.items() if r.intersection(roles_))

    def is_authority_for(self, jurisdiction_id: int) -> bool:
        """An authority of this jurisdiction or of one above it: may SEE and supervise (第四条), not act."""
        return jurisdiction_id in self.authority_jurisdictions

    def is_own_authority_of(self, jurisdiction_id: int) -> bool:
        """Staff of the 信息化主管部门 OF this jurisdiction (本级) — who acts for it."""
        return jurisdiction_id in self.own_authority_jurisdictions

    def is_government_of(self, jurisdiction_id: int) -> bool:
        return jurisdiction_id in self.government_jurisdictions

    def is_assigned(self, case: models.Model) -> bool:
        from infogov.core.models import CaseAssignment

        if not self.is_expert or self.user_id is None:
            return False
        return CaseAssignment.objects.for_case(case).filter(user_id=self.user_id).exists()

    # -- the two faces of one rule: a queryset filter and an object check --------------------
    def case_q(self, model: type[models.Model]) -> Q:
        if self.user_id is None:
            return Q(pk__in=[])
        q = Q(owner_id__in=self.org_ids) if self.org_ids else Q(pk__in=[])
        seen = self.authority_jurisdictions | self.government_jurisdictions
        if seen:
            q |= Q(jurisdiction_id__in=seen)
        cosup = model.cosupervision_q() if hasattr(model, "cosupervision_q") else None
        if self.cosupervised_jurisdictions and cosup is not None:
            q |= cosup & Q(jurisdiction_id__in=self.cosupervised_jurisdictions)
        if self.is_expert:
            from infogov.core.models import CaseAssignment

            q |= Q(
                pk__in=CaseAssignment.objects.filter(
                    user_id=self.user_id, case_type=ContentType.objects.get_for_model(model)
                ).values("case_id")
            )
        return q

    def can_view(self, case: Any) -> bool:
        if self.user_id is None:
            return False
        if case.owner_id in self.org_ids:
            return True
        if case.jurisdiction_id in self.authority_jurisdictions | self.government_jurisdictions:
            return True
        if (
            case.jurisdiction_id in self.cosupervised_jurisdictions
            and hasattr(case, "is_cosupervised")
            and case.is_cosupervised()
        ):
            return True
        return self.is_assigned(case)

    def can_change(self, case: Any) -> bool:
        """Editing a case's own content: its owner, or the authority of the case's own level (本级) —
        a higher authority supervises and reads, it does not edit a lower level's case (第四条)."""
        return self.user_id is not None and (
            case.owner_id
            in self.org_ids_with_role(Role.DEPT_STAFF, Role.AUTHORITY_STAFF, Role.AUTHORITY_LEADER)
            or self.is_own_authority_of(case.jurisdiction_id)
        )


def _jurisdictions_below(jurisdiction_model: Any, paths: set[str]) -> list[tuple[int, str]]:
    if not paths:
        return []
    q = Q()
    for p in paths:
        q |= Q(path__startswith=p)
    return list(jurisdiction_model.objects.filter(q).values_list("id", "path"))


# Scopes by (user id, scope_key), shared by the requests a process serves: computing one costs two
# queries (memberships; the jurisdictions below). The key is renewed in the user's row whenever the
# scope could change (core/org_signals.py), and the row is read anyway to authenticate the request, so a
# change reaches every process with its next request. Bounded; entries also expire, as a second line
# for changes made around the ORM (raw SQL, bulk updates).
_SCOPES: OrderedDict[tuple[int, str], tuple[float, Scope]] = OrderedDict()
_SCOPES_MAX = 4096
SCOPE_TTL_SECONDS = 300.0
_SCOPES_LOCK = threading.Lock()


def cached_scope(user: Any) -> Scope:
    key = getattr(user, "scope_key", "")
    if not getattr(user, "is_authenticated", False) or not user.pk or not key or not user.is_active:
        return Scope.for_user(user)
    now = time.monotonic()
    with _SCOPES_LOCK:
        hit = _SCOPES.get((user.pk, key))
        if hit is not None and now - hit[0] < SCOPE_TTL_SECONDS:
            _SCOPES.move_to_end((user.pk, key))
            return hit[1]
    scope = Scope.for_user(user)
    with _SCOPES_LOCK:
        _SCOPES[(user.pk, key)] = (now, scope)
        while len(_SCOPES) > _SCOPES_MAX:
            _SCOPES.popitem(last=False)
    return scope


def forget_scopes() -> None:
    """Empty this process's scope cache (tests; a management command after a raw-SQL change)."""
    with _SCOPES_LOCK:
        _SCOPES.clear()


SCOPE_MEMO = "_infogov_scope"  # the user object's own (scope_key, Scope), dropped by core/org_signals.py


def scope_of(user: Any) -> Scope:
    """What `user` may see; computed once per user object (and per process, see cached_scope)."""
    if not getattr(user, "is_authenticated", False):
        return Scope.anonymous()
    key = getattr(user, "scope_key", "")
    memo = getattr(user, SCOPE_MEMO, None)
    if memo is not None and memo[0] == key:
        return memo[1]
    scope = cached_scope(user)
    setattr(user, SCOPE_MEMO, (key, scope))
    return scope


def restrict(queryset: models.QuerySet, user: Any) -> models.QuerySet:
    """The selector every list goes through: only the cases `user` may see."""
    return queryset.filter(scope_of(user).case_q(queryset.model))


# rules-library predicates: object permissions for `user.has_perm("<app>.view_<model>", case)`.
@rules.predicate
def can_view_case(user: Any, case: Any) -> bool:
    return case is not None and scope_of(user).can_view(case)


@rules.predicate
def can_change_case(user: Any, case: Any) -> bool:
    return case is not None and scope_of(user).can_change(case) and not user.has_role(Role.AUDIT_ADMIN)


@rules.predicate
def is_audit_admin(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.has_role(Role.AUDIT_ADMIN)


@rules.predicate
def is_system_admin(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.has_role(Role.SYS_ADMIN)


@rules.predicate
def is_security_admin(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.has_role(Role.SEC_ADMIN)


def register_case_permissions(model: type[models.Model]) -> None:
    label = model._meta.app_label
    name = model._meta.model_name
    rules.add_perm(f"{label}.view_{name}", can_view_case)
    rules.add_perm(f"{label}.change_{name}", can_change_case)


rules.add_perm("core.view_auditevent", is_audit_admin)
