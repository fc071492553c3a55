"""The choices a project's step forms offer (issue #11: choices the platform knows): the catalogue's
standards for a test report (the project's declared ones ticked), the security measures of
GB/T 22239-2019 and the project's own plan for an acceptance, the procurement methods of the
Government Procurement Law, the protection levels 1–5. What the rules accept is unchanged: a choice
list only spares the official retyping what the platform already knows."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from infogov.core.web.stepforms import PayloadField

from .choices import SECURITY_MEASURES, ProcurementMethod, ProtectionLevel
from .models import Standard

METHOD_CHOICES = tuple((str(m.value), str(m.label)) for m in ProcurementMethod)
LEVEL_CHOICES = tuple((str(v), f"{label}（{v}级）") for v, label in ProtectionLevel.choices)


def _standards(project: Any) -> tuple[PayloadField, PayloadField]:
    declared = set(project.standards.values_list("code", flat=True))
    catalogue = [
        s
        for s in Standard.objects.filter(active=True).order_by("-mandatory", "code")
        if s.applies_to(project.category) or s.code in declared
    ]
    catalogue.sort(key=lambda s: (s.code not in declared, not s.mandatory, s.code))
    ticks = PayloadField(
        "standards",
        "测试依据的标准",
        "checklist",
        False,
        "已预先勾选本项目声明执行的标准；测试报告须覆盖其中的强制性标准（第十二条）",
        tuple((s.code, f"{s.code} {s.name}{'（强制性）' if s.mandatory else ''}") for s in catalogue),
        chosen=tuple(sorted(declared)),
    )
    others = PayloadField(
        "standards",
        "其他标准（可选，以、分隔）",
        "text",
        False,
        "输入编号即可，如 GB18030 读作 GB 18030-2022",
        suggestions=tuple((s.code, s.name) for s in Standard.objects.filter(active=True).order_by("code")),
    )
    return ticks, others


def _measures(project: Any) -> tuple[PayloadField, PayloadField]:
    planned = [str(m) for m in project.security_measures]
    options = planned + [m for m in SECURITY_MEASURES if m not in planned]
    ticks = PayloadField(
        "security_measures_built",
        "已建成的安全措施",
        "checklist",
        True,
        "计划建设的安全措施须全部建成（第三十一条第一款）：" + ("、".join(planned) or "未填写"),
        tuple((m, f"{m}（计划）" if m in planned else m) for m in options),
    )
    others = PayloadField("security_measures_built", "其他已建成的安全措施（可选，以、分隔）", "text", False)
    return ticks, others


def _carry(new: Sequence[PayloadField], old: Sequence[PayloadField]) -> list[PayloadField]:
    """The new inputs with what a refused submission gave back to the old ones (same names)."""
    kept = {f.name: f for f in old if f.value or f.chosen or f.error}
    out = []
    for f in new:
        k = kept.get(f.name)
        if k is None:
            out.append(f)
        elif f.input_type == "checklist":
            out.append(dataclasses.replace(f, chosen=k.chosen, error=k.error))
        else:  # the ticked ones are on the checklist; the typed text gets back what it does not hold
            listed = {v for v, _ in next((g.choices for g in new if g.name == f.name and g.choices), ())}
            rest = [v for v in k.chosen if v not in listed] if k.chosen else [k.value]
            out.append(dataclasses.replace(f, value="、".join(v for v in rest if v), error=""))
    return out


def project_step_fields(project: Any, name: str, fields: Sequence[PayloadField]) -> list[PayloadField]:
    """The inputs of step `name` on this project's page, with the choices the platform knows."""
    out: list[PayloadField] = []
    for f in fields:
        if name == "record_test" and f.name == "standards":
            out += _carry(_standards(project), [f])
        elif name == "accept" and f.name == "security_measures_built":
            out += _carry(_measures(project), [f])
        else:
            out.append(f)
    return out
