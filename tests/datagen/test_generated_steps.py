"""The generator follows the workflow declarations: every event it writes is the creation, an edit,
or a step its case type's workflow declares, taken from a state the step is declared for and
leading where it is declared to lead, with the declared label and article; the docket verifies.
Small scale, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from infogov.core.docket import verify as docket_verify
from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow.steps import workflow_for
from infogov.datagen import runner
from infogov.datagen.docket import CREATE, EDIT, Chain, declared, target_of
from infogov.projects.choices import ProjectState as S
from infogov.projects.generate.walk import Walk
from infogov.projects.workflows import PROJECT_WORKFLOW

SMALL = runner.spec_for("city", projects=150, events=150 * 40)


@pytest.mark.django_db
def test_every_generated_event_is_a_declared_step():
    runner.generate(SMALL, seed=7)
    workflows = {}
    seen: Counter[str] = Counter()
    wrong = []
    for ct_id, action, label, citation, fs, ts, seq in DocketEvent.objects.values_list(
        "case_type_id", "action", "action_label", "citation", "from_state", "to_state", "seq"
    ).iterator():
        if ct_id not in workflows:
            workflows[ct_id] = workflow_for(ContentType.objects.get_for_id(ct_id).model_class())
        wf = workflows[ct_id]
        seen[action] += 1
        if action == CREATE:
            ok = seq == 1 and fs == "" and ts == wf.initial
        elif action == EDIT:
            ok = seq > 1 and fs == ts and fs in wf.states.values
        else:
            step = wf.steps.get(action)
            ok = (
                step is not None
                and (not step.sources or fs in step.sources)
                and ts == getattr(step, "target", fs)
                and (label, citation) == (step.label, step.citation)
            )
        if not ok:
            wrong.append((wf.title, action, fs, ts, label, citation))
    assert not wrong, wrong[:10]
    # the history reaches every stage of both procedures and of the plans
    expected = {
        "create", "edit", "submit", "include_in_plan", "review_finding", "review_pass", "record_procurement",
        "submit_filing", "issue_filing", "start_construction", "progress", "disbursement", "complete",
        "record_test", "accept", "acceptance_filing", "deliver", "submit_plan", "approve_plan",
    }  # fmt: skip
    assert expected <= set(seen), expected - set(seen)
    # obligations carry the declared duties' titles and articles
    duties = declared_duties()
    for code, title, citation in Obligation.objects.values_list("code", "title", "citation").distinct():
        assert (title, citation) == (duties[code].title, duties[code].citation)
    result = docket_verify.verify()
    assert result.ok, result.broken
    assert result.unsealed == 0


def test_declared_refuses_an_unknown_step():
    assert declared(PROJECT_WORKFLOW, "submit").target == S.PROPOSED
    assert declared(PROJECT_WORKFLOW, "progress").name == "progress"
    with pytest.raises(LookupError):
        declared(PROJECT_WORKFLOW, "approve_everything")


def test_a_step_is_refused_from_a_state_it_is_not_declared_for():
    submit = declared(PROJECT_WORKFLOW, "submit")
    assert target_of(submit, S.DRAFT) == S.PROPOSED
    with pytest.raises(ValueError, match="not declared for state"):
        target_of(submit, S.CONSTRUCTION)
    finding = declared(PROJECT_WORKFLOW, "review_finding")
    assert target_of(finding, S.PLANNED) == S.PLANNED  # a record keeps the state
    with pytest.raises(ValueError, match="not declared for state"):
        target_of(finding, S.DRAFT)


class _Out:
    def __init__(self) -> None:
        self.rows: list = []

    def event(self, micros, row) -> None:
        self.rows.append(row)


def _walk() -> Walk:
    at = dt.datetime(2020, 3, 2, 2, 0, tzinfo=dt.UTC)
    chain = Chain(_Out(), 7, 42, 3)  # type: ignore[arg-type]
    actor = (1, "张三", 2)
    return Walk(
        random.Random(1), None, None, chain, None, (7, 42, 3), 2, 5, actor, actor, at,  # type: ignore[arg-type]
        True, budget=1, contract=1,
    )  # fmt: skip


def test_the_walk_takes_only_declared_steps_and_duties():
    w = _walk()
    with pytest.raises(ValueError, match="not declared for state"):
        w.take("complete", w.owner_staff)  # a draft cannot be completed
    seq = w.take("submit", w.owner_staff)
    assert (seq, w.state, w.version) == (1, S.PROPOSED, 1)
    event = w.chain.out.rows[-1]
    assert event[8:13] == ("submit", "申报列入年度计划", S.DRAFT, S.PROPOSED, "第九条第一款")
    with pytest.raises(ValueError, match="does not open the duty"):
        w.oblige("project-review", 5, 2, seq)  # submit opens no duty; include_in_plan does
    w.project = PROJECT_WORKFLOW.model(id=42)
    seq = w.take("include_in_plan", w.auth_staff)
    row = w.oblige("project-review", 5, 2, seq)
    assert row[3] == "project-review" and row[5] == "第九条第二款"
    assert row[4].startswith("评审已列入年度计划的项目") and "平台规定" in row[4]  # the deadline is policy
    assert row[8] == w.day + dt.timedelta(days=60)
    with pytest.raises(ValueError, match="does not close the duty"):
        w.fulfil(row, seq)  # include_in_plan does not close the review it opens


def declared_duties() -> dict[str, Any]:
    """Every duty the registered apps declare: those their steps open, and those their effects open
    (module-level ``Duty`` objects in the app's ``workflows`` or ``duties`` module)."""
    import importlib

    from django.apps import apps

    from infogov.core.workflow.obligations import Duty

    found: dict[str, Any] = {}
    for config in apps.get_app_configs():
        if getattr(config, "infogov", None) is None:
            continue
        for name in ("workflows", "duties"):
            try:
                module = importlib.import_module(f"{config.name}.{name}")
            except ModuleNotFoundError:
                continue
            for value in vars(module).values():
                if isinstance(value, Duty):
                    found[value.code] = value
                elif hasattr(value, "steps") and hasattr(value, "initial"):  # a Workflow
                    found.update({d.code: d for step in value.steps.values() for d in step.opens})
    return found
