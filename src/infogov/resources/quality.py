"""Data quality (第二十七条第一款: 真实、准确、及时、完整; 第二十八条), computed by SQL aggregates over the
records store — one query per resource for completeness, validity and uniqueness:

- completeness: the share of required cells that are filled;
- validity: the share of filled cells of typed fields (ID numbers, credit codes, dates, phones, integers,
  code lists) whose format is right (the load checks check characters; this re-checks what is stored);
- uniqueness: records whose record-identifier field holds their record identifier ÷ records (the store
  keeps one record per identifier — a unique constraint — so these values are distinct; a record whose
  field is missing or differs counts against it). One pass, no sort of a million values;
- timeliness: last update against the declared frequency;
- corrections: reports confirmed as errors, and answered late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.lookups import Exact
from django.utils import timezone

from .choices import STALE_AFTER_DAYS, CorrectionOutcome, FieldType, ResourceState
from .models import DataRecord, Resource

FORMATS: dict[str, str] = {
    FieldType.RESIDENT_ID: r"^[0-9]{17}[0-9X]$",
    FieldType.CREDIT_CODE: r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    FieldType.DATE: r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    FieldType.INTEGER: r"^-?[0-9]+$",
    FieldType.PHONE: r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$",
}


@dataclass
class Figures:
    resource: Resource
    records: int = 0
    completeness: float | None = None
    validity: float | None = None
    uniqueness: float | None = None
    stale: bool = False
    days_since_update: int | None = None
    corrections: int = 0
    confirmed_errors: int = 0
    open_corrections: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource.pk,
            "reference": self.resource.reference,
            "title": self.resource.title,
            "provider": self.resource.owner.name,
            "records": self.records,
            "completeness": self.completeness,
            "validity": self.validity,
            "uniqueness": self.uniqueness,
            "stale": self.stale,
            "days_since_update": self.days_since_update,
            "corrections": self.corrections,
            "confirmed_errors": self.confirmed_errors,
            "open_corrections": self.open_corrections,
        }


def _ratio(good: int, total: int) -> float | None:
    return None if total == 0 else round(good / total, 4)


def _counts_pg(resource: Resource, fields: list[Any]) -> dict[str, int]:
    """PostgreSQL: the same counts as _counts, each field's value read out of the jsonb once (a subquery)
    instead of once per aggregate — the figures of a million records in one pass."""
    codes = [f.code for f in fields]
    key = resource.record_key
    if key and key not in codes:
        codes.append(key)
    inner = "".join(f", data->>%s AS c{i}" for i in range(len(codes)))  # none for a resource without fields
    aggs, names, params = ["count(*)"], ["n"], []
    for i, f in enumerate(fields):
        if f.required:
            aggs.append(f"count(c{i})")
            names.append(f"filled_{f.code}")
        pattern = FORMATS.get(f.field_type)
        if pattern or (f.field_type == FieldType.CODE and f.code_list):
            aggs += [f"count(c{i})", f"count(*) FILTER (WHERE c{i} {'~' if pattern else '= ANY'} (%s))"]
            names += [f"given_{f.code}", f"valid_{f.code}"]
            params.append(pattern or [str(v) for v in f.code_list])
    if key:
        aggs.append(f"count(*) FILTER (WHERE c{codes.index(key)} = record_id)")
        names.append("keyed")
    sql = (
        f"SELECT {', '.join(aggs)} FROM (SELECT record_id{inner} FROM {DataRecord._meta.db_table} "
        "WHERE resource_id = %s) AS s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *codes, resource.pk])
        return dict(zip(names, cursor.fetchone(), strict=True))


def _counts(resource: Resource, fields: list[Any]) -> dict[str, int]:
    if connection.vendor == "postgresql":
        return _counts_pg(resource, fields)
    aggregates: dict[str, Any] = {"n": Count("id")}
    for f in fields:
        has = Q(data__has_key=f.code)
        if f.required:
            aggregates[f"filled_{f.code}"] = Count("id", filter=has)
        pattern = FORMATS.get(f.field_type)
        if pattern or (f.field_type == FieldType.CODE and f.code_list):
            aggregates[f"given_{f.code}"] = Count("id", filter=has)
            ok = (
                Q(**{f"data__{f.code}__regex": pattern})
                if pattern
                else Q(**{f"data__{f.code}__in": [str(v) for v in f.code_list]})
            )
            aggregates[f"valid_{f.code}"] = Count("id", filter=has & ok)
    if resource.record_key:
        key_text = KeyTextTransform(resource.record_key, "data")
        aggregates["keyed"] = Count("id", filter=Q(Exact(key_text, F("record_id"))))
    return DataRecord.objects.filter(resource=resource).aggregate(**aggregates)


def figures(resource: Resource, *, today: dt.date | None = None) -> Figures:
    today = today or timezone.localdate()
    out = Figures(resource)
    fields = list(resource.fields.all())
    row = _counts(resource, fields)
    n = out.records = row["n"]
    required = [f for f in fields if f.required]
    out.completeness = _ratio(sum(row[f"filled_{f.code}"] for f in required), n * len(required))
    given = sum(v for k, v in row.items() if k.startswith("given_"))
    out.validity = _ratio(sum(v for k, v in row.items() if k.startswith("valid_")), given)
    if resource.record_key:
        out.uniqueness = _ratio(row["keyed"], n)
    if resource.last_loaded_at is not None:
        out.days_since_update = (today - timezone.localtime(resource.last_loaded_at).date()).days
        out.stale = out.days_since_update > STALE_AFTER_DAYS[resource.update_frequency]
    else:
        out.stale = resource.state == ResourceState.PUBLISHED
    c = resource.corrections.aggregate(
        total=Count("id"),
        confirmed=Count("id", filter=Q(outcome=CorrectionOutcome.CORRECTED)),
        open=Count("id", filter=Q(outcome="")),
    )
    out.corrections, out.confirmed_errors, out.open_corrections = c["total"], c["confirmed"], c["open"]
    return out


def report(resources: Any, *, today: dt.date | None = None) -> dict[str, Any]:
    """Per provider and for the whole set (the city): each resource's figures and their averages."""
    rows = [figures(r, today=today) for r in resources.select_related("owner")]
    by_provider: dict[str, list[Figures]] = {}
    for f in rows:
        by_provider.setdefault(f.resource.owner.name, []).append(f)

    def summary(items: list[Figures]) -> dict[str, Any]:
        def mean(name: str) -> float | None:
            values = [getattr(i, name) for i in items if getattr(i, name) is not None]
            return round(sum(values) / len(values), 4) if values else None

        return {
            "resources": len(items),
            "records": sum(i.records for i in items),
            "completeness": mean("completeness"),
            "validity": mean("validity"),
            "uniqueness": mean("uniqueness"),
            "stale": sum(i.stale for i in items),
            "confirmed_errors": sum(i.confirmed_errors for i in items),
            "open_corrections": sum(i.open_corrections for i in items),
        }

    return {
        "city": summary(rows),
        "providers": [{"provider": name, **summary(items)} for name, items in sorted(by_provider.items())],
        "resources": [f.as_dict() for f in rows],
    }
