"""A generated project as its construction unit registers it: subject, title, content, budget,
funding, network and security plan drawn from the unit's domain; then the creation and a few edits
of the draft in its docket."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from infogov.datagen.docket import Chain
from infogov.datagen.spec import GenSpec
from infogov.datagen.world import OrgInfo, World

from ..choices import Category, FundingKind
from ..workflows import PROJECT_WORKFLOW
from .search import collected_words, search_text
from .vocabulary import DOMAINS, GOALS, INFRA, INTROS, MEASURES, OUTSOURCING, SECURITY, SUFFIXES, domain_of
from .walk import END, Rows, Walk, at_office_hours, pick_user

Subject = tuple[str, list[str], list[str]]


def choose_subject(rng: random.Random, owner: OrgInfo) -> tuple[str, Subject]:
    """The category and the subject: mostly applications of the unit's domain (each unit keeps to a
    few subjects: upgrades, phase two …), some infrastructure, security and outsourcing."""
    r = rng.random()
    if r < 0.70:
        subjects = DOMAINS[domain_of(owner.name)]
        return Category.APPLICATION, subjects[(owner.ordinal + rng.choice((0, 0, 0, 1))) % len(subjects)]
    if r < 0.82:
        return Category.INFRASTRUCTURE, INFRA[(owner.ordinal + rng.randint(0, 1)) % len(INFRA)]
    if r < 0.91:
        return Category.SECURITY, SECURITY[(owner.ordinal + rng.randint(0, 1)) % len(SECURITY)]
    return Category.OUTSOURCING, OUTSOURCING[(owner.ordinal + rng.randint(0, 1)) % len(OUTSOURCING)]


def describe(rng: random.Random, owner: OrgInfo, jname: str, subject: Subject) -> tuple[str, str]:
    """Title and content."""
    system, features, _data = subject
    title = f"{jname}{system}{rng.choice(SUFFIXES)}"
    feats = rng.sample(features, k=min(len(features), rng.randint(2, 4)))
    other = rng.choice(DOMAINS[rng.choice(list(DOMAINS))])[0]
    content = (
        f"{rng.choice(INTROS)}{system}，实现{'、'.join(feats)}，对接{other}，"
        f"{rng.choice(GOALS)}。项目由{owner.name}组织实施，建设周期{rng.randint(6, 24)}个月。"
    )
    return title[:200], content


def created_on(rng: random.Random, spec: GenSpec) -> tuple[dt.date, int]:
    """The day the draft is created (more of them in later years) and the plan year it aims at."""
    first = dt.date(spec.first_year - 1, 10, 1)
    days_total = (dt.date(spec.last_year, 12, 31) - first).days
    day = first + dt.timedelta(days=int(days_total * rng.random() ** 0.8))
    year = min(spec.last_year, max(spec.first_year, (day + dt.timedelta(days=120)).year))
    return day, year


def new_project(
    rng: random.Random, pid: int, owner: OrgInfo, jname: str, spec: GenSpec
) -> tuple[Any, bool, dt.date]:
    """The Project as registered (unsaved, state draft), whether it is fiscal, the day it is created."""
    from ..models import Project

    category, subject = choose_subject(rng, owner)
    fiscal = rng.random() < (0.55 if category == Category.INFRASTRUCTURE else 0.85)
    title, content = describe(rng, owner, jname, subject)
    budget = Decimal(int(min(1e8, max(5e4, rng.lognormvariate(13.9, 1.0)))) // 1000 * 1000)
    if category == Category.INFRASTRUCTURE:
        budget *= 2
    day, year = created_on(rng, spec)
    p = Project(
        id=pid,
        reference=f"XM-{day.year}-{pid:06d}",
        title=title,
        jurisdiction_id=owner.jurisdiction_id,
        owner_id=owner.id,
        category=category,
        funding_kind=FundingKind.FISCAL if fiscal else FundingKind.NON_FISCAL,
        budget_source=f"{year}年度{jname}本级财政预算" if fiscal else "",
        budget=budget,
        year=year,
        content=content,
        systems=[subject[0]],
        data_resources=list(subject[2]),
        search_text=search_text(title, content),
    )
    p.collected_words = collected_words(p)
    p.__dict__["state"] = PROJECT_WORKFLOW.initial
    return p, fiscal, day


def draw_plans(rng: random.Random, p: Any, fiscal: bool) -> None:
    """Funding source (non-fiscal), network, hosting and the security plan."""
    p.funding_source = "" if fiscal else rng.choice(["企业自筹", "社会资本投资", "运营商自有资金"])
    p.network = rng.choice(["egov_extranet"] * 5 + ["internet", "egov_intranet", "dedicated"])
    p.hosting = rng.choice(["gov_cloud"] * 5 + ["own_room", "third_party"])
    p.security_plan = (
        "" if rng.random() < 0.05 else f"按网络安全等级保护第{rng.choice('二三')}级要求同步规划安全措施。"
    )
    p.security_level = rng.choice((2, 2, 3, 3, 3))
    p.security_measures = rng.sample(MEASURES, k=rng.randint(3, 5))
    p.procedures_completed = "" if fiscal else "已办理立项、用地、环评等建设手续"


def edit_draft(w: Walk) -> None:
    """A few edits of the draft's budget before it goes anywhere."""
    rng, p = w.rng, w.project
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        w.t += dt.timedelta(days=rng.randint(1, 10), minutes=rng.randint(1, 600))
        if w.t >= END:
            break
        before = str(p.budget)
        after = str(max(Decimal(50_000), p.budget * rng.randint(90, 120) // 100 // 1000 * 1000))
        p.budget = Decimal(after)
        w.chain.edit(w.t, w.owner_staff, w.state, {"budget": {"before": before, "after": after}})
        w.version += 1


def register(
    rng: random.Random,
    world: World,
    spec: GenSpec,
    case: tuple[int, int, int],
    owner_id: int,
    rows: Rows,
    out: Any,
) -> Walk:
    """The project registered and created in its docket, ready to walk its workflow."""
    _ct, pid, jid = case
    owner = world.orgs[owner_id]
    authority = world.authority_of[jid]
    p, fiscal, day = new_project(rng, pid, owner, world.jurisdictions[jid][1], spec)
    owner_staff = pick_user(world, owner_id, ("dept_staff",), rng)
    auth_staff = pick_user(world, authority, ("authority_staff", "authority_leader"), rng)
    draw_plans(rng, p, fiscal)
    chain = Chain(out, *case)
    t = at_office_hours(rng, day)
    chain.create(t, owner_staff, PROJECT_WORKFLOW, {"title": p.title})
    p.created_at = t
    w = Walk(
        rng,
        world,
        rows,
        chain,
        p,
        case,
        owner_id,
        authority,
        owner_staff,
        auth_staff,
        t,
        fiscal,
        p.budget,
        p.budget,
    )
    edit_draft(w)
    return w
