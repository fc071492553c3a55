"""Rules: article-cited checks that guard transitions (and the rules-library object permissions).

A rule has a code, a citation (第十三条第一款), a Chinese message and an effective date. It reads
the case and the context, never writes, and answers pass or fail with a reason.

Codes read A{article}-{paragraph}-{NAME} (A13-1-ACCEPTED), the article and paragraph they cite.

Two kinds of rule: actor rules say who may act (`actor=True`, or any code under 第四条, "A4-…"): the
level the article gives the act to — 本级 authority, 本级 government, the city authority. A refusal is a
403 and they apply on every day — a duty assigned by the measures has no commencement date before
which anyone may do it. Substantive rules (guards on the case) may carry a commencement date and are
skipped for acts dated before it (第三十五条).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from infogov.core.regulation.articles import Citation

MEASURES_IN_FORCE = dt.date(2015, 1, 1)  # 第三十五条
ACTOR_CODE_PREFIXES = ("A4-",)


def is_actor_code(code: str) -> bool:
    """A 第四条 rule's code: who may act, unless the rule says otherwise (Rule.actor)."""
    return code.startswith(ACTOR_CODE_PREFIXES)


class InputNotGiven(Exception):
    """A rule asked for the step's input where there is none yet (explain(): the form is not filled)."""


class _NoInputYet:
    """`ctx.input` while a step is only being explained: any field read means the rule depends on the
    input and cannot be judged before it is given (the rule then passes for now, and the form is
    shown; fire() judges it on the input)."""

    def __getattr__(self, name: str) -> Any:
        raise InputNotGiven(name)

    def __bool__(self) -> bool:
        return False


NO_INPUT_YET: Any = _NoInputYet()


@dataclass
class RuleContext:
    """What a rule may look at besides the case: who acts, on which day, with what input."""

    user: Any = None
    today: dt.date = field(default_factory=timezone.localdate)
    payload: dict[str, Any] = field(default_factory=dict)
    transition: str = ""
    input: Any = None  # the step's validated payload model, when it declares one
    act_date: dt.date | None = None  # the date of the act (第三十五条); None: the day it is taken

    @property
    def acted_on(self) -> dt.date:
        """The day whose law applies: the act's date when the step declares one, else today."""
        return self.act_date or self.today


@dataclass(frozen=True)
class RuleFailure:
    code: str
    citation: str
    message: str
    actor: bool = False  # a who-may-act refusal: a 403, not a 422

    @property
    def article(self) -> int:
        return Citation.parse(self.citation).article

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "article": self.citation, "message": self.message}


Check = Callable[[Any, RuleContext], "bool | str | None"]
# The same rule as a query: (user, case model) → Q of the cases on which the rule passes for `user`
# today, without input (what explain() answers). The inbox (core/workflow/inbox.py) finds work with it.
QueryOf = Callable[[Any, Any], Q]
NOTHING = Q(pk__in=[])
EVERYTHING = Q(pk__isnull=False)  # not Q(): Django drops an empty Q from an OR (x | Q() is x)


@dataclass(frozen=True)
class Rule:
    """An article-cited check. `check` returns True (pass), False (fail: the rule's message),
    a string (fail with that reason), or None (cannot be judged yet — treated as pass)."""

    code: str
    citation: str
    message: str
    check: Check
    effective: dt.date = MEASURES_IN_FORCE
    summary: str = ""
    actor: bool | None = None  # says who may act (a 403); None: decided by the code (A4-…, ROLE…)
    q: QueryOf | None = field(default=None, compare=False)  # the rule as a query (see as_query)

    def __post_init__(self) -> None:
        if self.actor is None:
            object.__setattr__(self, "actor", is_actor_code(self.code))
        if self.is_actor and self.effective != MEASURES_IN_FORCE:
            raise ValueError(
                f"actor rule {self.code} cannot have a commencement date: who may act applies on every day"
            )

    @property
    def article(self) -> int:
        return Citation.parse(self.citation).article

    @property
    def is_actor(self) -> bool:
        return bool(self.actor)

    def as_query(self, fn: QueryOf) -> QueryOf:
        """Declare the rule as a query too (a decorator): fn(user, case model) returns the Q of the cases
        on which the rule passes for the user — the inbox's filter. tests/core/test_inbox.py checks
        that it agrees with the rule's check (through explain())."""
        object.__setattr__(self, "q", fn)
        return fn

    def evaluate(self, case: Any, ctx: RuleContext) -> RuleFailure | None:
        # only a substantive rule waits for its commencement date; an actor rule refuses an
        # unauthorised user whatever day the context says it is
        if not self.is_actor and ctx.acted_on < self.effective:
            return None
        try:
            outcome = self.check(case, ctx)
        except InputNotGiven:
            return None  # depends on input not given yet: judged when the step is taken
        if outcome is True or outcome is None:
            if TRACE is not None:
                TRACE(self.code, False)
            return None
        if TRACE is not None:
            TRACE(self.code, True)
        reason = outcome if isinstance(outcome, str) else self.message
        return RuleFailure(self.code, self.citation, reason, actor=bool(self.actor))


# Set by the test suite's rule tracer (tests/rule_trace.py): called with (rule code, refused) on every
# evaluation, so that regulation_coverage can say which tests make each rule refuse.
TRACE: Callable[[str, bool], None] | None = None


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    *,
    citation: str,
    message: str,
    effective: str | dt.date = MEASURES_IN_FORCE,
    summary: str = "",
    actor: bool | None = None,
) -> Callable[[Check], Rule]:
    """Register a rule. The function's docstring quotes the clause it enforces. `actor=True` marks a
    rule that says who may act (refused as a 403, judged on every day)."""

    Citation.parse(citation)  # fail at import time on a malformed citation
    eff = dt.date.fromisoformat(effective) if isinstance(effective, str) else effective

    def register(fn: Check) -> Rule:
        if code in REGISTRY and REGISTRY[code].check.__qualname__ != fn.__qualname__:
            raise ValueError(f"rule code {code} registered twice")
        doc = (fn.__doc__ or "").strip()
        r = Rule(
            code=code,
            citation=citation,
            message=message,
            check=fn,
            effective=eff,
            summary=summary or (doc.splitlines()[0] if doc else message),
            actor=actor,
        )
        REGISTRY[code] = r
        return r

    return register


def evaluate_all(rules_: list[Rule], case: Any, ctx: RuleContext) -> list[RuleFailure]:
    return [f for r in rules_ if (f := r.evaluate(case, ctx)) is not None]


def _scope(ctx: RuleContext) -> Any:
    """The acting user's scope; an anonymous or missing user has the empty scope (may do nothing)."""
    from infogov.core.workflow.permissions import scope_of

    return scope_of(ctx.user)


def approves_for_government_of(ctx: RuleContext, jurisdiction_id: int) -> bool:
    """The acting user is an approver of the people's government (or development-zone committee) OF
    this jurisdiction — 本级 — not of one above it. (Scope.is_government_of answers "at or above",
    which is right for seeing cases, not for approving them.)"""
    from infogov.org.choices import OrganisationKind, Role
    from infogov.org.models import Organisation

    org_ids = _scope(ctx).org_ids_with_role(Role.GOV_APPROVER)
    if not org_ids:
        return False
    return Organisation.objects.filter(
        pk__in=org_ids, kind=OrganisationKind.GOVERNMENT, jurisdiction_id=jurisdiction_id
    ).exists()


# ---------------------------------------------------------------------------------------------
# Article 4: who acts. The city authority supervises the whole city; a county/district/zone
# authority its own jurisdiction; governments approve for their own level; owners act on their own.


@rule(
    "A4-AUTHORITY",
    citation="第四条第二款",
    message="只有该事项所在辖区的本级信息化主管部门才能办理；上级信息化主管部门可以查阅、监督，但不代为办理",
    summary="由本级信息化主管部门办理（本辖区内负责规划、指导、协调和监督管理）",
)
def acts_as_competent_authority(case: Any, ctx: RuleContext) -> bool:
    """县（市）、区人民政府和开发区管委会负责工业经济的部门是信息化主管部门，负责本辖区内信息化建设工作的……监督管理。

    本级: the authority OF the case's jurisdiction (city, county, county-level city, district or zone —
    第四条第二款 gives each of them its own authority). 第四条第一款 gives the city authority the
    supervision of the whole city: it SEES every case below (Scope.is_authority_for), but no article lets
    it act in a lower authority's place; where an article gives an act to the city for a lower level it
    is that article's own rule (第七条 A7-CITY-AUTHORITY, 第十条 A10-FILING-AUTHORITY)."""
    return _scope(ctx).is_own_authority_of(case.jurisdiction_id)


@rule(
    "A4-OWNER",
    citation="第四条第一款",
    message="只有该事项的责任单位（本单位）的经办人才能办理此步骤",
    summary="事项由其责任单位（编制单位、建设单位）经办",
)
def acts_for_owner(case: Any, ctx: RuleContext) -> bool:
    """责任单位对本单位事项负责；其他单位不得代为办理。"""
    return case.owner_id in _scope(ctx).org_ids_with_role("dept_staff", "authority_staff", "authority_leader")


@rule(
    "A4-GOVERNMENT",
    citation="第四条第二款",
    message="只有本级人民政府或开发区管委会的审批人员才能批准",
    summary="由本级人民政府或开发区管委会批准",
)
def acts_as_government(case: Any, ctx: RuleContext) -> bool:
    """……经本级人民政府或者开发区管委会批准……

    本级: the government of the case's own jurisdiction. No clause of the measures lets a higher
    government approve in a lower one's place (第五条第二款, 第九条第一款 both say 本级), so
    "at or above" — what seeing a case allows — is never right for approving one."""
    return approves_for_government_of(ctx, case.jurisdiction_id)


@rule(
    "A4-EXPERT",
    citation="第四条第一款",
    message="只有分派到该事项的专家才能提交论证意见",
    summary="专家只办理分派给本人的事项",
)
def acts_as_assigned_expert(case: Any, ctx: RuleContext) -> bool:
    """专家论证由受邀专家本人完成。"""
    return _scope(ctx).is_assigned(case)


@rule(
    "A34-NO-AUDIT-WRITE",
    citation="第三十四条",
    message="安全审计员只能查阅审计日志，不能办理或修改业务数据（三员分立）",
    summary="三员分立：审计管理员不得变更数据",
    actor=True,
)
def not_audit_admin(case: Any, ctx: RuleContext) -> bool:
    """工作人员在信息化工作中滥用职权……依法给予行政处分：审计职责与办理职责分离。"""
    return not getattr(ctx.user, "is_authenticated", False) or not ctx.user.has_role("audit_admin")


# -- the actor rules as queries (the inbox: which cases a user can act on, by a query) -------------


@acts_as_competent_authority.as_query
def _authority_q(user: Any, model: Any) -> Q:
    own = scope_of_user(user).own_authority_jurisdictions  # 本级 (A4-AUTHORITY)
    return Q(jurisdiction_id__in=own) if own else NOTHING


@acts_for_owner.as_query
def _owner_q(user: Any, model: Any) -> Q:
    orgs = scope_of_user(user).org_ids_with_role("dept_staff", "authority_staff", "authority_leader")
    return Q(owner_id__in=orgs) if orgs else NOTHING


@acts_as_government.as_query
def _government_q(user: Any, model: Any) -> Q:
    jurisdictions = government_jurisdictions_of(user)
    return Q(jurisdiction_id__in=jurisdictions) if jurisdictions else NOTHING


@acts_as_assigned_expert.as_query
def _expert_q(user: Any, model: Any) -> Q:
    from django.contrib.contenttypes.models import ContentType

    from infogov.core.models import CaseAssignment

    scope = scope_of_user(user)
    if not scope.is_expert or scope.user_id is None:
        return NOTHING
    assigned = CaseAssignment.objects.filter(
        user_id=scope.user_id, case_type=ContentType.objects.get_for_model(model)
    ).values("case_id")
    return Q(pk__in=assigned)


@not_audit_admin.as_query
def _not_audit_q(user: Any, model: Any) -> Q:
    audit_admin = getattr(user, "is_authenticated", False) and user.has_role("audit_admin")
    return NOTHING if audit_admin else EVERYTHING


def scope_of_user(user: Any) -> Any:
    from infogov.core.workflow.permissions import scope_of

    return scope_of(user)


def government_jurisdictions_of(user: Any) -> list[int]:
    """The jurisdictions whose people's government (or zone committee) the user approves for — 本级 only
    (approves_for_government_of as a list)."""
    from infogov.org.choices import OrganisationKind, Role
    from infogov.org.models import Organisation

    org_ids = scope_of_user(user).org_ids_with_role(Role.GOV_APPROVER)
    if not org_ids:
        return []
    return user_memo(
        user,
        "government-jurisdictions",
        lambda: list(
            Organisation.objects.filter(pk__in=org_ids, kind=OrganisationKind.GOVERNMENT).values_list(
                "jurisdiction_id", flat=True
            )
        ),
    )


def user_memo(user: Any, key: str, compute: Callable[[], Any]) -> Any:
    """A fact about the user computed once per user object (one request) and scope (the rules' queries
    ask for the same organisations for every step)."""
    memo = user.__dict__.setdefault("_infogov_rule_memo", {})
    full = (key, getattr(user, "scope_key", ""))
    if full not in memo:
        memo[full] = compute()
    return memo[full]
