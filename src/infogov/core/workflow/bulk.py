"""The declared create step for a batch: `create_many` registers many cases of one workflow exactly as
`engine.create` registers one — validated the same way, in the workflow's initial state, numbered,
each with its docket opened by the same "create" event (seq 1, hash-chained from the genesis, the
snapshot of every field the registration set) — in one transaction and a constant number of
statements (an Excel import of 500 rows: three INSERTs and one UPDATE instead of 2,000 statements).

The rows are new, so no case lock is needed (nobody else can hold one); a case model with a save()
or pre/post_save receivers of its own is created one by one through engine.create instead, so that
nothing they do is skipped."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from infogov.core.db import rows as row_sql
from infogov.core.docket.chain import GENESIS, acting_organisation_id, event_digest, normalise
from infogov.core.errors import Conflict, DomainError, InvalidInput, NotFound
from infogov.core.models import Case, DocketEvent
from infogov.core.workflow import engine, payloads
from infogov.core.workflow.obligations import duties_open, obligations_fulfil
from infogov.core.workflow.rules import RuleContext
from infogov.core.workflow.steps import StepContext, Transition, workflow_for
from infogov.core.workflow.values import full_clean, jsonable, snapshot

BATCH = 500  # rows per INSERT statement (SQLite's and PostgreSQL's parameter limits)


def _plain(model: type[models.Model]) -> bool:
    """Does the model save like Case (no save() of its own, no pre/post_save receivers)?"""
    return model.save is Case.save and row_sql.signals_free(model)


def create_many(
    model: type[models.Model], *, user: Any, rows: Sequence[dict[str, Any]], comment: str = ""
) -> list[Any]:
    """Create one case per `rows` item (its fields) in the workflow's initial state, and open each
    docket; all or nothing. Bad input is InvalidInput (422) naming the row (first row: 1)."""
    wf = workflow_for(model)
    if not _plain(model):
        with transaction.atomic():
            return [engine.create(model, user=user, comment=comment, **fields) for fields in rows]
    cases: list[Any] = []
    for n, fields in enumerate(rows, start=1):
        case: Any = model(**fields)
        case.__dict__["state"] = wf.initial  # as engine.create: the initial state is set once, here
        try:
            full_clean(case, exclude=["state", "reference", *_saved_relations(fields)])
        except InvalidInput as exc:
            exc.message = f"第 {n} 项：{exc.message}"
            raise
        cases.append(case)
    if not cases:
        return []
    with transaction.atomic():
        for i in range(0, len(cases), BATCH):
            row_sql.insert(cases[i : i + BATCH])
        prefix = getattr(model, "reference_prefix", "CASE")
        for case in cases:
            case.reference = f"{prefix}-{timezone.localtime(case.created_at):%Y}-{case.pk:06d}"
        update_many(cases, ["reference"])
        _open_dockets(cases, user=user, comment=comment, initial=wf.initial)
    return cases


def _saved_relations(fields: dict[str, Any]) -> list[str]:
    """Fields given a saved instance (the owner, the jurisdiction): they exist, so full_clean need
    not query for each row that they do."""
    return [k for k, v in fields.items() if isinstance(v, models.Model) and v.pk and not v._state.adding]


def _open_dockets(cases: list[Any], *, user: Any, comment: str, initial: str) -> None:
    """Each case's first docket event, as docket.record writes it for a case without events."""
    events = [
        _event(
            case,
            user=user,
            action="create",
            action_label="创建",
            from_state="",
            to_state=initial,
            citation="",
            comment=comment,
            payload=normalise(snapshot(case)),
            changes={},
            tail=None,
        )
        for case in cases
    ]
    if row_sql.signals_free(DocketEvent):
        for i in range(0, len(events), BATCH):
            row_sql.insert(events[i : i + BATCH], returning=False)
    else:
        DocketEvent.objects.bulk_create(events, batch_size=BATCH)


def _event(
    case: Any,
    *,
    user: Any,
    action: str,
    action_label: str,
    from_state: str,
    to_state: str,
    citation: str,
    comment: str,
    payload: dict[str, Any],
    changes: dict[str, Any],
    tail: tuple[int, str] | None,
) -> DocketEvent:
    """The docket event docket.record would append to `case`'s chain after `tail` (values normalised
    by the caller), not yet saved."""
    ct = ContentType.objects.get_for_model(type(case))
    seq, prev_hash = ((tail[0] + 1), tail[1]) if tail else (1, GENESIS)
    at = timezone.now()
    actor_id = getattr(user, "pk", None)
    org_id = acting_organisation_id(user, None)  # as docket.record chooses it for one-by-one steps
    digest = event_digest(
        case_key=f"{ct.pk}:{case.pk}",
        seq=seq,
        at=at,
        actor_id=actor_id,
        organisation_id=org_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        citation=citation,
        comment=comment,
        attachments=[],
        payload=payload,
        changes=changes,
        prev_hash=prev_hash,
    )
    return DocketEvent(
        case_type=ct,
        case_id=case.pk,
        jurisdiction_id=case.jurisdiction_id,
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor_name=getattr(user, "display_name", "") if user else "系统",
        organisation_id=org_id,
        action=action,
        action_label=action_label,
        from_state=from_state,
        to_state=to_state,
        citation=citation,
        comment=comment,
        attachments=[],
        payload=payload,
        changes=changes,
        prev_hash=prev_hash,
        hash=digest,
    )


# -- the declared step for a batch --------------------------------------------------------------------

BatchEffect = Callable[[list[Any], list[StepContext]], Sequence[dict[str, Any] | None]]


@dataclass
class Fired:
    """What fire_many did: the cases it moved (in the order given) and, by case id, why each other
    case was refused — the error engine.fire would have raised for it."""

    cases: list[Any] = field(default_factory=list)
    refused: dict[Any, DomainError] = field(default_factory=dict)


def fire_many(
    model: type[models.Model],
    ids: Sequence[Any],
    name: str,
    *,
    user: Any,
    comment: str = "",
    payload: Any = None,
    batch_effects: Mapping[Any, BatchEffect] | None = None,
) -> Fired:
    """Take step `name` on each case of `ids`, in that order, as engine.fire takes it on one: the same
    actor rules and guards per case, the same effects, state change, docket event (with the effects'
    before/after) and duties — in one transaction and a handful of statements for the batch (the
    locking SELECT and the docket tails, one UPDATE per 500 cases, one multi-row docket INSERT).

    A case a rule refuses (or no longer in a state the step leaves) is left as it is and reported in
    `refused`, as the one-by-one path leaves it; the others go on. An effect named in
    `batch_effects` runs once for all the cases that passed their rules, in order, through its batch
    version (which must write what the effect writes for each case in turn, e.g. the duplicate check
    of a later case seeing the earlier ones); the other effects run per case. Bad input (the common
    payload) is an InvalidInput before anything is read."""
    wf = workflow_for(model)
    t = wf.get(name)
    data = engine._read_input(t, comment, payload)
    fired = Fired()
    with transaction.atomic():
        locked = _lock_many(model, ids, related=engine._STEP_RELATIONS)
        tails = _tails(model, [c.pk for c in locked.values()])
        ready: list[tuple[Any, StepContext, RuleContext]] = []
        for pk in ids:
            case = locked.get(pk)
            refusal = _refusal(wf, t, case, user, name, data)
            if isinstance(refusal, DomainError):
                fired.refused[pk] = refusal
                continue
            ready.append((case, *refusal))
        if not ready:
            return fired
        cases = [c for c, _, _ in ready]
        steps = [s for _, s, _ in ready]
        written = _run_effects(t, cases, steps, batch_effects or {})
        from_states = [c.state for c in cases]
        if isinstance(t, Transition):
            for case in cases:
                getattr(case, f"fsm_{t.name}")()  # django-fsm-2 checks the source and sets the state
        _save_many(model, cases, written)
        events = _events(t, cases, steps, data, from_states, tails, user)
        for case, step, event in zip(cases, steps, events, strict=True):
            step.event = event
            closes, opens = (*t.closes, *step.closing), (*t.opens, *step.opening)
            if closes:
                obligations_fulfil(case=case, codes=closes, event=event)
            if opens and not data.historical:
                today = data.act_date or step.today or engine._today()
                duties_open(case=case, duties=opens, event=event, today=today)
        fired.cases = cases
    return fired


def _lock_many(model: type[models.Model], ids: Sequence[Any], *, related: tuple[str, ...]) -> dict[Any, Any]:
    """The cases' row locks, in key order (two batches never wait on each other in a cycle)."""
    qs = model._default_manager.select_related(*related).order_by("pk")
    if transaction.get_connection(row_sql.alias_for(model)).features.has_select_for_update_of:
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_for_update()
    found: dict[Any, Any] = {}
    for i in range(0, len(ids), BATCH):
        found.update((c.pk, c) for c in qs.filter(pk__in=list(ids[i : i + BATCH])))
    return found


def _tails(model: type[models.Model], ids: list[Any]) -> dict[Any, tuple[int, str]]:
    """Each case's docket tail (last seq and hash), read under the cases' locks: on PostgreSQL the
    last event of each case (DISTINCT ON, one statement per BATCH cases); elsewhere each case's last
    seq, then those events."""
    ct = ContentType.objects.get_for_model(model)
    events = DocketEvent.objects.filter(case_type=ct)
    out: dict[Any, tuple[int, str]] = {}
    postgres = connections[events.db].vendor == "postgresql"
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        if postgres:
            last = events.filter(case_id__in=chunk).order_by("case_id", "-seq").distinct("case_id")
            out.update((c, (seq, h)) for c, seq, h in last.values_list("case_id", "seq", "hash"))
            continue
        wanted = Q()
        for case_id, seq in (
            events.filter(case_id__in=chunk)
            .values("case_id")
            .annotate(seq=Max("seq"))
            .values_list("case_id", "seq")
        ):
            wanted |= Q(case_id=case_id, seq=seq)
        if wanted:
            for case_id, seq, hash_ in events.filter(wanted).values_list("case_id", "seq", "hash"):
                out[case_id] = (seq, hash_)
    return out


def _refusal(
    wf: Any, t: Any, case: Any, user: Any, name: str, data: Any
) -> DomainError | tuple[StepContext, RuleContext]:
    """Why engine.fire would refuse the step on `case` (the error), or the contexts to take it."""
    if case is None:
        return NotFound()
    if not t.allowed_in(case.state):
        return Conflict(
            f"当前状态为“{wf.label_of(case.state)}”，不能执行“{t.label}”",
            code="wrong_state",
            article=t.citation or None,
        )
    ctx = RuleContext(
        user=user, payload=data.values, transition=name, input=data.typed, act_date=data.act_date
    )
    failures = engine._check(t, case, ctx)
    if failures:
        try:
            engine._refuse(failures)
        except DomainError as exc:
            return exc
    step = StepContext(
        user=user,
        step=t,
        comment=data.comment,
        payload=data.values,
        input=data.typed,
        today=ctx.today,
        act_date=data.act_date,
    )
    return step, ctx


def _run_effects(
    t: Any, cases: list[Any], steps: list[StepContext], batch_effects: Mapping[Any, BatchEffect]
) -> list[set[str]]:
    """The step's effects on every case (a batch version once for all), and per case the columns
    they set, noted in its step's changes as engine._write notes them."""
    before = [engine._column_values(c) if t.effects else {} for c in cases]
    for effect in t.effects:
        batch = batch_effects.get(effect)
        if batch is not None:
            for step, changes in zip(steps, batch(cases, steps), strict=True):
                step.changes.update(changes or {})
        else:
            for case, step in zip(cases, steps, strict=True):
                step.changes.update(effect(case, step) or {})
    written = []
    for case, step, values in zip(cases, steps, before, strict=True):
        changed = {f for (f, attname), v in values.items() if getattr(case, attname) != v}
        for f, attname in values:
            if f in changed and f not in step.changes:
                step.changes[f] = {
                    "before": jsonable(values[f, attname]),
                    "after": jsonable(getattr(case, attname)),
                }
        written.append(changed)
    return written


def _save_many(model: type[models.Model], cases: list[Any], written: list[set[str]]) -> None:
    """The cases' changed columns (state, version, the save's stamps, what the effects set), one UPDATE
    per BATCH cases; the locks make the state/version check of a single step's UPDATE moot here."""
    fields = set(engine._always_written(model)).union(*written)
    stamped = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    for case in cases:
        case.version += 1
        for f in stamped:
            f.pre_save(case, False)
    update_many(cases, sorted(fields))
    for case in cases:
        case._update_initial_state()


def update_many(cases: Sequence[Any], fields: Sequence[str]) -> None:
    """Write `fields` of saved `cases` of one model, as bulk_update writes them (the fields'
    prepared values; no save(), no signals): on PostgreSQL one UPDATE … FROM unnest(…) per BATCH
    cases, each column an array of its type (a CASE WHEN per row and column elsewhere)."""
    if not cases:
        return
    model = type(cases[0])
    alias = row_sql.alias_for(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        model._default_manager.db_manager(alias).bulk_update(cases, list(fields), batch_size=BATCH)
        return
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    pk = meta.pk
    names = [f"c{i}" for i in range(len(columns))]
    sets = ", ".join(f"{qn(f.column)} = v.{n}" for f, n in zip(columns, names, strict=True))
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in (pk, *columns))
    sql = (
        f"UPDATE {qn(meta.db_table)} AS t SET {sets} FROM unnest({arrays}) AS v(pk, {', '.join(names)}) "
        f"WHERE t.{qn(pk.column)} = v.pk"
    )
    with connection.cursor() as cursor:
        for i in range(0, len(cases), BATCH):
            chunk = cases[i : i + BATCH]
            params = [[pk.get_db_prep_value(c.pk, connection) for c in chunk]]
            for f in columns:
                params.append([f.get_db_prep_save(getattr(c, f.attname), connection) for c in chunk])
            cursor.execute(sql, params)


def _events(
    t: Any,
    cases: list[Any],
    steps: list[StepContext],
    data: Any,
    from_states: list[str],
    tails: dict[Any, tuple[int, str]],
    user: Any,
) -> list[DocketEvent]:
    """Each case's docket event of the step, as engine._record writes it, in one multi-row INSERT."""
    stored = payloads.stored(data.typed) if data.typed is not None else data.values
    if data.historical:
        stored = {**stored, "historical": True}
    events = [
        _event(
            case,
            user=user,
            action=t.name,
            action_label=t.label,
            from_state=from_state,
            to_state=case.state,
            citation=t.citation,
            comment=data.comment,
            payload=normalise(stored) if stored else {},
            changes=normalise(step.changes) if step.changes else {},
            tail=tails.get(case.pk),
        )
        for case, step, from_state in zip(cases, steps, from_states, strict=True)
    ]
    if row_sql.signals_free(DocketEvent):
        for i in range(0, len(events), BATCH):
            row_sql.insert(events[i : i + BATCH])
    else:
        DocketEvent.objects.bulk_create(events, batch_size=BATCH)
    return events
