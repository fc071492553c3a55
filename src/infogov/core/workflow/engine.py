"""The engine under every step: one transaction per step (lock → actor rules → typed payload →
guards → write → docket event with before/after → duties), and explanations for the UI.

Declarations (Transition, Record, Workflow) are in steps.py; an app never writes its own locking,
docket or duty code. Under it, django-fsm-2 holds the state field (protected: nothing assigns it
directly) and its ConcurrentTransitionMixin refuses a save whose state changed since the row was read.

A step is a handful of statements (core.db.rows writes them once per model): the locking SELECT
that also reads the docket tail, one UPDATE of the changed columns (state and version in its WHERE),
the docket INSERT, one UPDATE fulfilling obligations, one INSERT opening duties.
tests/core/test_workflow_cost.py counts them.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from infogov.core.db import rows
from infogov.core.docket import chain as docket
from infogov.core.errors import Conflict, InvalidInput, NotFound, NotPermitted, RuleViolation
from infogov.core.models import Case
from infogov.core.workflow import payloads
from infogov.core.workflow.obligations import duties_open, obligations_fulfil
from infogov.core.workflow.rules import (
    MEASURES_IN_FORCE,
    NO_INPUT_YET,
    Rule,
    RuleContext,
    RuleFailure,
    evaluate_all,
    not_audit_admin,
)
from infogov.core.workflow.steps import (  # noqa: F401  (re-exported: the declarations' old home)
    REGISTRY,
    Option,
    Record,
    Step,
    StepContext,
    Transition,
    Workflow,
    install_all_workflows,
    workflow_for,
)
from infogov.core.workflow.values import full_clean, jsonable, snapshot  # noqa: F401  (re-exported)

# -- explanation ----------------------------------------------------------------------------------


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


def _check(t: Step, case: Any, ctx: RuleContext, memo: Memo | None = None) -> list[RuleFailure]:
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
    """For every step open in the case's current state: may `user` take it, and if not, why.

    A rule that guards several of these transitions (the actor rules, shared guards) is evaluated
    once per call: same case, same user, same day, no payload — the same answer."""
    wf = workflow_for(case)
    options = []
    ctx = _ExplainContext(user=user, input=NO_INPUT_YET, **({"today": today} if today else {}))
    memo: Memo = {}
    for t in wf.from_state(case.state):
        ctx.transition = t.name
        blockers = _check(t, case, ctx, memo)
        target = t.target if isinstance(t, Transition) else case.state
        options.append(
            Option(
                t.name,
                t.label,
                target,
                not blockers,
                blockers,
                t.confirm,
                t.style,
                t.comment_required,
                changes_state=isinstance(t, Transition),
                payload=t.payload,
            )
        )
    return options


# The relations a step's duties and effects ask for (who owes, to whom; the authority of the case's
# jurisdiction): loaded with the row lock (FOR UPDATE OF the case's table only) instead of one query each.
_STEP_RELATIONS = ("jurisdiction", "owner")


def _lock(
    model: type[models.Model], pk: Any, *, related: tuple[str, ...], tail_in_lock: bool = True
) -> tuple[Any, Any]:
    """Take the case's row lock; returns the locked case (with `related` loaded) and its docket tail
    for docket.record(tail=…).

    The tail (last seq and hash of the case's chain) is read in the locking statement itself when
    that statement's snapshot is sure to include every event committed before the lock was granted:
    - PostgreSQL: FOR UPDATE SKIP LOCKED. A locked row is skipped; then the case is locked waiting,
      and record() reads the tail in a statement of its own (a statement's snapshot predates its lock
      wait). A row it returns is not locked now, but its last holder may have committed after the
      statement's snapshot was taken: a step that did not UPDATE the row (a Record with touch=False)
      leaves nothing for the lock to re-read, so the tail is then one event short. The docket's
      unique (case, seq) refuses that insert and fire() retries once with tail_in_lock=False.
    - SQLite has no row locks: the transaction holds the database's write lock from its start
      (BEGIN IMMEDIATE), and one statement sees what two would.
    - Other databases with row locks: lock waiting, then read the tail separately.
    """
    alias = rows.alias_for(model)
    features = transaction.get_connection(alias).features
    if not features.has_select_for_update or (features.has_select_for_update_skip_locked and tail_in_lock):
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


def _record_link(record_model: type[models.Model], case_model: type[models.Model]) -> str:
    """The name of the record model's foreign key to the case model."""
    for f in record_model._meta.concrete_fields:
        if isinstance(f, models.ForeignKey) and f.related_model is case_model:
            return f.name
    raise LookupError(f"{record_model.__name__} has no foreign key to {case_model.__name__}")


def _create_declared(t: Record, case: Any, step: StepContext) -> None:
    """`Record(creates=Model)`: one row of Model from the payload's fields of the same names."""
    assert t.creates is not None
    own = {f.name for f in t.creates._meta.concrete_fields}
    fields = {k: v for k, v in step.payload.items() if k in own}
    fields[_record_link(t.creates, type(case))] = case
    for who in ("created_by", "recorded_by"):
        if who in own and who not in fields:
            fields[who] = step.user
    step.create(t.creates, **fields)


# -- firing -----------------------------------------------------------------------------------------


def _refuse(failures: list[RuleFailure]) -> None:
    if failures[0].actor:  # who may act: a 403
        raise NotPermitted(
            failures[0].message,
            code=failures[0].code,
            article=failures[0].citation,
            details=[f.as_dict() for f in failures],
        )
    raise RuleViolation(failures)


@dataclasses.dataclass(frozen=True)
class _Input:
    comment: str
    typed: Any
    values: dict[str, Any]
    act_date: dt.date | None

    @property
    def historical(self) -> bool:
        """An act dated before the measures came into force (第三十五条)."""
        return self.act_date is not None and self.act_date < MEASURES_IN_FORCE


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def _read_input(t: Step, comment: str, payload: Any) -> _Input:
    """The step's input validated once, before anything is locked: a 422 in Chinese on bad input."""
    comment = (comment or "").strip()
    reject_nul(comment=comment)
    if t.payload is None:
        reject_nul(payload=payload or {})
    typed, values = payloads.validate(t.payload, payload)
    if t.comment_required and not comment:
        raise InvalidInput(
            f"“{t.label}”须填写意见或理由", code="comment_required", article=t.citation or None
        )
    return _Input(comment, typed, values, values.get(t.act_date) if t.act_date else None)


@contextlib.contextmanager
def _conflicts(t: Step) -> Iterator[None]:
    """The loser of a race gets a 409 naming the step's article, never a 500."""
    try:
        yield
    except (ConcurrentTransition, TransitionNotAllowed):
        raise Conflict(article=t.citation or None) from None
    except IntegrityError as exc:
        if _is_docket_seq_clash(exc):  # another step appended to the case's chain first
            raise Conflict(article=t.citation or None) from None
        raise
    except DatabaseError as exc:  # lock timeout / serialization failure: the other user won
        if "lock" in str(exc).lower() or "serializ" in str(exc).lower() or "busy" in str(exc).lower():
            raise Conflict(article=t.citation or None) from None
        raise


def _require_open(wf: Workflow, t: Step, locked: Any, *, seen_state: str, seen_version: int) -> None:
    if locked.version != seen_version or locked.state != seen_state:
        raise Conflict(article=t.citation or None)
    if not t.allowed_in(locked.state):
        raise Conflict(
            f"当前状态为“{wf.label_of(locked.state)}”，不能执行“{t.label}”",
            code="wrong_state",
            article=t.citation or None,
        )


def _write(t: Step, locked: Any, step: StepContext, *, seen_version: int) -> str:
    """Run the step's writes — the declared record, the effects, the state change — and UPDATE the
    case's changed columns. Returns the state the case was in."""
    model: type[models.Model] = type(locked)
    before = _column_values(locked) if t.effects else {}
    if isinstance(t, Record) and t.creates is not None:
        _create_declared(t, locked, step)
    for effect in t.effects:
        step.changes.update(effect(locked, step) or {})
    written = {field for (field, attname), v in before.items() if getattr(locked, attname) != v}
    for field, attname in before:  # what the effects set on the case itself: before and after
        if field in written and field not in step.changes:
            step.changes[field] = {
                "before": jsonable(before[field, attname]),
                "after": jsonable(getattr(locked, attname)),
            }
    from_state = locked.state
    if isinstance(t, Transition):
        getattr(locked, f"fsm_{t.name}")()  # django-fsm-2 checks the source and sets the state
    if not isinstance(t, Record) or t.touch or written:
        locked.version = seen_version + 1
        _save(locked, _always_written(model) | written, seen_state=from_state, seen_version=seen_version)
    return from_state


def _record(
    t: Step,
    locked: Any,
    step: StepContext,
    data: _Input,
    *,
    from_state: str,
    tail: Any,
    attachments: Iterable[Any],
) -> None:
    """The docket event of the step, then the duties it closes and opens (none for a historical act)."""
    stored = payloads.stored(data.typed) if data.typed is not None else data.values
    if data.historical:
        stored = {**stored, "historical": True}
    event = docket.record(
        locked,
        actor=step.user,
        action=t.name,
        action_label=t.label,
        from_state=from_state,
        to_state=locked.state,
        citation=t.citation,
        comment=data.comment,
        attachments=[{"id": a.pk, "name": a.name, "sha256": a.sha256} for a in attachments],
        payload=stored,
        changes=step.changes,
        tail=tail,
    )
    step.event = event
    closes = (*t.closes, *step.closing)
    if closes:
        obligations_fulfil(case=locked, codes=closes, event=event)
    opens = (*t.opens, *step.opening)
    if opens and not data.historical:  # duties are clocked from the act's date
        duties_open(case=locked, duties=opens, event=event, today=data.act_date or step.today or _today())


def fire(
    case: Any,
    name: str,
    *,
    user: Any,
    comment: str = "",
    payload: Any = None,
    attachments: Iterable[Any] = (),
    expected_version: int | None = None,
    today: Any = None,
) -> Any:
    """Take step `name` (a Transition or a Record) on `case` as `user`, atomically. Returns the case.

    Raises Conflict when the case changed since the caller read it (another user acted first) or the
    step is not open in its state (409, with the step's article), NotPermitted/RuleViolation with the
    article when a rule refuses, InvalidInput on bad input — and then nothing is written.

    One transaction: lock the row (reading the docket tail with it), check the actor rules, validate
    the payload against the step's schema, check the guards (by the law in force on the act's date),
    run the effects, UPDATE the changed columns (state, version, updated_at and what the effects set),
    append the docket event with every change's before and after, fulfil the closed obligations (one
    UPDATE) and open the declared duties (one INSERT). An act dated before the measures came into
    force (第三十五条) is recorded as historical: no rule that was not yet in force refuses it and it
    opens no duty.
    """
    wf = workflow_for(case)
    t = wf.get(name)
    data = _read_input(t, comment, payload)
    seen_version = case.version if expected_version is None else expected_version
    attachments = list(attachments)
    args = (wf, t, case, data, seen_version, user, name, today, attachments)
    try:
        return _fire_once(*args, tail_in_lock=True)
    except _StaleTail:  # see _lock(): the same step again, reading the tail after the lock is held
        return _fire_once(*args, tail_in_lock=False)


class _StaleTail(Exception):
    """The docket tail read with the row lock was one event short (see _lock)."""


def _fire_once(
    wf: Workflow,
    t: Step,
    case: Any,
    data: _Input,
    seen_version: int,
    user: Any,
    name: str,
    today: Any,
    attachments: list[Any],
    *,
    tail_in_lock: bool,
) -> Any:
    needs_relations = t.opens or t.effects or (isinstance(t, Record) and t.creates)
    with _conflicts(t), transaction.atomic():
        locked, tail = _lock(
            type(case),
            case.pk,
            related=_STEP_RELATIONS if needs_relations else (),
            tail_in_lock=tail_in_lock,
        )
        _require_open(wf, t, locked, seen_state=case.state, seen_version=seen_version)
        ctx = RuleContext(
            user=user,
            payload=data.values,
            transition=name,
            input=data.typed,
            act_date=data.act_date,
            **({"today": today} if today else {}),
        )
        failures = _check(t, locked, ctx)
        if failures:
            _refuse(failures)
        step = StepContext(
            user=user,
            step=t,
            comment=data.comment,
            payload=data.values,
            input=data.typed,
            today=ctx.today,
            act_date=data.act_date,
        )
        from_state = _write(t, locked, step, seen_version=seen_version)
        try:
            _record(t, locked, step, data, from_state=from_state, tail=tail, attachments=attachments)
        except IntegrityError as exc:
            if tail_in_lock and tail is not docket.READ_TAIL and _is_docket_seq_clash(exc):
                raise _StaleTail() from exc
            raise
    return locked


def _is_docket_seq_clash(exc: IntegrityError) -> bool:
    text = str(exc)
    return "docket_case_seq_unique" in text or "core_docketevent.seq" in text


def _full_clean(case: Any, *, exclude: list[str]) -> None:
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
            payload=snapshot(case),  # every field the registration set is in the hash chain
        )
    return case
