"""Information systems at scale for infogov.datagen (`manage.py generate_data`): spec.systems systems
(the province: 20,000) of the building units, each walked through its declared workflow — registered,
graded (GB/T 22240-2020), reviewed and filed for level 2 and above, evaluated (level 3 yearly, level 4
half-yearly, with gaps: some lapse) — with its docket, its obligations (filing, recurring evaluation,
risk assessment) and, for about half of them, a risk assessment with its risks (some high, untreated).

The systems the projects generator delivered (staged in datagen.deliveries: 第三十一条第一款 同步运行)
are registered here too, with their keys: opened at their first delivery, an edit for each later one —
the register has one writer, and a delivered system is not generated twice.

prepare() chooses each system's unit in the main process and reads the staged deliveries; produce()
writes a worker's share (systems by index, delivered systems by key) through the sink; finish() moves
the sequences and drops the stage. Each system draws from its own random stream
(seed, index), so the data does not depend on how many workers produce it."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from infogov.core.workflow.obligations import add_period
from infogov.datagen import deliveries
from infogov.datagen.docket import Chain, EventOut, declared
from infogov.datagen.hooks import AppGenerator, PartJob
from infogov.datagen.obligations import STAGE, STAGE_COLUMNS, fulfil, stage_row
from infogov.datagen.sink import Sink
from infogov.datagen.spec import TZ_SHANGHAI, UTC, GenSpec
from infogov.datagen.world import World

from . import duties
from .choices import GRADING_MATRIX
from .workflows import SYSTEM_WORKFLOW

END = dt.date(2025, 12, 31)
TABLES = ("security_informationsystem", "security_evaluation", "security_riskassessment", "security_risk")
STAFF = ("dept_staff", "authority_staff")
SYSTEMS = (
    "政务服务平台",
    "业务管理系统",
    "数据共享交换平台",
    "视频监控平台",
    "门户网站",
    "办公自动化系统",
    "电子档案系统",
)
GRADES = {
    1: ("citizens", "general"),
    2: ("society", "general"),
    3: ("society", "serious"),
    4: ("state", "serious"),
}
SYSTEM_COLUMNS = (
    "id",
    "reference",
    "title",
    "jurisdiction_id",
    "owner_id",
    "state",
    "version",
    "created_at",
    "updated_at",
    "purpose",
    "network",
    "hosting",
    "data_categories",
    "sector",
    "critical",
    "security_officer",
    "security_contact",
    "backup_scope",
    "backup_frequency",
    "backup_location",
    "harmed_object",
    "harm_degree",
    "matrix_level",
    "level",
    "grading_reasoning",
    "determined_on",
    "review_override",
    "filing_number",
    "filing_organ",
    "filed_on",
    "last_evaluated_on",
)
EVAL_COLUMNS = (
    "id",
    "system_id",
    "evaluated_on",
    "agency",
    "report_number",
    "result",
    "score",
    "recorded_by_id",
    "recorded_at",
)
RA_COLUMNS = (
    "id",
    "system_id",
    "assessed_on",
    "assets",
    "threats",
    "vulnerabilities",
    "existing_measures",
    "recorded_by_id",
)
RISK_COLUMNS = (
    "id",
    "assessment_id",
    "system_id",
    "name",
    "likelihood",
    "impact",
    "value",
    "treatment",
    "treatment_owner",
    "due_date",
)


def system_count(spec: GenSpec) -> int:
    """spec.systems at the named scales (a system for every five projects: city 2,000, province 20,000);
    a reduced spec (tests) gets as many fewer, so that its docket stays near spec.events."""
    return min(spec.systems, spec.projects // 5)


DELIVERED_COLUMNS = (*SYSTEM_COLUMNS, "source_project_id", "in_service_since")


@dataclass
class Prep:
    ct_system: int
    first: dict[str, int]  # table → first id
    owners: list[int]  # per system index
    delivered: list[list[deliveries.Delivery]]  # per delivered system (its key), in time order


def prepare(spec: GenSpec, seed: int, world: World) -> Prep:
    from django.contrib.contenttypes.models import ContentType

    from .models import InformationSystem

    rng = random.Random(f"{seed}:security:owners")
    pool = [o for ci in range(len(world.city_ids)) for o in world.builders[ci] if _staff(world, o)]
    first = {}
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            first[table] = cur.fetchone()[0] + 1
    by_system: dict[int, list[deliveries.Delivery]] = {}
    for d in deliveries.staged():
        by_system.setdefault(d.system_id, []).append(d)
    if by_system:  # the generated systems come after the delivered ones' keys
        first["security_informationsystem"] = max(first["security_informationsystem"], max(by_system) + 1)
    return Prep(
        ct_system=ContentType.objects.get_for_model(InformationSystem).pk,
        first=first,
        owners=[rng.choice(pool) for _ in range(system_count(spec))] if pool else [],
        delivered=[by_system[k] for k in sorted(by_system)],
    )


def _staff(world: World, org: int) -> list[tuple[int, str, str]]:
    return [u for u in world.orgs[org].users if u[2] in STAFF]


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(9, 0), tzinfo=TZ_SHANGHAI) + dt.timedelta(
        minutes=rng.randint(0, 480)
    )
    return local.astimezone(UTC)


class SystemWriter:
    def __init__(self, job: PartJob, out: EventOut) -> None:
        self.job, self.out, self.prep = job, out, job.prep
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in (*TABLES, STAGE, "delivered")}

    def system(self, i: int, owner: int) -> None:
        job, world = self.job, self.job.world
        rng = random.Random(f"{job.seed}:security:{i}")
        sid = self.prep.first["security_informationsystem"] + i
        jid = world.orgs[owner].jurisdiction_id
        uid, name, _ = rng.choice(_staff(world, owner))
        actor = (uid, name, owner)
        level = rng.choices((1, 2, 3, 4), (25, 45, 25, 5))[0]
        start = dt.date(job.spec.first_year, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 8))
        start = min(start, END - dt.timedelta(days=60))
        chain = Chain(self.out, self.prep.ct_system, sid, jid)
        case = (self.prep.ct_system, sid, jid)
        unit = world.orgs[owner].short or world.orgs[owner].name
        title = f"{world.jurisdictions[jid][1]}{unit}{rng.choice(SYSTEMS)}"[:200]
        created = _at(rng, start)
        chain.create(created, actor, SYSTEM_WORKFLOW, {"title": title})
        harmed, degree = GRADES[level]
        s: dict[str, Any] = {"state": "registered", "level": None, "determined_on": None, "filed_on": None}
        s["last_evaluated_on"] = None
        graded = start + dt.timedelta(days=rng.randint(5, 40))
        if rng.random() < 0.93:
            payload = {
                "object_harmed": harmed,
                "harm_degree": degree,
                "declared_level": level,
                "reasoning": "按受侵害客体和侵害程度确定",
                "determined_on": graded.isoformat(),
            }
            seq, s["state"] = chain.step(
                _at(rng, graded),
                actor,
                declared(SYSTEM_WORKFLOW, "determine_level"),
                s["state"],
                payload=payload,
            )
            s.update(level=level, determined_on=graded)
            risk_row = stage_row(
                case,
                duties.RISK_ASSESSMENT,
                owner,
                world.authority_of[jid],
                add_period(graded, "P1Y"),
                _at(rng, graded),
                seq,
            )
            if rng.random() < 0.5:
                self._assess(rng, chain, case, actor, s, graded, risk_row)
            self.rows[STAGE].append(tuple(risk_row))
            if level >= 2:
                self._file(rng, chain, case, actor, s, graded, seq)
        self._row(rng, sid, jid, owner, title, created, chain.seq, s, harmed, degree)

    def delivered(self, history: list[deliveries.Delivery]) -> None:
        """A system projects delivered (第三十一条第一款 同步运行): registered at its first delivery (as
        services.system_from_procedure registers it), changed by each later one, in the state 登记."""
        first, last = history[0], history[-1]
        sid, jid = first.system_id, first.jurisdiction_id
        chain = Chain(self.out, self.prep.ct_system, sid, jid)
        day = first.delivered_at.astimezone(TZ_SHANGHAI).date()
        facts: dict[str, Any] = {
            "level": first.level,
            "purpose": first.purpose,
            "source_project_id": first.project_id,
            "in_service_since": day.isoformat(),
        }
        chain.create(first.delivered_at, first.actor, SYSTEM_WORKFLOW, {"title": first.title, **facts})
        for d in history[1:]:
            after = {
                "level": d.level,
                "purpose": d.purpose,
                "source_project_id": d.project_id,
                "in_service_since": d.delivered_at.astimezone(TZ_SHANGHAI).date().isoformat(),
            }
            changes = {k: {"before": facts[k], "after": v} for k, v in after.items() if facts[k] != v}
            if changes:
                chain.edit(d.delivered_at, d.actor, SYSTEM_WORKFLOW.initial, changes)
                facts.update(after)
        created = first.delivered_at
        self.rows["delivered"].append(
            (
                sid,
                f"XT-{created.astimezone(TZ_SHANGHAI):%Y}-{sid:06d}",
                first.title[:200],
                jid,
                first.owner_id,
                SYSTEM_WORKFLOW.initial,
                chain.seq - 1,
                created,
                last.delivered_at,
                facts["purpose"],
                *("", "", "[]", "", False, "", "", "", "", "", "", ""),
                None,
                facts["level"],
                "",
                None,
                False,
                "",
                "",
                None,
                None,
                facts["source_project_id"],
                dt.date.fromisoformat(facts["in_service_since"]),
            )
        )

    def _file(
        self, rng: Any, chain: Any, case: Any, actor: Any, s: Any, graded: Any, graded_seq: Any
    ) -> None:
        world = self.job.world
        owner, jid = actor[2], case[2]
        filing = stage_row(
            case,
            duties.FILING,
            owner,
            world.authority_of[jid],
            graded + dt.timedelta(days=30),
            _at(rng, graded),
            graded_seq,
        )
        review = graded + dt.timedelta(days=rng.randint(3, 15))
        _, s["state"] = chain.step(
            _at(rng, review),
            actor,
            declared(SYSTEM_WORKFLOW, "review_grading"),
            s["state"],
            payload={
                "reviewed_on": review.isoformat(),
                "experts": "专家组",
                "opinion": "同意",
                "reviewed_level": s["level"],
                "override_reasons": "",
            },
        )
        if rng.random() < 0.1 or review > END - dt.timedelta(days=20):
            self.rows[STAGE].append(tuple(filing))
            return  # reviewed, not filed: an overdue filing
        filed = review + dt.timedelta(days=rng.randint(3, 20))
        seq, s["state"] = chain.step(
            _at(rng, filed),
            actor,
            declared(SYSTEM_WORKFLOW, "file_record"),
            s["state"],
            payload={
                "filed_on": filed.isoformat(),
                "filing_number": f"{case[1]:08d}",
                "filing_organ": "公安机关网安部门",
            },
        )
        fulfil(filing, _at(rng, filed), seq)
        self.rows[STAGE].append(tuple(filing))
        s.update(filed_on=filed, filing_organ="公安机关网安部门", filing_number=f"{case[1]:08d}")
        if s["level"] >= 3:
            self._evaluate(rng, chain, case, actor, s, filed, seq)

    def _evaluate(
        self, rng: Any, chain: Any, case: Any, actor: Any, s: Any, filed: Any, filed_seq: Any
    ) -> None:
        world, period = self.job.world, "P1Y" if s["level"] == 3 else "P6M"
        due, opened_at, opened_seq = add_period(filed, period), _at(rng, filed), filed_seq
        n = 0
        while True:
            duty = stage_row(
                case, duties.EVALUATION, actor[2], world.authority_of[case[2]], due, opened_at, opened_seq
            )
            day = due - dt.timedelta(days=rng.randint(-60, 90))  # some late
            if day > END or rng.random() < 0.12:  # lapsed: the duty stays open
                self.rows[STAGE].append(tuple(duty))
                return
            n += 1
            eid = (
                self.prep.first["security_evaluation"]
                + (case[1] - self.prep.first["security_informationsystem"]) * 20
                + n
            )
            result, score = rng.choice((("优", "92.00"), ("良", "85.00"), ("中", "74.00")))
            payload = {
                "evaluated_on": day.isoformat(),
                "agency": "等级测评机构",
                "report_number": f"DJCP-{eid}",
                "result": result,
                "score": score,
                "issues": [],
            }
            at = _at(rng, day + dt.timedelta(days=rng.randint(0, 20)))
            opened_seq, _ = chain.step(
                at, actor, declared(SYSTEM_WORKFLOW, "record_evaluation"), s["state"], payload=payload
            )
            fulfil(duty, at, opened_seq)
            self.rows[STAGE].append(tuple(duty))
            self.rows["security_evaluation"].append(
                (eid, case[1], day, "等级测评机构", f"DJCP-{eid}", result, Decimal(score), actor[0], at)
            )
            s["last_evaluated_on"] = day
            due, opened_at = add_period(day, period), at

    def _assess(self, rng: Any, chain: Any, case: Any, actor: Any, s: Any, graded: Any, due_row: Any) -> None:
        """A risk assessment the day after the grading, fulfilling the first occurrence (the next one
        stays open, due a year after the assessment)."""
        i = case[1] - self.prep.first["security_informationsystem"]
        rid = self.prep.first["security_riskassessment"] + i
        day = graded + dt.timedelta(days=1)
        risks = []
        for k in range(rng.randint(1, 3)):
            li, im = rng.randint(1, 5), rng.randint(1, 5)
            treatment = rng.choice(("accept", "reduce"))
            risks.append(
                (
                    self.prep.first["security_risk"] + 3 * i + k,
                    rid,
                    case[1],
                    ("勒索软件加密数据", "越权访问", "数据泄露")[k],
                    li,
                    im,
                    li * im,
                    treatment,
                    "信息科",
                    day + dt.timedelta(days=90),
                )
            )
        payload = {
            "assessed_on": day.isoformat(),
            "assets": "业务数据库、应用服务器",
            "threats": "勒索软件、越权访问",
            "vulnerabilities": "补丁滞后",
            "existing_measures": "",
            "risks": [
                {
                    "name": r[3],
                    "likelihood": r[4],
                    "impact": r[5],
                    "treatment": r[7],
                    "treatment_owner": r[8],
                    "due_date": r[9].isoformat(),
                }
                for r in risks
            ],
        }
        at = _at(rng, day)
        seq, _ = chain.step(
            at, actor, declared(SYSTEM_WORKFLOW, "record_risk_assessment"), s["state"], payload=payload
        )
        fulfil(due_row, at, seq)
        world = self.job.world
        nxt = stage_row(
            case,
            duties.RISK_ASSESSMENT,
            actor[2],
            world.authority_of[case[2]],
            add_period(day, "P1Y"),
            at,
            seq,
        )
        self.rows[STAGE].append(tuple(nxt))
        self.rows["security_riskassessment"].append(
            (rid, case[1], day, "业务数据库、应用服务器", "勒索软件、越权访问", "补丁滞后", "", actor[0])
        )
        self.rows["security_risk"].extend(risks)

    def _row(
        self,
        rng: Any,
        sid: Any,
        jid: Any,
        owner: Any,
        title: Any,
        created: Any,
        version: Any,
        s: Any,
        harmed: Any,
        degree: Any,
    ) -> None:
        level = s["level"]
        matrix = GRADING_MATRIX[(harmed, degree)] if level else None
        self.rows["security_informationsystem"].append(
            (
                sid,
                f"XT-{created.astimezone(TZ_SHANGHAI):%Y}-{sid:06d}",
                title,
                jid,
                owner,
                s["state"],
                version - 1,
                created,
                created,
                "支撑本单位业务办理",
                rng.choice(("egov_extranet", "internet", "dedicated")),
                rng.choice(("gov_cloud", "own_room")),
                json.dumps(["个人信息"], ensure_ascii=False),
                "",
                level == 4,
                "安全责任人",
                "",
                "",
                "",
                "",
                harmed if level else "",
                degree if level else "",
                matrix,
                level,
                "按受侵害客体和侵害程度确定" if level else "",
                s["determined_on"],
                False,
                s.get("filing_number", ""),
                s.get("filing_organ", ""),
                s["filed_on"],
                s["last_evaluated_on"],
            )
        )

    def flush(self, sink: Sink) -> None:
        sink.rows("security_informationsystem", DELIVERED_COLUMNS, self.rows["delivered"])
        for table in (*TABLES, STAGE):
            columns = STAGE_COLUMNS if table == STAGE else _columns(table)
            sink.rows(table, columns, self.rows[table])


def _columns(table: str) -> tuple[str, ...]:
    return {
        "security_informationsystem": SYSTEM_COLUMNS,
        "security_evaluation": EVAL_COLUMNS,
        "security_riskassessment": RA_COLUMNS,
        "security_risk": RISK_COLUMNS,
    }[table]


def produce(job: PartJob, sink: Sink, out: EventOut) -> None:
    writer = SystemWriter(job, out)
    for i, history in enumerate(job.prep.delivered):
        if i % job.parts == job.part:
            writer.delivered(history)
    for i, owner in enumerate(job.prep.owners):
        if i % job.parts == job.part:
            writer.system(i, owner)
    writer.flush(sink)


def finish(spec: GenSpec, world: World, prep: Prep) -> dict[str, int]:
    deliveries.drop_stage()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in TABLES:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
    return {}


GENERATOR = AppGenerator(
    label="信息系统（信息安全）",
    count_table="security_informationsystem",
    prepare=prepare,
    produce=produce,
    finish=finish,
)
