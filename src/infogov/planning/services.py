"""Commands on development plans (第五条至第七条): thin, typed, keyword-only functions. Every act on a
plan version is a step of its workflow (workflows.py: Transitions and Records) taken through
core.workflow.engine.fire — one transaction with the lock, the rules (rules.py), the typed input
(payloads.py), the writes and one docket event with their before and after. Registering a plan and
the year-wide acts of the city authority (sampling, scoring) check their rules with rules.enforce."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from infogov.core.errors import Conflict, InvalidInput, NotFound
from infogov.core.models import CaseAssignment, DocketEvent, Obligation
from infogov.core.workflow import engine as wf
from infogov.core.workflow.obligations import obligation_open
from infogov.core.workflow.rules import acts_for_owner
from infogov.org.models import Jurisdiction, Organisation, User
from infogov.org.selectors import authority_of, city

from . import payloads as p
from . import rules as r
from .choices import PlanLevel, PlanState
from .deadlines import execution_due_date
from .models import (
    ExecutionReport,
    ExpertOpinion,
    Inspection,
    Plan,
    PlanGoal,
    PlanTask,
    PlanVersion,
    PublicComment,
)

EXPERT_REVIEW = "plan_review"
COMMENT_RATE_LIMIT = r.COMMENT_RATE_LIMIT  # comments per client per hour on the public page (A6-1-RATE-LIMIT)


def _fire(
    version: PlanVersion,
    step: str,
    *,
    user: Any,
    payload: Any = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
    comment: str = "",
) -> tuple[PlanVersion, DocketEvent]:
    """Take `step` on the version; returns the version and the step's docket event. Without
    `expected_version` the step acts on the version as it now is (a caller holding an older copy is
    not refused); with it, a version changed since is a conflict. The event is read under the case's
    row lock (held until the outermost transaction commits): it is this step's."""
    case = version if expected_version is not None else PlanVersion.objects.filter(pk=version.pk).first()
    if case is None:
        raise NotFound()
    with transaction.atomic():
        locked = wf.fire(
            case,
            step,
            user=user,
            payload=payload,
            expected_version=expected_version,
            today=today,
            comment=comment,
        )
        event = DocketEvent.objects.for_case(locked).order_by("-seq").first()
    if event is None or event.action != step:  # cannot happen under the lock; never a wrong answer
        raise Conflict()
    return locked, event


def _created(event: DocketEvent, model: type[Any]) -> list[Any]:
    """The records of `model` that the step added (by their docket keys), in order."""
    prefix = f"{model._meta.model_name}#"
    pks = [
        int(key[len(prefix) :])
        for key, diff in (event.changes or {}).items()
        if key.startswith(prefix) and isinstance(diff, dict) and diff.get("before") is None
    ]
    return list(model.objects.filter(pk__in=pks).order_by("pk"))


# -- 第五条: the register -------------------------------------------------------------------------


def search_document(version: PlanVersion) -> str:
    """The version's search column (core.text.search_column, as projects): the words of its title,
    body, parent plan's name, goals and tasks with their indicators."""
    from infogov.core.text import search_column

    parts = [version.title, version.body, version.plan.parent_reference]
    parts += [g.text for g in version.goals.all()]
    parts += [f"{t.text} {t.indicator}" for t in version.tasks.all()]
    return search_column(*parts)


def _reindex(version: PlanVersion) -> None:
    PlanVersion.objects.filter(pk=version.pk).update(search_text=search_document(version))


def plan_create(
    *,
    user: User,
    level: str,
    title: str,
    jurisdiction: Jurisdiction,
    owner: Organisation,
    period_start: int,
    period_end: int,
    parent: Plan | None = None,
    parent_reference: str = "",
    body: str = "",
) -> PlanVersion:
    """Register a plan and open its first version in drafting (第五条)."""
    given = _valid(
        p.PlanCreateIn,
        level=level,
        title=title,
        period_start=period_start,
        period_end=period_end,
        parent_reference=parent_reference,
        body=body,
    )
    plan = Plan(
        level=given.level,
        title=given.title,
        jurisdiction=jurisdiction,
        owner=owner,
        parent=parent,
        parent_reference=given.parent_reference,
    )
    r.enforce(
        [
            acts_for_owner,  # only in the name of one's own organisation
            r.period_valid,
            r.city_plan_owned_by_city_authority,
            r.local_plan_owned_by_local_authority,
            r.special_plan_owned_by_department,
            r.city_plan_based_on_provincial,
            r.local_plan_based_on_city_plan,
            r.special_plan_based_on_area_plan,
        ],
        plan,
        user=user,
        input=given,
    )
    with transaction.atomic():
        plan.save()
        version = wf.create(
            PlanVersion,
            user=user,
            plan=plan,
            number=1,
            level=given.level,
            title=given.title,
            jurisdiction=jurisdiction,
            owner=owner,
            period_start=given.period_start,
            period_end=given.period_end,
            body=given.body,
        )
        _reindex(version)
    return version


def _valid(schema: type[Any], **values: Any) -> Any:
    from infogov.core.workflow.payloads import validate

    model, _ = validate(schema, values)
    return model


def version_update(
    *, version: PlanVersion, user: User, expected_version: int | None = None, **changes: Any
) -> PlanVersion:
    """Edit a draft's text (title, period, body, change reason); approved versions refuse (第六条第二款)."""
    return _fire(version, "draft_edit", user=user, payload=changes, expected_version=expected_version)[0]


def goal_add(*, version: PlanVersion, user: User, text: str) -> PlanGoal:
    with transaction.atomic():
        _, event = _fire(version, "goal_add", user=user, payload={"text": text})
        return _created(event, PlanGoal)[0]


def task_add(*, version: PlanVersion, user: User, **data: Any) -> PlanTask:
    """Add a key task (第五条): task, responsible organisation, indicator (value, unit), target year."""
    with transaction.atomic():
        _, event = _fire(version, "task_add", user=user, payload=data)
        return _created(event, PlanTask)[0]


def task_update(*, task: PlanTask, user: User, **data: Any) -> PlanTask:
    _fire(task.version, "task_update", user=user, payload={"task_id": task.pk, **data})
    return PlanTask.objects.get(pk=task.pk)


def task_remove(*, task: PlanTask, user: User) -> None:
    _fire(task.version, "task_remove", user=user, payload={"task_id": task.pk})


# -- 第六条第二款: change control -------------------------------------------------------------------


def plan_change_request(*, version: PlanVersion, user: User, reason: str) -> PlanVersion:
    """因特殊情况确需变更、调整: a new version with the stated reason, copied from the version in force,
    that runs the whole procedure again and on entering into force supersedes the old one."""
    with transaction.atomic():
        _, event = _fire(version, "change_request", user=user, payload={"reason": reason or ""})
        return PlanVersion.objects.get(pk=event.changes["successor"]["after"])


# -- 第六条第一款: public consultation --------------------------------------------------------------


def client_fingerprint(ip: str, user_agent: str = "") -> str:
    return hashlib.sha256(f"{ip}|{user_agent[:200]}".encode()).hexdigest()


def comment_submit(
    *,
    version: PlanVersion,
    body: str,
    goal_id: int | None = None,
    task_id: int | None = None,
    name: str = "",
    contact: str = "",
    client: str = "",
    today: dt.date | None = None,
) -> PublicComment:
    """A member of the public comments on a plan under consultation (no account needed)."""
    payload = {
        "body": body,
        "goal_id": goal_id,
        "task_id": task_id,
        "name": name,
        "contact": contact,
        "client": client,
    }
    with transaction.atomic():
        _, event = _fire(version, "comment", user=None, payload=payload, today=today)
        return _created(event, PublicComment)[0]


def comments_answer(
    *,
    version: PlanVersion,
    user: User,
    comment_ids: Iterable[int],
    status: str = "",
    text: str = "",
    template: str = "",
    reason: str = "",
) -> int:
    """Draft the official answer to one or many comments, from a template or free text (not yet public)."""
    payload = {
        "comments": list(comment_ids),
        "status": status,
        "text": text,
        "template": template,
        "reason": reason,
    }
    with transaction.atomic():
        _, event = _fire(version, "comments_answer", user=user, payload=payload)
        return len(event.payload["comments"])


def comments_publish_answers(*, version: PlanVersion, user: User) -> int:
    """Publish every drafted answer together; commenters who left contact details are notified."""
    with transaction.atomic():
        _, event = _fire(version, "answers_publish", user=user)
        return sum(1 for key in event.changes if key.startswith("publiccomment#"))


def consultation_summary_save(*, version: PlanVersion, user: User, summary: str) -> PlanVersion:
    """征求意见情况说明: part of the record (the submission guard requires it)."""
    return _fire(version, "consultation_summary", user=user, payload={"summary": summary})[0]


# -- 第六条第一款: expert review ---------------------------------------------------------------------


def experts_assign(
    *, version: PlanVersion, user: User, experts: Iterable[User], due_date: dt.date | str | None = None
) -> list[CaseAssignment]:
    """组织专家论证: the owner (or the competent authority) invites pool experts, none from the owner, each
    to give an opinion by `due_date` (none: EXPERT_REVIEW_DAYS after the invitation, 平台规定)."""
    payload: dict[str, Any] = {"experts": [e.pk for e in experts]}
    if due_date:
        payload["due_date"] = due_date.isoformat() if isinstance(due_date, dt.date) else due_date
    with transaction.atomic():
        _, event = _fire(version, "experts_assign", user=user, payload=payload)
        return _created(event, CaseAssignment)


def expert_opinion_submit(
    *, version: PlanVersion, user: User, conclusion: str, opinion: str
) -> ExpertOpinion:
    """An assigned expert gives a conclusion and opinion for the current round."""
    with transaction.atomic():
        _, event = _fire(
            version, "expert_opinion", user=user, payload={"conclusion": conclusion, "opinion": opinion}
        )
        return _created(event, ExpertOpinion)[0]


# -- 第七条: annual execution reports --------------------------------------------------------------


def execution_code(year: int) -> str:
    return f"plan-execution-{year}"


def execution_obligation_open(*, version: PlanVersion, year: int, event: Any = None) -> Obligation | None:
    """The owner of a local or special plan in force owes the city authority a report on `year` (第七条)."""
    if version.plan.level not in (PlanLevel.LOCAL, PlanLevel.SPECIAL):
        return None
    code = execution_code(year)
    if Obligation.objects.for_case(version).filter(code=code).exists():
        return None
    return obligation_open(
        case=version,
        code=code,
        title=f"报送《{version.title}》{year}年度执行情况",
        citation="第七条",
        owed_by=version.owner,
        owed_to=authority_of(city()),
        due_date=execution_due_date(year),
        event=event,
    )


def execution_obligations_open(*, year: int) -> int:
    """Run each January (management command `plan_execution_obligations`): idempotent."""
    n = 0
    versions = PlanVersion.objects.filter(
        state=PlanState.IN_FORCE, plan__level__in=(PlanLevel.LOCAL, PlanLevel.SPECIAL)
    ).select_related("plan", "owner")
    with transaction.atomic():
        for v in versions:
            if execution_obligation_open(version=v, year=year):
                n += 1
    return n


def execution_obligations_cancel(*, version: PlanVersion) -> int:
    from infogov.core.workflow.obligations import obligations_cancel

    codes = list(
        Obligation.objects.open()
        .for_case(version)
        .filter(code__startswith="plan-execution-")
        .values_list("code", flat=True)
    )
    return obligations_cancel(case=version, codes=codes)


def execution_report_submit(
    *,
    version: PlanVersion,
    user: User,
    year: int,
    progress: Iterable[dict[str, Any]],
    summary: str = "",
) -> ExecutionReport:
    """The owner reports the year's progress per task indicator; fulfils the year's obligation (第七条)."""
    payload = {"year": year, "summary": summary or "", "progress": list(progress)}
    with transaction.atomic():
        _locked, event = _fire(version, "execution_report", user=user, payload=payload)
        return _created(event, ExecutionReport)[0]


# -- 第七条: inspections and scores ----------------------------------------------------------------


def inspections_sample(
    *, user: User, year: int, share: float = 1.0, seed: int | None = None
) -> list[Inspection]:
    """The city authority draws the plans it inspects for `year` (all, or a random share); each drawn
    plan's docket records it (a Record step on each version)."""
    import random

    r.enforce([r.acts_as_city_authority], None, user=user)
    if not 0 < share <= 1:
        raise InvalidInput("抽查比例须在 0 到 1 之间", code="invalid_share")
    pool = list(
        PlanVersion.objects.filter(
            state=PlanState.IN_FORCE, plan__level__in=(PlanLevel.LOCAL, PlanLevel.SPECIAL)
        ).order_by("pk")
    )
    k = max(1, round(len(pool) * share)) if pool else 0
    chosen = random.Random(seed if seed is not None else year).sample(pool, k)
    sampled = set(Inspection.objects.filter(year=year).values_list("version_id", flat=True))
    made: list[Inspection] = []
    with transaction.atomic():
        for v in chosen:
            if v.pk not in sampled:
                _, event = _fire(v, "inspection_sample", user=user, payload={"year": year})
                made += _created(event, Inspection)
    return made


def inspection_record(
    *, inspection: Inspection, user: User, findings: Iterable[dict[str, str]], conclusion: str = ""
) -> Inspection:
    payload = {"inspection": inspection.pk, "findings": list(findings), "conclusion": conclusion or ""}
    _fire(inspection.version, "inspection", user=user, payload=payload)
    return Inspection.objects.get(pk=inspection.pk)


def scores_compute(*, user: User, year: int, today: dt.date | None = None) -> int:
    """Score every supervised plan for `year` by the published scoring sheet (assessment.SCORING_SHEET)."""
    from .assessment import score_version
    from .models import PlanScore

    r.enforce([r.acts_as_city_authority], None, user=user)
    versions = PlanVersion.objects.filter(
        plan__level__in=(PlanLevel.LOCAL, PlanLevel.SPECIAL),
        state__in=(PlanState.IN_FORCE, PlanState.SUPERSEDED),
        period_start__lte=year,
        period_end__gte=year,
        in_force_at__isnull=False,
    ).select_related("plan")
    n = 0
    with transaction.atomic():
        for v in versions:
            if v.state == PlanState.SUPERSEDED and v.superseded_at and v.superseded_at.year < year:
                continue
            s = score_version(v, year, today=today)
            PlanScore.objects.update_or_create(
                version=v,
                year=year,
                defaults={
                    "indicator_score": s.indicator,
                    "timeliness_score": s.timeliness,
                    "findings_score": s.findings,
                    "total": s.total,
                    "detail": s.detail,
                    "computed_by": user,
                    "computed_at": timezone.now(),
                },
            )
            n += 1
    return n
