"""不重复采集 in the review of 信息资源共享 (第九条第二款): the data a proposal declares it will produce
(its 产生的信息资源) that a published catalogue entry of the resources app already provides. The review
page lists those resources with the route to share them (the request link), and the sharing finding
must answer each one by name (rules.A9-2-SHARED-DATA) — as it answers the similar projects (A9-2-DUPLICATES).

《政务数据共享条例》 (in force 2025-08-01) says data obtainable by sharing is not collected again; the
Jilin measures give the review of 信息资源共享 to the authority (第九条第二款), which is where the
finding is made. Read through the resources app's selectors only (the import contract "apps")."""

from __future__ import annotations

from typing import Any

from infogov.resources.selectors import published_resources_matching

CONSUME = "consume"  # forms.CONSUME: data the project takes from others, which it does not collect


def collected_items(project: Any) -> list[str]:
    """The names of the data the project declares it will produce or collect (产生的信息资源), in order,
    each once. Items without a direction (imports, demo data) count as produced, as on the project page."""
    seen: dict[str, None] = {}
    for item in project.data_resources or ():
        if isinstance(item, dict):
            if item.get("use") == CONSUME:
                continue
            name = str(item.get("name", "")).strip()
        else:
            name = str(item).strip()
        if name:
            seen.setdefault(name, None)
    return list(seen)


def recollection(project: Any) -> list[dict[str, Any]]:
    """[{"data": declared item, "resources": [published resources providing it, with their route]}] —
    only the items that something published provides."""
    out = []
    for name in collected_items(project)[:30]:
        found = published_resources_matching(name, limit=5)
        if found:
            out.append({"data": name, "resources": found})
    return out
