"""A step judged without being taken: what engine.fire() checks before it writes — the step open in
the case's state at the version the caller saw, the typed input, who may act, the guards on that
input by the law of the act's date — with no lock and no write.

The web's "请核对" page (core.web.confirm) asks this before it shows an irreversible step's
consequence, so that an official confirms only what the server would accept. fire() judges again
when the step is taken: the case may have changed in between (the confirmation's token says so).
"""

from __future__ import annotations

from typing import Any

from infogov.core.workflow.engine import _check, _read_input, _refuse, _require_open
from infogov.core.workflow.rules import RuleContext
from infogov.core.workflow.steps import workflow_for


def check(
    case: Any,
    name: str,
    *,
    user: Any,
    comment: str = "",
    payload: Any = None,
    expected_version: int | None = None,
    today: Any = None,
) -> Any:
    """Raise what fire() would raise before writing (InvalidInput, NotPermitted, RuleViolation,
    Conflict); return the validated payload model (None for a step without one)."""
    wf = workflow_for(case)
    t = wf.get(name)
    data = _read_input(t, comment, payload)
    seen = case.version if expected_version is None else expected_version
    _require_open(wf, t, case, seen_state=case.state, seen_version=seen)
    ctx = RuleContext(
        user=user,
        payload=data.values,
        transition=name,
        input=data.typed,
        act_date=data.act_date,
        **({"today": today} if today else {}),
    )
    failures = _check(t, case, ctx)
    if failures:
        _refuse(failures)
    return data.typed
