"""The workflow core: declarations on django-fsm-2, guards that are article-cited rules, one
transaction per step (lock → guards → state → docket → obligations), explanations for the UI.

A declaration (``<app>/workflows.py``) reads like the regulation::

    submit = Transition("submit", source=DRAFT, target=SUBMITTED, label="提交",
                        by=[acts_for_owner], guards=[has_security_plan], citation="第九条第一款",
                        opens=[Duty("review", ...)], closes=["revise"])
    WORKFLOW = Workflow(Project, states=ProjectState, transitions=[submit, ...])

Under it, django-fsm-2 holds the state field (protected: nothing assigns it directly) and its
ConcurrentTransitionMixin refuses a save whose state changed since the row was read.

A step is a handful of statements (core.rows writes them once per model): the locking SELECT that
also reads the docket tail, one UPDATE of the changed columns (state and version in its WHERE), the
docket INSERT, one UPDATE fulfilling obligations, one INSERT opening duties. tests/core/
test_workflow_cost.py counts them.
"""

from __future__ import annotations

import copy
import functools
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from django_fsm import transition as fsm_transition

from infogov.core.docket import chain as docket
from infogov.core.errors import Conflict, InvalidInput, NotFound, NotPermitted, RuleViolation
from infogov.core.models import Case, DocketEvent
from infogov.core.regulation.articles import Citation
from infogov.core.workflow import rows
from infogov.core.workflow.obligations import Duty, duties_open, obligations_fulfil
from infogov.core.workflow.rules import (
    Rule,
    RuleContext,
    RuleFailure,
    evaluate_all,
    is_actor_code,
    not_audit_admin,
)

Effect = Callable[[Any, "StepContext"], dict[str, Any] | None]


@dataclass(frozen=True)
class Transition:
    name: str
    source: str | tuple[str, ...]
    target: str
    label: str
    by: tuple[Rule, ...] = ()
    guards: tuple[Rule, ...] = ()
    citation: str = ""
    opens: tuple[Duty, ...] = ()
    closes: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()
    confirm: str = ""  # shown before an irreversible step
    comment_required: bool = False
    style: str = "primary"  # primary | danger | secondary

    def __post_init__(self) -> None:
        if self.citation:
            Citation.parse(self.citation)

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)


@dataclass
class StepContext:
    user: Any
    transition: Transition
    comment: str
    payload: dict[str, Any]
    event: DocketEvent | None = None


@dataclass
class Option:
    """One transition as a user sees it: may they fire it, and if not, why (with articles)."""

    name: str
    label: str
    target: str
    allowed: bool
    blockers: list[RuleFailure]
    confirm: str = ""
    style: str = "primary"
    comment_required: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "transition": self.name,
            "label": self.label,
            "target": self.target,
            "allowed": self.allowed,
            "confirm": self.confirm,
            "blockers": [b.as_dict() for b in self.blockers],
        }


class Workflow:
    """A case model's declared procedure."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        states: type[models.TextChoices],
        transitions: Iterable[Transition],
        initial: str,
        title: str = "",
    ) -> None:
        self.model = model
        self.states = states
        self.initial = initial
        self.title = title or str(model._meta.verbose_name)
        self.transitions: dict[str, Transition] = {}
        for t in transitions:
            if t.name in self.transitions:
                raise ValueError(f"{model.__name__}: transition {t.name} declared twice")
            for s in (*t.sources, t.target):
                if s not in states.values:
                    raise ValueError(f"{model.__name__}.{t.name}: unknown state {s!r}")
            self.transitions[t.name] = t
        REGISTRY[model] = self

    def install(self) -> None:
        """Attach each transition to the model as a django-fsm-2 transition method."""
        field_: Any = self.model._meta.get_field("state")
        for t in self.transitions.values():

            def method(instance: Any) -> None:  # the state change itself; effects run in fire()
                return None

            method.__name__ = f"fsm_{t.name}"
            method.__qualname__ = f"{self.model.__name__}.fsm_{t.name}"
            decorated = fsm_transition(field=field_, source=list(t.sources), target=t.target)(method)
            setattr(self.model, f"fsm_{t.name}", decorated)
        field_._collect_transitions(sender=self.model)

    def label_of(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return state

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]

    def get(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise InvalidInput(
                f"“{self.title}”没有名为 {name} 的办理步骤", code="unknown_transition"
            ) from None

    def diagram(self) -> str:
        """A Mermaid state diagram generated from the declaration (for the user guides)."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for s in self.states:
            lines.append(f"    {s.value}: {s.label}")
        for t in self.transitions.values():
            cite = f"（{t.citation}）" if t.citation else ""
            for src in t.sources:
                lines.append(f"    {src} --> {t.target}: {t.label}{cite}")
        return "\n".join(lines)


REGISTRY: dict[type[models.Model], Workflow] = {}


def workflow_for(case_or_model: Any) -> Workflow:
    model = case_or_model if isinstance(case_or_model, type) else type(case_or_model)
    try:
        return REGISTRY[model]
    except KeyError:
        raise LookupError(f"no workflow declared for {model.__name__}") from None


def install_all_workflows() -> None:
    """Import every app's workflows module (declaring registers) and attach the transitions."""
    for config in django_apps.get_app_configs():
        if config.name.startswith(("infogov.", "tests.")):
            try:
                importlib.import_module(f"{config.name}.workflows")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.workflows":
                    raise
    for wf in REGISTRY.values():
        wf.install()


# -- explanation and firing ----------------------------------------------------------------------


class _ExplainContext(RuleContext):
    """The one context of an explain() call's rules. Between the transitions explained only
    `transition` differs, so a rule's outcome is shared by them — unless the rule read `transition`,
    which this context notices."""

    read_transition = False

    def __getattribute__(self, name: str) -> Any:
        if name == "transition":
            object.__setattr__(self, "read_transition", True)
        return super().__getattribute__(name)


Memo = dict[int, RuleFailure | None]


def _evaluate(rules_: Iterable[Rule], case: Any, ctx: RuleContext, memo: Memo | None) -> list[RuleFailure]:
    if memo is None or not isinstance(ctx, _ExplainContext):
        return evaluate_all(list(rules_), case, ctx)
    failures = []
    for r in rules_:
        if id(r) in memo:
            failure = memo[id(r)]
        else:
            ctx.read_transition = False
            failure = r.evaluate(case, ctx)
            if not ctx.read_transition:
                memo[id(r)] = failure
        if failure is not None:
            failures.append(failure)
    return failures


def _check(t: Transition, case: Any, ctx: RuleContext, memo: Memo | None = None) -> list[RuleFailure]:
    failures = _evaluate((not_audit_admin, *t.by), case, ctx, memo)
    if failures:  # who may act comes first; guards on the case only matter to those who may act
        return failures
    return _evaluate(t.guards, case, ctx, memo)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def reject_nul(**inputs: Any) -> None:
    """A NUL character cannot be stored (PostgreSQL refuses it in text and jsonb): a 422, not a 500."""
    for name, value in inputs.items():
        if _has_nul(value):
            raise InvalidInput(f"{name} 含有不允许的空字符（NUL），请删除后重试", code="nul_character")


def explain(case: Any, user: Any, *, today: Any = None) -> list[Option]:
    """For every transition from the case's current state: may `user` fire it, and if not, why.

    A rule that guards several of these transitions (the actor rules, shared guards) is evaluated
    once per call: same case, same user, same day, no payload — the same answer."""
    wf = workflow_for(case)
    options = []
    ctx = _ExplainContext(user=user, **({"today": today} if today else {}))
    memo: Memo = {}
    for t in wf.from_state(case.state):
        ctx.transition = t.name
        blockers = _check(t, case, ctx, memo)
        options.append(
            Option(t.name, t.label, t.target, not blockers, blockers, t.confirm, t.style, t.comment_required)
        )
    return options


# The relations a step's duties and effects ask for (who owes, to whom; the authority of the case's
# jurisdiction): loaded with the row lock (FOR UPDATE OF the case's table only) instead of one query each.
_STEP_RELATIONS = ("jurisdiction", "owner")


def _lock(model: type[models.Model], pk: Any, *, related: tuple[str, ...]) -> tuple[Any, Any]:
    """Take the case's row lock; returns the locked case (with `related` loaded) and its docket tail
    for docket.record(tail=…).

    The tail (last seq and hash of the case's chain) is read in the locking statement itself when
    that statement's snapshot is sure to include every event committed before the lock was granted:
    - PostgreSQL: FOR UPDATE SKIP LOCKED. A row it returns was locked by nobody, so nobody was
      appending to its chain. A locked row is skipped; then the case is locked waiting, and record()
      reads the tail in a statement of its own (a statement's snapshot predates its lock wait).
    - SQLite has no row locks: the transaction holds the database's write lock from its start
      (BEGIN IMMEDIATE), and one statement sees what two would.
    - Other databases with row locks: lock waiting, then read the tail separately.
    """
    alias = rows.alias_for(model)
    features = transaction.get_connection(alias).features
    if not features.has_select_for_update or features.has_select_for_update_skip_locked:
        ct_id = ContentType.objects.get_for_model(model).pk
        found = rows.lock_row(
            model,
            pk,
            related=related,
            extra_sql=_tail_sql(alias),
            extra_params=(ct_id, ct_id),
            skip_locked=features.has_select_for_update,
        )
        if found is not None:
            case, (seq, hash_) = found
            return case, (None if seq is None else (seq, hash_))
        if not features.has_select_for_update:
            raise NotFound()
    found = rows.lock_row(model, pk, related=related)
    if found is None:
        raise NotFound()
    return found[0], docket.READ_TAIL


@functools.cache
def _tail_sql(alias: str) -> tuple[str, str]:
    return docket.tail_sql(transaction.get_connection(alias), rows.CASE_PK)


def _column_values(case: Any) -> dict[tuple[str, str], Any]:
    """The case's own columns by (field name, attribute name); containers are copied, as an effect
    may change them in place."""
    values = {}
    for f in case._meta.concrete_fields:
        v = getattr(case, f.attname)
        values[f.name, f.attname] = copy.deepcopy(v) if isinstance(v, list | dict) else v
    return values


@functools.cache
def _always_written(model: type[models.Model]) -> frozenset[str]:
    """What every step writes: the state, the version, and the fields a save stamps (auto_now)."""
    stamped = {f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
    return frozenset({"state", "version", *stamped})


def _save(case: Any, fields: frozenset[str] | set[str], *, seen_state: str, seen_version: int) -> None:
    """One UPDATE of `fields` where the row still has the state and the version the step started
    from (django-fsm-2's ConcurrentTransitionMixin puts the state in a save's WHERE; under the row
    lock both always match, and the UPDATE says so rather than assume it)."""
    model = type(case)
    if model.save is not Case.save or not case.reference or not rows.signals_free(model):
        case.save(update_fields=fields)  # the model's own save() or its receivers have a say
        return
    if rows.update(case, fields, where={"state": seen_state, "version": seen_version}) != 1:
        raise ConcurrentTransition("the case changed after it was locked")
    case._update_initial_state()  # what ConcurrentTransitionMixin.save() does after saving


def fire(
    case: Any,
    name: str,
    *,
    user: Any,
    comment: str = "",
    payload: dict[str, Any] | None = None,
    attachments: Iterable[Any] = (),
    expected_version: int | None = None,
    today: Any = None,
) -> Any:
    """Fire transition `name` on `case` as `user`, atomically. Returns the updated case.

    Raises Conflict when the case changed since the caller read it (another user acted first),
    NotPermitted/RuleViolation with the article when a rule refuses, InvalidInput on bad input.

    One transaction: lock the row (reading the docket tail with it), check the actor and guard
    rules, run the effects, UPDATE the changed columns (state, version, updated_at and what the
    effects set; django-fsm-2 adds the state it read to the WHERE), append the docket event, fulfil
    the closed obligations (one UPDATE) and open the declared duties (one INSERT).
    """
    wf = workflow_for(case)
    t = wf.get(name)
    payload = dict(payload or {})
    comment = (comment or "").strip()
    reject_nul(comment=comment, payload=payload)
    if t.comment_required and not comment:
        raise InvalidInput(
            f"“{t.label}”须填写意见或理由", code="comment_required", article=t.citation or None
        )
    seen_version = case.version if expected_version is None else expected_version
    seen_state = case.state
    model: type[models.Model] = type(case)
    try:
        with transaction.atomic():
            locked, tail = _lock(model, case.pk, related=_STEP_RELATIONS if t.opens or t.effects else ())
            if locked.version != seen_version or locked.state != seen_state:
                raise Conflict()
            if locked.state not in t.sources:
                raise Conflict(
                    f"当前状态为“{wf.label_of(locked.state)}”，不能执行“{t.label}”", code="wrong_state"
                )
            ctx = RuleContext(
                user=user, payload=payload, transition=name, **({"today": today} if today else {})
            )
            failures = _check(t, locked, ctx)
            if failures:
                if is_actor_code(failures[0].code):  # who may act: a 403
                    raise NotPermitted(
                        failures[0].message,
                        code=failures[0].code,
                        article=failures[0].citation,
                        details=[f.as_dict() for f in failures],
                    )
                raise RuleViolation(failures)
            step = StepContext(user=user, transition=t, comment=comment, payload=payload)
            changes: dict[str, Any] = {}
            before = _column_values(locked) if t.effects else {}
            for effect in t.effects:
                changes.update(effect(locked, step) or {})
            from_state = locked.state
            getattr(locked, f"fsm_{t.name}")()  # django-fsm-2 checks the source and sets the state
            locked.version = seen_version + 1
            written = {field for (field, attname), v in before.items() if getattr(locked, attname) != v}
            _save(locked, _always_written(model) | written, seen_state=from_state, seen_version=seen_version)
            event = docket.record(
                locked,
                actor=user,
                action=t.name,
                action_label=t.label,
                from_state=from_state,
                to_state=locked.state,
                citation=t.citation,
                comment=comment,
                attachments=[{"id": a.pk, "name": a.name, "sha256": a.sha256} for a in attachments],
                payload=payload,
                changes=changes,
                tail=tail,
            )
            step.event = event
            obligations_fulfil(case=locked, codes=t.closes, event=event)
            if t.opens:
                duties_open(case=locked, duties=t.opens, event=event, today=ctx.today)
    except (ConcurrentTransition, TransitionNotAllowed):
        raise Conflict() from None
    except IntegrityError as exc:
        if _is_docket_seq_clash(exc):  # another step appended to the case's chain first
            raise Conflict() from None
        raise
    except DatabaseError as exc:  # lock timeout / serialization failure: the other user won
        if "lock" in str(exc).lower() or "serializ" in str(exc).lower() or "busy" in str(exc).lower():
            raise Conflict() from None
        raise
    return locked


def _is_docket_seq_clash(exc: IntegrityError) -> bool:
    text = str(exc)
    return "docket_case_seq_unique" in text or "core_docketevent.seq" in text


def _full_clean(case: Any, *, exclude: list[str]) -> None:
    """Model validation as a 422 with the fields' messages, never a 500."""
    try:
        case.full_clean(exclude=exclude)
    except ValidationError as exc:
        details = [
            {"field": f, "message": "；".join(str(m) for m in msgs)} for f, msgs in exc.message_dict.items()
        ]
        message = "；".join(d["message"] for d in details) or "填写的内容有误"
        raise InvalidInput(message, code="invalid", details=details) from None


def edit(
    case: Any,
    *,
    user: Any,
    changes: dict[str, Any],
    comment: str = "",
    expected_version: int | None = None,
    citation: str = "",
    allowed_states: Iterable[str] | None = None,
) -> Any:
    """Change a case's own fields through the one way in: lock, permission, docket with
    field-level before/after values."""
    from infogov.core.workflow.permissions import scope_of

    reject_nul(comment=comment, changes=changes)

    seen_version = case.version if expected_version is None else expected_version
    with transaction.atomic():
        locked = type(case)._default_manager.select_for_update().get(pk=case.pk)
        if locked.version != seen_version:
            raise Conflict()
        if user is not None and (not scope_of(user).can_change(locked) or user.has_role("audit_admin")):
            raise NotPermitted("您无权修改该事项", article="第四条")
        if allowed_states is not None and locked.state not in set(allowed_states):
            raise Conflict(
                f"当前状态为“{workflow_for(locked).label_of(locked.state)}”，不能修改", code="wrong_state"
            )
        before: dict[str, tuple[str, Any]] = {}
        for field_name, value in changes.items():
            if field_name in {"state", "version", "id", "pk", "jurisdiction", "jurisdiction_id"}:
                raise InvalidInput(f"字段 {field_name} 不能直接修改", code="readonly_field")
            try:
                attname = locked._meta.get_field(field_name).attname
            except (FieldDoesNotExist, AttributeError):
                raise InvalidInput(f"没有名为 {field_name} 的字段", code="unknown_field") from None
            before[field_name] = (attname, getattr(locked, attname))
            setattr(locked, field_name, value)
        _full_clean(locked, exclude=["state"])
        # compare cleaned values ("500000.00" is the same amount as Decimal("500000")); relations by key
        diff: dict[str, Any] = {
            name: {"before": old, "after": getattr(locked, attname)}
            for name, (attname, old) in before.items()
            if getattr(locked, attname) != old
        }
        if not diff:
            return locked
        locked.version += 1
        locked.save()
        docket.record(
            locked,
            actor=user,
            action="edit",
            action_label="修改",
            from_state=locked.state,
            to_state=locked.state,
            citation=citation,
            comment=comment,
            changes=diff,
        )
    return locked


def create(model: type[models.Model], *, user: Any, comment: str = "", **fields: Any) -> Any:
    """Create a case in its workflow's initial state and open its docket."""
    wf = workflow_for(model)
    with transaction.atomic():
        case: Any = model(**fields)
        case.__dict__["state"] = wf.initial  # the initial state is set once, here, never assigned again
        _full_clean(case, exclude=["state", "reference"])
        case.save()
        docket.record(
            case,
            actor=user,
            action="create",
            action_label="创建",
            to_state=wf.initial,
            comment=comment,
            payload={"title": case.title},
        )
    return case
