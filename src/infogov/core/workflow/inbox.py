"""我的待办 / 已办 / 关注: what a user can act on now, found by queries from the declarations.

待办 has two parts:

- **Steps.** For every registered case type and every inbox step of its workflow (Step.inbox; by
  default a Transition of the primary style), the cases on which the user can take the step now: the
  case is in one of the step's states AND every actor rule passes for the user AND every guard that can
  be said as a query passes. Each rule says itself as a query (``Rule.as_query``, core/workflow/rules.py
  and each app's ``inbox_queries`` module), so a case type costs one COUNT and one page query however
  many cases there are — never a loop calling explain() per case. A step whose actor rule has no query
  is left out of the inbox (it is still offered on the case page). tests/core/test_inbox.py checks
  that the queries agree with explain(). Guards that are not queries (they read the input or other
  records) are judged on the case page, where the step shows what is still missing.
- **Duties.** The open obligations owed by the user's organisations (obligations.todo_for), overdue
  first. A duty that only another body's step can fulfil (the step that closes it is not the user's
  to take) is listed apart as 等待他方办理, not as a to-do.

已办: the docket events the user recorded. 关注: the cases the user follows (core.Follow).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import operator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import models
from django.db.models import (
    Case,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from infogov.core.models import CaseAssignment, DocketEvent, Follow, Obligation
from infogov.core.workflow.inbox_sql import (
    StepsSQL,
    bounded_count_sql,
    compiled,
    fetch,
    first_by_wait,
    limited,
    page_rows,
    sql_of,
)
from infogov.core.workflow.inbox_sql import forget_compiled as forget_compiled  # re-exported
from infogov.core.workflow.obligations import todo_for
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import EVERYTHING, NOTHING, Rule, acts_as_assigned_expert, not_audit_admin
from infogov.core.workflow.steps import Step, Transition, Workflow, workflow_for

COUNT_TTL_SECONDS = 30  # the menu's count: recomputed at most every 30 s per user
COUNT_CAP = 100  # counts stop here: "99+" (a bounded count reads at most this many rows per case type)


def count_label(n: int) -> str:
    """How a bounded count is shown: the number, or "99+" once it reaches COUNT_CAP."""
    return f"{COUNT_CAP - 1}+" if n >= COUNT_CAP else str(n)


@functools.cache
def load_queries() -> None:
    """Import every app's ``inbox_queries`` module (where an app says its rules as queries)."""
    for config in django_apps.get_app_configs():
        if config.name.startswith(("infogov.", "tests.")):
            try:
                importlib.import_module(f"{config.name}.inbox_queries")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.inbox_queries":
                    raise


def in_inbox(step: Step) -> bool:
    flag = getattr(step, "inbox", None)
    if flag is not None:
        return bool(flag)
    return isinstance(step, Transition) and step.style == "primary"


def case_models() -> list[tuple[type[models.Model], Workflow]]:
    """The registered case models and their workflows (registry order)."""
    from infogov.core.registry import case_types

    found = []
    for ct in case_types():
        model = django_apps.get_model(ct.model)
        found.append((model, workflow_for(model)))
    return found


def rule_query(r: Rule, user: Any, model: type[models.Model]) -> Q | None:
    load_queries()
    return None if r.q is None else r.q(user, model)


def step_query(
    step: Step,
    user: Any,
    model: type[models.Model],
    today: dt.date,
    *,
    actors_only: bool = False,
    with_state: bool = True,
) -> Q | None:
    """The cases of `model` on which `user` can take `step` today by its declaration: None when an actor
    rule cannot be said as a query, NOTHING when the user can take it on no case. `actors_only`: whom
    the step is for, whatever the case's state and guards; `with_state=False`: whatever the state."""
    q = Q(state__in=step.sources) if step.sources and with_state and not actors_only else EVERYTHING
    for r in (not_audit_admin, *step.by):
        part = rule_query(r, user, model)
        if part is None:
            return None
        if part == NOTHING:
            return NOTHING
        q &= part
    if actors_only:
        return q
    for g in step.guards:  # substantive rules in force today that can be said as a query
        part = rule_query(g, user, model) if g.effective <= today else None
        if part is not None:
            if part == NOTHING:
                return NOTHING
            q &= part
    return q


@dataclass
class Item:
    """One case in 待办: the steps the user can take on it, the duty date and the article."""

    model: type[models.Model]
    content_type: ContentType
    pk: int
    reference: str
    title: str
    owner_name: str
    version: int
    state_label: str
    steps: list[Step]
    due_date: dt.date | None
    waiting_since: dt.datetime
    url: str | None = None
    overdue_days: int = 0
    cited: str = ""  # the citation's link, rendered by the page

    @property
    def step(self) -> Step:
        return self.steps[0]

    @property
    def key(self) -> str:
        return f"{self.content_type.pk}:{self.pk}"

    @property
    def citation(self) -> str:
        return self.step.citation

    @property
    def kind(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def batchable(self) -> bool:
        """Can be taken from the inbox with others: no input to type, no reason to give."""
        return self.step.payload is None and not self.step.comment_required


@dataclass
class _ModelPlan:
    """One case type's inbox steps for one user, grouped by their condition apart from the state (the
    steps one actor takes in successive states share one): one CASE per group, not per step."""

    model: type[models.Model]
    workflow: Workflow
    content_type: ContentType
    groups: list[tuple[Q, list[Step]]]
    user_id: int | None = None
    candidates: Q = EVERYTHING  # the cases in a step's states that its actors may act on (no guards)

    @property
    def steps(self) -> list[Step]:
        return [step for _, steps in self.groups for step in steps]

    def group_q(self, i: int) -> Q:
        condition, steps = self.groups[i]
        if any(not step.sources for step in steps):
            return condition
        return Q(state__in=sorted({state for step in steps for state in step.sources})) & condition

    @property
    def combined(self) -> Q:
        either = self.group_q(0)
        for i in range(1, len(self.groups)):
            either = either | self.group_q(i)
        return either

    @property
    def codes(self) -> list[str]:
        """The duties that one of the steps fulfils (Step.closes): a row's date is the earliest open one."""
        return sorted({c for step in self.steps for c in step.closes})

    @property
    def expert(self) -> bool:
        """The user acts as an assigned expert on some step: a row's date may be the assignment's."""
        return self.user_id is not None and any(acts_as_assigned_expert in step.by for step in self.steps)

    def _open_duties(self) -> models.QuerySet[Obligation]:
        return Obligation.objects.filter(
            case_type_id=self.content_type.pk,
            case_id=OuterRef("pk"),
            code__in=self.codes,
            fulfilled_at__isnull=True,
            cancelled_at__isnull=True,
        )

    def _assignments(self, user_id: int) -> models.QuerySet[CaseAssignment]:
        return CaseAssignment.objects.filter(
            case_type_id=self.content_type.pk, case_id=OuterRef("pk"), user_id=user_id
        ).exclude(due_date=None)

    def _dating(self) -> list[models.QuerySet[Any]]:
        """What gives a row its date, correlated on the case: the open duties one of the steps fulfils,
        and (an assigned expert) the expert's assignments with a date."""
        parts: list[models.QuerySet[Any]] = [self._open_duties()] if self.codes else []
        if self.expert and self.user_id is not None:
            parts.append(self._assignments(self.user_id))
        return parts

    def dated(self) -> Q | None:
        """The cases whose row has a date, or None when no row of this type can have one: among the
        cases the step's actors may act on in its states (`candidates`, no guard), those with a duty or
        an assignment (a semi-join, which PostgreSQL estimates as the few rows it is); the caller
        judges the guards on these only, not on every case of the user's states."""
        parts = self._dating()
        if not parts:
            return None
        having = functools.reduce(operator.or_, [Q(Exists(qs)) for qs in parts])
        ids = self.model._default_manager.filter(self.candidates & having).order_by().values("pk")
        return Q(pk__in=Subquery(ids))

    def undated_probe(self) -> Q | None:
        """The case has no duty nor assignment giving its row a date (None: no row of this type has)."""
        parts = self._dating()
        if not parts:
            return None
        return functools.reduce(operator.and_, [~Q(Exists(qs)) for qs in parts])

    def _due(self) -> Any:
        """The row's date: the earliest open duty that one of the steps fulfils, else (an assigned
        expert) the assignment's date (CaseAssignment.due_date)."""
        due: Any = None
        if self.codes:
            due = Subquery(self._open_duties().order_by("due_date").values("due_date")[:1])
        if self.expert and self.user_id is not None:
            mine = self._assignments(self.user_id)
            assigned = Subquery(mine.order_by("due_date").values("due_date")[:1])
            due = assigned if due is None else Coalesce(due, assigned)
        return Value(None, output_field=DateField()) if due is None else due

    def queryset(self, where: Q | None = None, *, dated: bool = True) -> models.QuerySet[Any]:
        """The cases of this type the user can act on (and `where`), with the same columns for every
        case type (so that one UNION ALL reads them all): the content type, which steps (a bit per
        step), the row's date (_due; `dated=False`: none, for the rows known to have none)."""
        flags: Any = Value(0)
        for i in range(len(self.groups)):
            flags = flags + Case(When(self.group_q(i), then=Value(1 << i)), default=Value(0))
        return (
            self.model._default_manager.filter(self.combined if where is None else where & self.combined)
            .annotate(
                inbox_ct=Value(self.content_type.pk, output_field=IntegerField()),
                inbox_flags=ExpressionWrapper(flags, output_field=IntegerField()),
                inbox_due=self._due() if dated else Value(None, output_field=DateField()),
            )
            .values(*COLUMNS)
            .order_by()  # the UNION orders (no ORDER BY inside its parts)
        )

    def undated(self) -> models.QuerySet[Any]:
        """The candidates (their ids and waiting times only), of which first_by_wait keeps those that
        `judged` finds: the cases the user can act on whose row has no date."""
        return self.model._default_manager.filter(self.candidates).values("pk", "updated_at").order_by()

    def judged(self) -> models.QuerySet[Any]:
        """One candidate (`inbox_k.pk`, first_by_wait) if its row has no date and the user can act on
        it (the steps' conditions): a probe of the case by its primary key."""
        none = self.undated_probe()
        where = self.combined if none is None else none & self.combined
        manager = self.model._default_manager
        return manager.filter(where, pk=RawSQL("inbox_k.pk", ())).order_by().values("pk")[:1]

    def matching(self) -> models.QuerySet[Any]:
        """The cases of this type the user can act on (their ids only): what the bounded count reads."""
        return self.model._default_manager.filter(self.combined).values("pk").order_by()

    def item(self, row: dict[str, Any], today: dt.date) -> Item:
        due = row["inbox_due"]
        if isinstance(due, str):  # SQLite: the raw cursor returns dates and times as text
            due = dt.date.fromisoformat(due)
        since = row["updated_at"]
        if isinstance(since, str):
            since = dt.datetime.fromisoformat(since)
        return Item(
            model=self.model,
            content_type=self.content_type,
            pk=row["pk"],
            reference=row["reference"],
            title=row["title"],
            owner_name=row["owner__name"],
            version=row["version"],
            state_label=self.workflow.label_of(row["state"]),
            steps=[
                step
                for i, (_, steps) in enumerate(self.groups)
                if row["inbox_flags"] & (1 << i)
                for step in steps
                if step.allowed_in(row["state"])
            ],
            due_date=due,
            waiting_since=since,
            overdue_days=max((today - due).days, 0) if due else 0,
        )


# the case's columns, then its content type, its steps (a bit each) and its date
COLUMNS: tuple[str, ...] = ("pk", "reference", "title", "state", "version", "updated_at", "owner__name")
COLUMNS += ("inbox_ct", "inbox_flags", "inbox_due")


def _content_types() -> dict[type, ContentType]:
    """The content types of every case type: one query when the process' cache is cold (not one each)."""
    return ContentType.objects.get_for_models(*(model for model, _ in case_models()))


def _plans(user: Any, today: dt.date) -> list[_ModelPlan]:
    plans = []
    cts = _content_types()
    for model, wf in case_models():
        groups: dict[Q, list[Step]] = {}
        candidates: list[Q] = []
        for step in wf.steps.values():
            if not in_inbox(step):
                continue
            condition = step_query(step, user, model, today, with_state=False)
            if condition is not None and condition != NOTHING:
                groups.setdefault(condition, []).append(step)
                actors = step_query(step, user, model, today, actors_only=True)
                assert actors is not None  # as `condition`, without the guards
                candidates.append(Q(state__in=step.sources) & actors if step.sources else actors)
        if groups:
            ct = cts[model]
            either = _any(candidates) or EVERYTHING
            plans.append(_ModelPlan(model, wf, ct, list(groups.items()), user.pk, either))
    return plans


@dataclass
class TodoPage:
    """One page of 待办's steps. The counts are bounded (COUNT_CAP per case type, shown "99+"): an
    official needs to know that there is much to do, not the exact number beyond a hundred, and a bounded
    count stops reading after COUNT_CAP rows however many cases there are."""

    items: list[Item]
    count: int
    number: int
    page_size: int
    counts: dict[str, int] = field(default_factory=dict)  # by case type's name, each ≤ COUNT_CAP
    more: bool = False  # a next page exists (the page query read one row beyond the page)

    @property
    def capped(self) -> bool:
        return any(n >= COUNT_CAP for n in self.counts.values())

    @property
    def count_label(self) -> str:
        return f"{self.count}+" if self.capped else str(self.count)

    @property
    def count_labels(self) -> dict[str, str]:
        return {name: count_label(n) for name, n in self.counts.items()}

    @property
    def num_pages(self) -> int:
        """The number of pages the bounded count knows of (more may follow when capped)."""
        known = max(1, -(-self.count // self.page_size))
        return max(known, self.number + 1 if self.more else self.number)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.more


def step_items(
    user: Any, *, page: int = 1, page_size: int = 25, today: dt.date | None = None, counted: bool = True
) -> TodoPage:
    """The cases the user can act on now, the ones with the earliest date first, then the ones waiting
    longest: one or two queries for the page whatever the number of case types and cases (page_rows),
    and a UNION ALL of the case types' bounded counts; their SQL built once per user and day whatever
    the page (compiled). `counted=False`: the page without the count."""
    today = today or timezone.localdate()
    page = max(1, page)
    plans, sqls = compiled(user, today, ("steps",), _steps_sql)
    if not plans:
        return TodoPage([], 0, page, page_size, {})
    rows = page_rows(sqls, (page - 1) * page_size, page_size + 1)
    more = len(rows) > page_size
    items = [plans[row["inbox_ct"]].item(row, today) for row in rows[:page_size]]
    by_type: dict[int, int] = {}
    if page == 1 and not more:  # everything is on this page: no count to run
        for item in items:
            by_type[item.content_type.pk] = by_type.get(item.content_type.pk, 0) + 1
    elif counted:
        by_type = {row["inbox_ct"]: row["inbox_n"] for row in fetch(sqls.count) if row["inbox_n"]}
    counts = {str(plans[ct].workflow.title): n for ct, n in by_type.items()}
    return TodoPage(items, sum(by_type.values()), page, page_size, counts, more)


def _steps_sql(user: Any, today: dt.date, key: tuple[Any, ...]) -> Any:
    plans = {p.content_type.pk: p for p in _plans(user, today)}
    if not plans:
        return {}, None
    dated = [p.queryset(where) for p in plans.values() if (where := p.dated()) is not None]
    dated_sql = None
    if dated:
        first, *rest = dated
        union = first.union(*rest, all=True) if rest else first
        dated_sql = sql_of(union.order_by(F("inbox_due").asc(nulls_last=True), "updated_at", "pk"))
    undated = [
        (sql_of(p.queryset(dated=False)), sql_of(p.undated()), sql_of(p.judged())) for p in plans.values()
    ]
    counted = [(ct, sql_of(p.matching())) for ct, p in plans.items()]
    return plans, StepsSQL(limited(dated_sql), first_by_wait(undated), bounded_count_sql(counted, COUNT_CAP))


# -- duties --------------------------------------------------------------------------------------------


def _duty_filters(user: Any, today: dt.date) -> tuple[Q, Q]:
    """Two filters of Obligation, from the steps that fulfil a duty (those that `close` its code):
    - waiting: no such step is the user's to take on the case — another body acts (e.g. a county's
      local plan is filed by the city authority, 第五条第二款): not a to-do of the user's;
    - covered: an inbox step the user can take now fulfils it — the duty is shown on that step's row."""
    waiting, covered = Q(pk__in=[]), Q(pk__in=[])
    cts = _content_types()
    for model, wf in case_models():
        closers: dict[str, list[Step]] = {}
        for step in wf.steps.values():
            for code in step.closes:
                closers.setdefault(code, []).append(step)
        ct = cts[model]
        for code, steps in closers.items():
            this = Q(case_type_id=ct.pk, code=code)
            actors = [step_query(s, user, model, today, actors_only=True) for s in steps]
            if all(q is not None for q in actors):  # every fulfilling step is a query
                can = _any([q for q in actors if q is not None and q != NOTHING])
                waiting |= this if can is None else this & ~_case_where(model, can)
            now = [step_query(s, user, model, today) for s in steps if in_inbox(s)]
            shown = _any([q for q in now if q is not None and q != NOTHING])
            if shown is not None:
                covered |= this & _case_where(model, shown)
    return waiting, covered


def _any(qs: list[Q]) -> Q | None:
    if not qs:
        return None
    either = qs[0]
    for q in qs[1:]:
        either |= q
    return either


def _case_where(model: type[models.Model], q: Q) -> Q:
    """The duty's case satisfies `q`: an EXISTS probing the case's primary key for each of the user's
    few open duties — not `case_id IN (every case the user could act on)`, which reads thousands of
    cases for the city authority on the province's data."""
    return Q(Exists(model._default_manager.filter(q, pk=OuterRef("case_id"))))


def duties(
    user: Any, today: dt.date | None = None
) -> tuple[models.QuerySet[Obligation], models.QuerySet[Obligation]]:
    """(the user's duties not already shown on a step's row, duties owed by the user's organisations
    that only another body's step fulfils), both overdue first then by due date. One query (prepared)
    sorts the user's open duties into the two; the querysets select those ids (a plain primary-key
    filter, cheap to plan, which the page counts and pages)."""
    today = today or timezone.localdate()
    sorted_sql = compiled(user, today, ("duties",), _duties_sql)
    owed = todo_for(user)
    if sorted_sql is None:
        return owed.none(), owed.none()
    own: list[int] = []
    waiting: list[int] = []
    for row in fetch(sorted_sql):
        (waiting if row["inbox_waiting"] else own).append(row["pk"])
    return owed.filter(pk__in=own), owed.filter(pk__in=waiting)


def _duties_sql(user: Any, today: dt.date, key: tuple[Any, ...]) -> Any:
    waiting, covered = _duty_filters(user, today)
    owed = todo_for(user).order_by().exclude(covered & ~waiting)
    flagged = owed.annotate(
        inbox_waiting=Case(When(waiting, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    return sql_of(flagged.values("pk", "inbox_waiting"))


def todo_count(user: Any) -> int:
    """The menu's count: cases the user can act on plus their duties, bounded (shown by count_label;
    cached for COUNT_TTL_SECONDS)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = f"inbox-count:{user.pk}:{getattr(user, 'scope_key', '')}"
    hit = cache.get(key)
    if hit is not None:
        return int(hit)
    today = timezone.localdate()
    n = step_count(user, today) + bounded_count(duties(user, today)[0])
    remember_count(user, n)
    return n


def step_count(user: Any, today: dt.date) -> int:
    """The cases the user can act on, bounded (COUNT_CAP per case type): the one bounded COUNT, no rows."""
    plans, sqls = compiled(user, today, ("steps",), _steps_sql)
    return sum(row["inbox_n"] for row in fetch(sqls.count)) if plans else 0


def bounded_count(qs: models.QuerySet[Any]) -> int:
    """COUNT(*) of at most COUNT_CAP rows (SELECT COUNT(*) FROM (… LIMIT COUNT_CAP))."""
    return qs.order_by().values("pk")[:COUNT_CAP].count()


def remember_count(user: Any, n: int) -> None:
    """The inbox page has just counted: the menu uses that number."""
    cache.set(f"inbox-count:{user.pk}:{getattr(user, 'scope_key', '')}", n, COUNT_TTL_SECONDS)


def forget_count(user: Any) -> None:
    cache.delete(f"inbox-count:{user.pk}:{getattr(user, 'scope_key', '')}")


# -- 已办, 关注 ---------------------------------------------------------------------------------------


def done_by(user: Any) -> models.QuerySet[DocketEvent]:
    """已办: the docket events the user recorded, newest first."""
    return DocketEvent.objects.filter(actor_id=user.pk).select_related("case_type").order_by("-at", "-id")


def followed_by(user: Any) -> models.QuerySet[Follow]:
    return Follow.objects.filter(user_id=user.pk).select_related("case_type").order_by("-created_at", "-id")


def is_following(user: Any, case: models.Model) -> bool:
    return Follow.objects.for_case(case).filter(user_id=user.pk).exists()


def follow(user: Any, case: models.Model, *, on: bool) -> None:
    """Follow or stop following a case the user may see (the caller checked that)."""
    if not scope_of(user).can_view(case):
        from infogov.core.errors import NotFound

        raise NotFound()
    ct = ContentType.objects.get_for_model(case)
    if on:
        Follow.objects.get_or_create(
            user_id=user.pk,
            case_type=ct,
            case_id=case.pk,
            defaults={"jurisdiction_id": case.jurisdiction_id},  # type: ignore[attr-defined]
        )
    else:
        Follow.objects.filter(user_id=user.pk, case_type=ct, case_id=case.pk).delete()
