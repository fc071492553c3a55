"""Declarations: the steps of a case type and the workflow that holds them.

Two kinds of step, one engine (engine.fire):

- ``Transition`` changes the case's state (提交, 批准, 验收合格 …).
- ``Record`` keeps the state and adds or changes a record under the case (a finding, a payment, an
  answer to a condition, a progress report, a drill): ``states`` says in which states it may be
  taken, ``creates`` names the model it adds (one row from the typed payload), ``effects`` write
  anything else through ``StepContext.create/update`` so that every write lands in the docket with
  its before and after.

Both name who may act (``by``: actor rules, each citing the article that gives the act to a level),
the guard rules, the typed input (``payload``: a pydantic model — the API body, the web form's
validation and what the guards read), the date of the act (``act_date``: the payload field whose
date decides which rules were in force, 第三十五条), and the duties they open and close.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.db import models
from pydantic import BaseModel

from infogov.core.errors import InvalidInput
from infogov.core.regulation.articles import Citation
from infogov.core.workflow.obligations import Duty
from infogov.core.workflow.rules import Rule, RuleFailure
from infogov.core.workflow.values import full_clean, jsonable, snapshot

Effect = Callable[[Any, "StepContext"], dict[str, Any] | None]


@dataclass(frozen=True, kw_only=True)
class Step:
    """What every step declares. See Transition and Record."""

    name: str
    label: str
    by: tuple[Rule, ...] = ()
    guards: tuple[Rule, ...] = ()
    citation: str = ""
    payload: type[BaseModel] | None = None  # the typed input; None: the step takes no input
    act_date: str = ""  # the payload field holding the act's date (第三十五条); "" = the day it is taken
    opens: tuple[Duty, ...] = ()
    closes: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()
    confirm: str = ""  # shown, after the server has checked the input, before an irreversible step
    comment_required: bool = False
    style: str = "primary"  # primary | danger | secondary
    # In the inbox (我的待办, core/workflow/inbox.py)? None: a Transition of the primary style is (the
    # step that moves the case on), a Record is not (records are kept while the case is open).
    inbox: bool | None = None

    def __post_init__(self) -> None:
        if self.citation:
            Citation.parse(self.citation)
        if self.act_date and (self.payload is None or self.act_date not in self.payload.model_fields):
            raise ValueError(f"step {self.name}: act_date {self.act_date!r} is not a field of its payload")

    @property
    def changes_state(self) -> bool:
        return isinstance(self, Transition)

    @property
    def sources(self) -> tuple[str, ...]:
        """The states the step may be taken in (a Record: empty means every state)."""
        raise NotImplementedError

    def allowed_in(self, state: str) -> bool:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class Transition(Step):
    """A step that moves the case from one of ``source`` to ``target``."""

    source: str | tuple[str, ...]
    target: str

    def __init__(self, name: str, source: str | tuple[str, ...], target: str, label: str, **kw: Any) -> None:
        # positional (name, source, target, label) as the declarations read
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "target", target)
        Step.__init__(self, name=name, label=label, **kw)  # type: ignore[misc]

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)

    def allowed_in(self, state: str) -> bool:
        return state in self.sources


@dataclass(frozen=True, kw_only=True)
class Record(Step):
    """A step that keeps the state and writes a record under the case.

    ``states``: where it may be taken (empty: in every state). ``creates``: the model of the record it
    adds, built from the payload's fields of the same names, linked to the case by its foreign key to
    the case model. ``touch``: bump the case's version, so that a decision taken on the view before
    this record conflicts instead of passing unseen (default: yes)."""

    states: tuple[str, ...] = ()
    creates: type[models.Model] | None = None
    touch: bool = True

    def allowed_in(self, state: str) -> bool:
        return not self.states or state in self.states

    @property
    def sources(self) -> tuple[str, ...]:
        return self.states


@dataclass
class StepContext:
    """What an effect sees and how it writes: every write through create()/update() is recorded in
    the step's docket event with its before and after values."""

    user: Any
    step: Step
    comment: str
    payload: dict[str, Any]  # the typed input as a dict of typed values (dates stay dates)
    input: Any = None  # the validated payload model, when the step declares one
    today: dt.date | None = None
    act_date: dt.date | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    created: list[models.Model] = field(default_factory=list)
    event: Any = None
    opening: list[Duty] = field(default_factory=list)  # duties decided by this call (open_duty)
    closing: list[str] = field(default_factory=list)  # duty codes decided by this call (close_duty)

    @property
    def transition(self) -> Step:  # the name the effects of the first core used
        return self.step

    def create(self, model: type[models.Model], **fields: Any) -> Any:
        """Add a record (validated like a form: a 422, never a 500) and note it in the docket."""
        obj = model(**fields)
        full_clean(obj)
        obj.save()
        self.created.append(obj)
        self.changes[f"{model._meta.model_name}#{obj.pk}"] = {"before": None, "after": snapshot(obj)}
        return obj

    def update(self, obj: models.Model, **fields: Any) -> dict[str, Any]:
        """Change a record's fields, note the ones that changed (before/after) in the docket; returns
        that diff. The caller has the record from a locked queryset or the case lock serialises it."""
        attnames = {name: _attname(obj, name) for name in fields}
        before = {name: getattr(obj, attnames[name]) for name in fields}
        for name, value in fields.items():
            setattr(obj, name, value)
        full_clean(obj)
        diff = {}
        for name, old in before.items():
            new = getattr(obj, attnames[name])
            if new != old:
                diff[name] = {"before": jsonable(old), "after": jsonable(new)}
        if diff:
            obj.save(update_fields=list(fields))
            self.changes[f"{obj._meta.model_name}#{obj.pk}"] = diff
        return diff

    def open_duty(self, duty: Duty) -> None:
        """Open a duty this call decides (e.g. one per inspection finding): opened with the step's
        docket event, clocked from the act's date, not opened for a historical act."""
        self.opening.append(duty)

    def close_duty(self, *codes: str) -> None:
        """Fulfil duties this call decides (e.g. the conditions' duty once the last one is answered),
        by the step's docket event."""
        self.closing.extend(codes)

    def delete(self, obj: models.Model) -> None:
        """Remove a record under the case; the docket keeps what it was (before → None)."""
        key = f"{obj._meta.model_name}#{obj.pk}"
        self.changes[key] = {"before": snapshot(obj), "after": None}
        obj.delete()


def _attname(obj: models.Model, name: str) -> str:
    return str(getattr(obj._meta.get_field(name), "attname", name))


@dataclass
class Option:
    """One step as a user sees it: may they take it, and if not, why (with articles)."""

    name: str
    label: str
    target: str
    allowed: bool
    blockers: list[RuleFailure]
    confirm: str = ""
    style: str = "primary"
    comment_required: bool = False
    changes_state: bool = True
    payload: type[BaseModel] | None = None

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
    """A case model's declared procedure: its states and its steps."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        states: type[models.TextChoices],
        transitions: Iterable[Step],
        initial: str,
        title: str = "",
    ) -> None:
        self.model = model
        self.states = states
        self.initial = initial
        self.title = title or str(model._meta.verbose_name)
        self.transitions: dict[str, Transition] = {}
        self.records: dict[str, Record] = {}
        for t in transitions:
            if t.name in self.transitions or t.name in self.records:
                raise ValueError(f"{model.__name__}: step {t.name} declared twice")
            declared = (*t.sources, t.target) if isinstance(t, Transition) else t.sources
            for s in declared:
                if s not in states.values:
                    raise ValueError(f"{model.__name__}.{t.name}: unknown state {s!r}")
            if isinstance(t, Transition):
                self.transitions[t.name] = t
            elif isinstance(t, Record):
                self.records[t.name] = t
            else:
                raise TypeError(f"{model.__name__}.{t.name}: a step is a Transition or a Record")
        REGISTRY[model] = self

    @property
    def steps(self) -> dict[str, Step]:
        return {**self.transitions, **self.records}

    def install(self) -> None:
        """Attach each transition to the model as a django-fsm-2 transition method."""
        from django_fsm import transition as fsm_transition

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

    def from_state(self, state: str) -> list[Step]:
        return [t for t in self.steps.values() if t.allowed_in(state)]

    def get(self, name: str) -> Step:
        step = self.transitions.get(name) or self.records.get(name)
        if step is None:
            raise InvalidInput(f"“{self.title}”没有名为 {name} 的办理步骤", code="unknown_transition")
        return step

    def diagram(self) -> str:
        """A Mermaid state diagram generated from the declaration (for the user guides); record steps
        are listed on the states where they may be taken."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for s in self.states:
            lines.append(f"    {s.value}: {s.label}")
        for t in self.transitions.values():
            cite = f"（{t.citation}）" if t.citation else ""
            for src in t.sources:
                lines.append(f"    {src} --> {t.target}: {t.label}{cite}")
        for r in self.records.values():
            cite = f"（{r.citation}）" if r.citation else ""
            for state in r.states or tuple(self.states.values):
                lines.append(f"    note right of {state}: {r.label}{cite}")
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
    import importlib

    for config in django_apps.get_app_configs():
        if config.name.startswith(("infogov.", "tests.")):
            try:
                importlib.import_module(f"{config.name}.workflows")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.workflows":
                    raise
    for wf in REGISTRY.values():
        wf.install()
