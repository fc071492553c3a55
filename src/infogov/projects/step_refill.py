"""The project page's own step forms keep what was typed after a refusal (专家评审意见, 验收结果备案,
退回 and 答复审查条件, 登记支付 and 报告进度): the submission comes back with the typed values and the
refusal beside the field it concerns — a rule's refusal that concerns no single field above the form —
like the generated step forms (core/web/stepforms.py, whose session record the generic step view writes
on a refusal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from infogov.core.web.stepforms import SESSION_KEY

# the steps whose forms the project page draws itself (templates/projects/_expert_review.html,
# _acceptance_filing.html, _condition.html, _funds_forms.html); "condition_answer" is the answer form's
# own key
CUSTOM_FORMS = frozenset(
    {
        "expert_opinion",
        "acceptance_filing",
        "condition_return",
        "condition_answer",
        "disbursement",
        "progress",
    }
)


@dataclass
class Refill:
    """A refused (or sent back from its confirmation page) submission of one of the page's own forms."""

    step: str
    values: dict[str, str] = field(default_factory=dict)  # one text per input
    chosen: dict[str, list[str]] = field(default_factory=dict)  # a checklist's ticked values
    errors: dict[str, str] = field(default_factory=dict)  # the refusal of a field, by its name
    message: str = ""  # a refusal that names no field of the form (a rule's)

    @property
    def condition_id(self) -> str:
        """The review condition a condition form was about (the page shows one form per condition)."""
        return self.values.get("condition_id", "")


def peek(request: HttpRequest, case_key: str) -> Refill | None:
    """The kept submission of one of the project page's own forms for this case, read before the
    generic page consumes it (core.web.stepforms.recall_refusal)."""
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("case") != case_key or kept.get("step") not in CUSTOM_FORMS:
        return None
    values: dict[str, str] = {}
    chosen: dict[str, list[str]] = {}
    for name, given in (kept.get("values") or {}).items():
        many = [str(v) for v in given] if isinstance(given, list) else [str(given)]
        chosen[name] = many
        values[name] = "、".join(many) if isinstance(given, list) else str(given)
    errors = {str(k): str(v) for k, v in (kept.get("errors") or {}).items()}
    message = "" if errors else str(kept.get("message") or "")
    return Refill(str(kept["step"]), values, chosen, errors, message)


def remember_answer_refusal(request: HttpRequest, project_id: int, condition_id: int, error: Any) -> None:
    """答复审查条件 is not a generic step view: keep its typed answer and refusal the same way."""
    from infogov.core.web.stepforms import remember_refusal

    remember_refusal(request, case_key=f"projects:{project_id}", step="condition_answer", error=error)
    kept = request.session[SESSION_KEY]
    kept["values"]["condition_id"] = str(condition_id)
    errors = kept.get("errors") or {}
    if "answer" in errors:  # the service's field is the form's "text"
        errors["text"] = errors.pop("answer")
    request.session[SESSION_KEY] = kept


def expert_rows(dimensions: list[tuple[str, str]], refill: Refill | None) -> list[dict[str, str]]:
    """The expert opinion form's four dimensions, each with what was typed and its refusal."""
    mine = refill if refill is not None and refill.step == "expert_opinion" else None
    rows = []
    for value, label in dimensions:
        c, t = f"{value}_conclusion", f"{value}_comment"
        rows.append(
            {
                "value": value,
                "label": label,
                "conclusion": mine.values.get(c, "") if mine else "",
                "comment": mine.values.get(t, "") if mine else "",
                "conclusion_error": mine.errors.get(c, "") if mine else "",
                "comment_error": mine.errors.get(t, "") if mine else "",
            }
        )
    return rows
