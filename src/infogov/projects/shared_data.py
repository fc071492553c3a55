"""不重复采集 in the review of 信息资源共享 (第九条第二款): the data a proposal declares it will produce
(its 产生的信息资源) that a published catalogue entry of the resources app already provides. The review
page lists those resources with the route to share them (the request link), and the sharing finding
must answer each one by name (rules.A9-2-SHARED-DATA) — as it answers the similar projects (A9-2-DUPLICATES).

《政务数据共享条例》 (in force 2025-08-01) says data obtainable by sharing is not collected again; the
Jilin measures give the review of 信息资源共享 to the authority (第九条第二款), which is where the
finding is made. Read through the resources app's selectors only (the import contract "apps")."""

from __future__ import annotations

from typing import Any

from infogov.resources.selectors import data_item_words, published_resources_matching

CONSUME = "consume"  # forms.CONSUME: data the project takes from others, which it does not collect
MAX_ITEMS = 30  # items matched against the catalogue (a proposal declares a handful)


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


def cut_collected(project: Any) -> list[list[Any]]:
    """[[item, its significant words]] of the collected items: what Project.collected_words stores,
    cut when the project's data are saved (services, the generator), so that the pages that show the
    matches (the project page before review, the review's finding) do not load the segmenter."""
    return [[name, data_item_words(name)] for name in collected_items(project)[:MAX_ITEMS]]


def _words_by_item(project: Any) -> list[tuple[str, list[str]]]:
    """The stored words of each collected item; an item saved without them (a row written before the
    column, or by a path that does not cut) is cut now."""
    stored = {
        item[0]: item[1]
        for item in getattr(project, "collected_words", None) or ()
        if isinstance(item, list | tuple) and len(item) == 2
    }
    return [
        (name, stored[name] if name in stored else data_item_words(name))
        for name in collected_items(project)[:MAX_ITEMS]
    ]


def recollection(project: Any) -> list[dict[str, Any]]:
    """[{"data": declared item, "resources": [published resources providing it, with their route]}] —
    only the items that something published provides."""
    out = []
    for name, words in _words_by_item(project):
        found = published_resources_matching(name, limit=5, words=words)
        if found:
            out.append({"data": name, "resources": found})
    return out
