"""One worker's share (datagen's AppGenerator.produce): the annual plans' dockets (worker 0), the
projects whose construction unit falls to this worker, walked stage by stage, and the deliveries of
their information systems, staged for the security generator (datagen.deliveries). Workers split the
projects by construction unit, so that a system (unique per unit and name) gets its key in one worker."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from infogov.datagen.docket import Chain, EventOut
from infogov.datagen.hooks import PartJob
from infogov.datagen.obligations import STAGE, STAGE_COLUMNS
from infogov.datagen.sink import Sink

from ..workflows import PLAN_WORKFLOW, PROJECT_WORKFLOW
from . import stages
from .prepare import Prep
from .registration import register
from .walk import Rows, at_office_hours, pick_user, plan_step

SIMILARITY_DOCUMENT = ("id", "jurisdiction_id", "terms")


def plan_histories(job: PartJob, out: EventOut) -> None:
    """Each annual plan's docket: drafted in November, then (all but the last year's) submitted to
    the government and approved (第九条第一款)."""
    world, prep = job.world, job.prep
    for plan_id, jid, year in prep.plan_events:
        rng = random.Random(f"{job.seed}:plan:{plan_id}")
        chain = Chain(out, prep.ct_plan, plan_id, jid)
        auth, gov = world.authority_of[jid], world.government_of[jid]
        created = at_office_hours(rng, dt.date(year - 1, 11, 1) + dt.timedelta(days=rng.randint(0, 20)))
        staff = pick_user(world, auth, ("authority_staff",), rng)
        chain.create(created, staff, PLAN_WORKFLOW, {"title": f"{year}年度计划"})
        if year < job.spec.last_year:
            submitted = created + dt.timedelta(days=rng.randint(30, 60))
            _seq, state = chain.step(submitted, staff, plan_step("submit_plan"), PLAN_WORKFLOW.initial)
            approver = pick_user(world, gov, ("gov_approver",), rng)
            approved = submitted + dt.timedelta(days=rng.randint(5, 30))
            chain.step(approved, approver, plan_step("approve_plan"), state)


class ProjectWriter:
    """The projects of one worker: each walked through its workflow, then written as a row."""

    def __init__(self, job: PartJob, rows: Rows, out: EventOut) -> None:
        from ..models import Project

        self.job, self.rows, self.out = job, rows, out
        self.fields = list(Project._meta.concrete_fields)
        self.columns = tuple(f.column for f in self.fields)
        self.systems: dict[tuple[int, str], int] = {}  # (unit, system name) → its register key
        # progress reports every `report_every` days during construction, calibrated so that the
        # docket comes to about spec.events (a project has some 12 events besides progress/payments)
        self.report_every = max(4.0, 500.0 / max(1.0, job.spec.events_per_project - 12.0))

    def project(self, index: int, owner_id: int) -> Any:
        """One project's history, stage by stage; returns the Project as it ends up."""
        job, prep, world = self.job, self.job.prep, self.job.world
        rng = random.Random(f"{job.seed}:project:{index}")
        pid = prep.first_project_id + index
        jid = world.orgs[owner_id].jurisdiction_id
        w = register(rng, world, job.spec, (prep.ct_project, pid, jid), owner_id, self.rows, self.out)
        p = w.project
        if w.fiscal:
            stages.fiscal_approval(w, prep.plans.get((jid, p.year)))
        else:
            stages.file_for_record(w, world.jurisdictions[jid][0], p.year)
        done_day = stages.construct(w, self.report_every)
        if done_day is not None:
            stages.after_construction(w, done_day, self.systems)
        p.__dict__["state"] = w.state
        p.version = w.version
        p.updated_at = w.t
        p.clean_fields(exclude=["jurisdiction", "owner", "annual_plan", "search_text", "state"])
        for row in w.obligations:
            self.rows.add(STAGE, STAGE_COLUMNS, tuple(row))
        return p

    def write(self, p: Any) -> None:
        """The project's row, and its document in the duplicate-construction index (第六条)."""
        from .. import similarity_index

        self.rows.add("projects_project", self.columns, tuple(_db_value(f, p) for f in self.fields))
        if p.state != PROJECT_WORKFLOW.initial:  # a draft is not yet compared
            doc = similarity_index.document_row(p.pk, p.jurisdiction_id, p.similarity_text())
            self.rows.add(similarity_index.DOCS, SIMILARITY_DOCUMENT, doc)


def _db_value(f: Any, obj: Any) -> Any:
    v = getattr(obj, f.attname)
    if f.get_internal_type() == "JSONField":
        return json.dumps(v, ensure_ascii=False)
    return v


def produce(job: PartJob, sink: Sink, out: EventOut) -> None:
    """A worker's share: plans (worker 0), its projects, their systems' deliveries (staged)."""
    from ..similarity import _jieba

    _jieba()
    prep: Prep = job.prep
    rows = Rows(sink)
    writer = ProjectWriter(job, rows, out)
    if job.part == 0:
        plan_histories(job, out)
    for i, owner in enumerate(prep.owners):
        if owner % job.parts == job.part:
            writer.write(writer.project(i, owner))
    rows.flush()
