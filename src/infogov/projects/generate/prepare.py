"""Before the workers (main process): each project's construction unit, and the annual plans."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import connection

from infogov.datagen import deliveries
from infogov.datagen.spec import UTC, GenSpec
from infogov.datagen.world import World


@dataclass
class Prep:
    ct_project: int
    ct_plan: int
    first_project_id: int
    owners: list[int]  # per project index
    plans: dict[tuple[int, int], int]  # (jurisdiction, year) → plan id
    plan_events: list[tuple[int, int, int]]  # (plan id, jurisdiction, year)


def choose_owners(spec: GenSpec, seed: int, world: World) -> list[int]:
    """Each project's construction unit: city departments build most, large units more often."""
    rng = random.Random(f"{seed}:owners")
    owners: list[int] = []
    per_city = spec.projects // max(1, len(world.city_ids))
    for ci in range(len(world.city_ids)):
        pool = world.builders[ci]
        weights = [3.0 if world.orgs[o].level == "city" else 1.0 for o in pool]
        weights = [w * (0.4 + rng.random() * 1.2) for w in weights]
        n = per_city if ci < len(world.city_ids) - 1 else spec.projects - len(owners)
        owners.extend(rng.choices(pool, weights=weights, k=n))
    rng.shuffle(owners)
    return owners


def create_plans(spec: GenSpec, world: World) -> list[tuple[int, int, int]]:
    """One annual plan per jurisdiction and year (approved, the last year's still drafting);
    returns (plan id, jurisdiction, year) in creation order."""
    from ..models import AnnualConstructionPlan

    plan_objs = []
    for jid, (_code, name, ci) in world.jurisdictions.items():
        if ci < 0:
            continue
        for year in range(spec.first_year, spec.last_year + 1):
            p = AnnualConstructionPlan(
                title=f"{name}{year}年度信息化工程项目建设计划",
                jurisdiction_id=jid,
                owner_id=world.authority_of[jid],
                year=year,
                version=2 if year < spec.last_year else 0,
                created_at=dt.datetime(year - 1, 11, 1, 2, 0, tzinfo=UTC),
            )
            p.__dict__["state"] = "approved" if year < spec.last_year else "drafting"
            p.clean_fields(exclude=["jurisdiction", "owner", "reference", "state"])
            plan_objs.append(p)
    AnnualConstructionPlan.objects.bulk_create(plan_objs, batch_size=2000)
    if any(p.pk is None for p in plan_objs):
        by_key = {
            (j, y): pk
            for j, y, pk in AnnualConstructionPlan.objects.values_list("jurisdiction_id", "year", "pk")
        }
        for p in plan_objs:
            p.pk = by_key[(p.jurisdiction_id, p.year)]
    pad = "lpad(id::text, 6, '0')" if connection.vendor == "postgresql" else "substr('000000' || id, -6)"
    with connection.cursor() as cur:
        cur.execute(f"UPDATE projects_annualconstructionplan SET reference = 'ND-' || year || '-' || {pad}")
    return [(p.pk, p.jurisdiction_id, p.year) for p in plan_objs]


def prepare(spec: GenSpec, seed: int, world: World) -> Prep:
    """Choose each project's construction unit; create the annual plans."""
    from django.contrib.contenttypes.models import ContentType

    from ..models import AnnualConstructionPlan, Project

    owners = choose_owners(spec, seed, world)
    plan_events = create_plans(spec, world)
    deliveries.create_stage()  # the systems delivered, for the security generator to register
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM projects_project")
        first = cur.fetchone()[0] + 1
    return Prep(
        ct_project=ContentType.objects.get_for_model(Project).pk,
        ct_plan=ContentType.objects.get_for_model(AnnualConstructionPlan).pk,
        first_project_id=first,
        owners=owners,
        plans={(jid, year): pk for pk, jid, year in plan_events},
        plan_events=plan_events,
    )
