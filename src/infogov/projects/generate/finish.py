"""After the docket is written (main process): the information systems that predate the platform
(up to spec.systems), the duplicate-construction index (第六条), the sequences."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import connection

from infogov.datagen.spec import GenSpec
from infogov.datagen.world import World

from .prepare import Prep
from .vocabulary import DOMAINS, domain_of

SEQUENCED = (
    "projects_project",
    "projects_informationsystem",
    "projects_acceptance",
    "core_obligation",
    "projects_annualconstructionplan",
)


def legacy_systems(spec: GenSpec, world: World, prep: Prep) -> list[Any]:
    """Systems built before the platform, registered by their units (names unique per unit)."""
    from ..models import InformationSystem

    have = InformationSystem.objects.count()
    rng = random.Random(f"{spec.scale}:legacy-systems")
    cur_max = InformationSystem.objects.order_by("-id").values_list("id", flat=True).first() or 0
    next_id = max(cur_max, prep.first_project_id + spec.projects) + 1
    taken = set(InformationSystem.objects.values_list("owner_id", "name"))
    legacy: list[Any] = []
    owners = [o for c in sorted(world.builders) for o in world.builders[c]]
    k = 0
    while have + len(legacy) < spec.systems and k < spec.systems * 4:
        k += 1
        owner = world.orgs[owners[rng.randrange(len(owners))]]
        domain = DOMAINS[domain_of(owner.name)]
        name, feats, _ = domain[rng.randrange(len(domain))]
        name = f"{name}（{rng.randint(2008, 2015)}年建）"
        if (owner.id, name) in taken:
            continue
        taken.add((owner.id, name))
        s = InformationSystem(
            id=next_id + len(legacy),
            name=name,
            owner_id=owner.id,
            jurisdiction_id=owner.jurisdiction_id,
            protection_level=rng.choice((1, 2, 2, 3)),
            description="、".join(feats),
            in_service_since=dt.date(int(name[-7:-3]), 6, 1),
        )
        s.clean_fields(exclude=["owner", "jurisdiction", "source_project"])
        legacy.append(s)
    InformationSystem.objects.bulk_create(legacy, batch_size=5000)
    return legacy


def finish(spec: GenSpec, world: World, prep: Prep) -> dict[str, int]:
    """The legacy systems, the index, the sequences (no counts of its own to add)."""
    from .. import similarity_index

    legacy = legacy_systems(spec, world, prep)
    # the index (第六条): the workers wrote the documents of their projects and systems; the words
    # and postings follow in SQL. The triggers queued every row the workers copied: all indexed now.
    with connection.cursor() as cur:
        docs = [
            similarity_index.document_row(
                -s.pk, s.jurisdiction_id, similarity_index.system_text(s.name, s.description)
            )
            for s in legacy
        ]
        similarity_index.write_documents(cur, docs)
        cur.execute(f"DELETE FROM {similarity_index.QUEUE}")
        similarity_index.fill(cur)
        if connection.vendor == "postgresql":
            for table in SEQUENCED:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
    return {}
