"""The stages of a generated project, in the order of the regulation: registration and submission
(第九条第一款, or filing 第十条), review (第九条第二款), procurement (第十一条), construction with
its progress reports and payments (第十四条), completion, testing and acceptance (第十三条), the
acceptance filing (第十三条第二款) and delivery. Each stage draws from the project's random stream
in a fixed order (the data stays the same for a seed) and returns whether the project went on."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from infogov.datagen import deliveries

from ..choices import ProjectState as S
from .vocabulary import LAYOUT_LABELS, METHODS, SUPPLIERS, TESTERS
from .walk import END, Walk, at_office_hours, pick_user

AUTHORITY_ROLES = ("authority_staff", "authority_leader")
ACCEPTANCE_COLUMNS = (
    "id",
    "project_id",
    "held_on",
    "committee",
    "passed",
    "opinion",
    "security_measures_built",
    "security_evidence",
)


def submit(w: Walk) -> bool:
    """第九条第一款: the construction unit applies for the annual plan."""
    if not w.wait((3, 40), 0.03):
        return False
    w.take("submit", w.owner_staff, payload={"similar": []})
    return True


def include_in_plan(w: Walk, plan_id: int | None) -> list | None:
    """The authority includes the project in the jurisdiction's plan of its year; the review is due."""
    if not (plan_id and w.wait((10, 90))):
        return None
    w.project.annual_plan_id = plan_id
    changes = {"annual_plan": {"before": None, "after": plan_id}}
    seq = w.take("include_in_plan", w.auth_staff, payload={"plan_id": plan_id}, changes=changes)
    return w.oblige("project-review", w.authority, w.owner_id, seq)


def review(w: Walk, duty: list) -> bool:
    """第九条第二款: the four findings, then the opinion (one in twenty fails)."""
    if not w.wait((5, 40)):
        return False
    rng, pid = w.rng, w.pid
    for dim in ("layout", "standards", "security", "sharing"):
        w.t += dt.timedelta(minutes=rng.randint(5, 90))
        text = f"{w.project.title}的{dict(LAYOUT_LABELS)[dim]}符合要求。"
        payload: dict[str, Any] = {
            "dimension": dim,
            "conclusion": "meets",
            "acknowledged": [],
            "replaced": False,
        }
        w.take("review_finding", w.auth_staff, text, payload=payload)
        w.rows.add(
            "projects_reviewfinding",
            ("project_id", "dimension", "conclusion", "text", "recorded_by_id", "recorded_at"),
            (pid, dim, "meets", text, w.auth_staff[0], w.t),
        )
    w.t += dt.timedelta(hours=rng.randint(1, 48))
    passed = rng.random() >= 0.05
    if passed:
        seq = w.take("review_pass", w.auth_staff, payload={"conditions": [], "opinion": "pass"})
    else:
        payload = {"conditions": [], "opinion": "fail"}
        seq = w.take("review_fail", w.auth_staff, "建设内容与已建系统重复", payload=payload)
    w.fulfil(duty, seq)
    w.rows.add(
        "projects_projectreview",
        ("project_id", "opinion", "comment", "decided_by_id", "decided_at", "approval_number"),
        (pid, "pass" if passed else "fail", "", w.auth_staff[0], w.t, ""),  # generated: no 文号
    )
    return passed


def procure(w: Walk) -> bool:
    """第十一条第一款: the government procurement's result, the contract below the budget."""
    if not w.wait((20, 120)):
        return False
    rng, world = w.rng, w.world
    w.contract = (w.budget * Decimal(rng.randint(85, 99)) / 100).quantize(Decimal("0.01"))
    method = rng.choice(METHODS)
    city = world.orgs[w.owner_id].city
    supplier = f"{world.jurisdictions[world.city_ids[city]][1]}{rng.choice(SUPPLIERS)}"
    notice = f"JLCG-{w.t.year}-{w.pid:06d}"
    day = w.day
    payload = {
        "method": method,
        "notice_number": notice,
        "supplier": supplier,
        "contract_amount": str(w.contract),
        "contract_date": day.isoformat(),
    }
    w.take("record_procurement", w.owner_staff, payload=payload)
    w.rows.add(
        "projects_procurementrecord",
        ("project_id", "method", "notice_number", "supplier", "contract_amount", "contract_date"),
        (w.pid, method, notice, supplier, w.contract, day),
    )
    return True


def fiscal_approval(w: Walk, plan_id: int | None) -> None:
    """A fiscal project: submission, the plan, the review, procurement, as far as it gets."""
    if submit(w):
        duty = include_in_plan(w, plan_id)
        if duty is not None and review(w, duty):
            procure(w)


def file_for_record(w: Walk, code: str, year: int) -> None:
    """第十条: a non-fiscal project files with the authority instead, which issues a filing number."""
    if not w.wait((3, 40), 0.03):
        return
    w.take("submit_filing", w.owner_staff, payload={"similar": []})
    if not w.wait((3, 20)):
        return
    p = w.project
    p.filing_number = f"备{code}-{year}-{w.pid:05d}"
    changes = {"filing_number": {"before": "", "after": p.filing_number}}
    w.take("issue_filing", w.auth_staff, payload={"filing_number": p.filing_number}, changes=changes)


def construct(w: Walk, report_every: float) -> dt.date | None:
    """Construction starts; returns the day it is done (it runs late more often than early)."""
    if w.state not in (S.PROCURED, S.FILED) or not w.wait((3, 30)):
        return None
    rng, p = w.rng, w.project
    w.take("start_construction", w.owner_staff)
    start_day = w.day
    p.planned_start = start_day
    months = rng.randint(6, 24)
    p.planned_completion = start_day + dt.timedelta(days=30 * months)
    build_days = int(30 * months * rng.uniform(0.8, 1.5))
    done_day = start_day + dt.timedelta(days=build_days)
    report_progress(w, start_day, done_day, report_every * rng.uniform(0.6, 1.4))
    return done_day


def report_progress(w: Walk, start_day: dt.date, done_day: dt.date, every: float) -> None:
    """第十四条: progress reports every `every` days while it is built; payments every third report."""
    paid, k, day = Decimal("0"), 0, start_day
    build_days = max(1, (done_day - start_day).days)
    while True:
        day = day + dt.timedelta(days=max(1, round(every)))
        if day >= done_day:
            break
        at = at_office_hours(w.rng, day)
        if at >= END:
            break
        w.t = at
        k += 1
        percent = min(99, round(100 * (day - start_day).days / build_days))
        w.take("progress", w.owner_staff, payload={"percent": percent, "reported_on": day.isoformat()})
        w.rows.add(
            "projects_progressreport",
            ("project_id", "reported_on", "percent", "note", "reported_by_id"),
            (w.pid, day, percent, "", w.owner_staff[0]),
        )
        if w.fiscal and k % 3 == 0 and paid < w.contract * Decimal("0.9"):
            paid += disburse(w, day)


def disburse(w: Walk, day: dt.date) -> Decimal:
    """第十四条: a payment from the contract, recorded on the day of the progress report."""
    rng = w.rng
    amount = (w.contract * Decimal(rng.randint(5, 15)) / 100).quantize(Decimal("0.01"))
    purpose = rng.choice(["合同首付款", "进度款", "设备采购款", "软件开发进度款"])
    w.t += dt.timedelta(minutes=rng.randint(10, 300))
    w.take(
        "disbursement", w.owner_staff, purpose, payload={"amount": str(amount), "paid_on": day.isoformat()}
    )
    w.rows.add(
        "projects_disbursement",
        ("project_id", "paid_on", "amount", "purpose", "recorded_by_id"),
        (w.pid, day, amount, purpose, w.owner_staff[0]),
    )
    return amount


def complete(w: Walk, done_day: dt.date) -> list | None:
    """第十三条第一款: completion (one in a hundred never completes); the acceptance is due."""
    at = at_office_hours(w.rng, done_day)
    if not (at < END and w.rng.random() > 0.01):
        return None
    w.t = at
    w.project.completed_on = done_day
    payload = {"completed_on": done_day.isoformat()}
    changes = {"completed_on": {"before": None, "after": done_day.isoformat()}}
    seq = w.take("complete", w.owner_staff, payload=payload, changes=changes)
    return w.oblige("acceptance-apply", w.owner_id, w.authority, seq)


def testing(w: Walk) -> bool:
    """第十三条第一款: the test report of a qualified tester."""
    if not w.wait((10, 60), 0.03):
        return False
    tester, std = w.rng.choice(TESTERS), ["GB/T 25000.51-2016"]
    w.take("record_test", w.owner_staff, payload={"tester": tester, "passed": True, "standards": std})
    w.rows.add(
        "projects_testreport",
        ("project_id", "tester", "tested_on", "passed", "standards", "summary"),
        (w.pid, tester, w.day, True, json.dumps(std, ensure_ascii=False), "测试通过"),
    )
    return True


def accept(w: Walk, apply_duty: list) -> bool:
    """第十三条第一款: acceptance by a committee, the security measures as built; the duty to apply
    for acceptance is fulfilled."""
    if not w.wait((10, 60), 0.02):
        return False
    p, pid = w.project, w.pid
    committee = [pick_user(w.world, w.authority, AUTHORITY_ROLES, w.rng)[1], "专家组"]
    built = list(p.security_measures)
    seq = w.take("accept", w.owner_staff, payload={"committee": committee, "security_measures_built": built})
    w.fulfil(apply_duty, seq)
    w.rows.add(
        "projects_acceptance",
        ACCEPTANCE_COLUMNS,
        (
            pid,
            pid,
            w.day,
            json.dumps(committee, ensure_ascii=False),
            True,
            "验收合格",
            json.dumps(built, ensure_ascii=False),
            f"等级测评报告 DJCP-{pid:06d}",
        ),
    )
    if w.fiscal:
        file_acceptance(w, w.oblige("acceptance-filing", w.owner_id, w.authority, seq))
    return True


def file_acceptance(w: Walk, duty: list) -> None:
    """第十三条第二款: a fiscal project's acceptance result filed with the authority."""
    if not w.wait((3, 25), 0.1):
        return
    report = {"organiser": "建设单位", "participants": ["验收组"], "conclusion": "验收合格", "issues": ""}
    seq = w.take("acceptance_filing", w.owner_staff, payload={**report, "attachments": []})
    w.fulfil(duty, seq)
    row = {
        "project_id": w.pid,
        "acceptance_id": w.pid,
        "filed_at": w.t,
        "filed_by_id": w.owner_staff[0],
        **report,
        "participants": json.dumps(report["participants"]),
        "receipt_number": "",  # received by the authority: not generated
        "receipt_note": "",
    }
    w.rows.add("projects_acceptancefiling", tuple(row), tuple(row.values()))


def deliver(w: Walk, systems: dict[tuple[int, str], int]) -> None:
    """Delivery: the information system enters the security register (a new entry, or the unit's entry
    of that name rebuilt by this project) with its protection level. The register is the security
    app's: the delivery is staged (datagen.deliveries) for its generator to write the entry and its
    docket; the key is chosen here (the first project, in this worker's order, to deliver the system)."""
    if not w.wait((5, 40), 0.02):
        return
    p, pid = w.project, w.pid
    system = p.systems[0]
    level = p.security_level or 2
    sid = systems.setdefault((w.owner_id, system), pid)
    w.take(
        "deliver",
        w.owner_staff,
        payload={"protection_level": level, "system_name": system},
        changes={"information_system": {"before": None, "after": {"id": sid, "title": system}}},
    )
    staff_id, staff_name, _ = w.owner_staff
    row = (sid, pid, w.owner_id, p.jurisdiction_id, system, level, p.content, w.t, staff_id, staff_name)
    w.rows.add(deliveries.STAGE, deliveries.COLUMNS, row)


def after_construction(w: Walk, done_day: dt.date, systems: dict[tuple[int, str], int]) -> None:
    """Completion, test, acceptance (and its filing), delivery, as far as the project gets."""
    apply_duty = complete(w, done_day)
    if apply_duty is not None and testing(w) and accept(w, apply_duty):
        deliver(w, systems)
