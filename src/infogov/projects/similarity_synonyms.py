"""The government-IT synonym list of duplicate-construction detection (第六条 避免重复建设): words
that name the same thing (医保/医疗保障, 社保/社会保险, 城市大脑/城市运行管理中心, 一网通办/政务服务平台)
are replaced by their group's canonical term — the first — before a text is cut into words and
bigrams (words.features), for the index (similarity_index) and the query alike.

Two sources: the list shipped with the platform (data/synonyms.yaml) and the groups the authority
adds (SynonymGroup, its page at /projects/synonyms/, every change in the audit trail). The table
is read once per process and checked against the database's groups by `refresh()` (one query) at
each search and each index build; a change of the groups changes the words of documents already
indexed, so the change queues an index rebuild (the nightly task or `manage.py similarity_reindex`
does it; until then a search compares the new words of the proposal with the old ones of the index).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from infogov.core.text import clean_name
from infogov.core.text import segment as text_segment

DATA = Path(__file__).parent / "data" / "synonyms.yaml"
MAX_TERM_LENGTH = 30
MAX_TERMS = 20


class SynonymGroup(models.Model):
    """A group of words that mean the same in government IT, added by an authority (第六条 查重)."""

    terms = models.JSONField("同义词", default=list, help_text="第一个为规范词")
    note = models.CharField("说明", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="添加人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField("添加时间", default=timezone.now)
    changed_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        app_label = "projects"
        verbose_name = "查重同义词组"
        verbose_name_plural = "查重同义词组"
        ordering = ["-added_at", "-id"]

    def __str__(self) -> str:
        return "、".join(self.terms)


def prepare(term: Any) -> str:
    """A term as texts are compared: normalised, folded to simplified, lower-cased (so that a group
    written in traditional characters or full-width letters still matches)."""
    return text_segment.prepared(str(term)).strip()


@cache
def shipped() -> tuple[tuple[str, ...], ...]:
    """The groups of data/synonyms.yaml, prepared."""
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))["groups"]
    return tuple(tuple(t for t in (prepare(x) for x in g) if t) for g in raw)


def shipped_display() -> list[list[str]]:
    """The groups of data/synonyms.yaml as written (for the page)."""
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))["groups"]
    return [[str(t) for t in g] for g in raw]


@dataclass(frozen=True)
class Table:
    canonical: dict[str, str]
    pattern: re.Pattern[str] | None

    def apply(self, text: str) -> str:
        """`text` (prepared) with every synonym replaced by its canonical term, longest first."""
        if self.pattern is None or not text:
            return text
        return self.pattern.sub(lambda m: self.canonical.get(m.group(0), m.group(0)), text)

    def variants(self, canonical: str) -> list[str]:
        return [t for t, c in self.canonical.items() if c == canonical]


def build(groups: list[tuple[str, ...]] | tuple[tuple[str, ...], ...]) -> Table:
    """The replacement table of `groups` (each: canonical term first). A term in two groups keeps
    the first group's canonical term (the shipped list before the authority's additions)."""
    canonical: dict[str, str] = {}
    for g in groups:
        if len(g) < 2:
            continue
        for t in g:
            canonical.setdefault(t, g[0])
    if not canonical:
        return Table({}, None)
    # the terms as a trie; then any run of Latin letters and digits, replaced only when the whole
    # run is a term (12345, app, mcu: 12345 is not inside 123456)
    others = [t for t in canonical if not t.isascii()]
    parts = [_trie_pattern(others)] if others else []
    if any(t.isascii() for t in canonical):
        parts.append("[a-z0-9]+")
    return Table(canonical, re.compile("|".join(parts)))


def _trie_pattern(terms: list[str]) -> str:
    """One regular expression matching any of `terms`, the longest at a place: the terms as a trie
    (医(?:保(?:卡)?|疗保障)…), which the engine walks a character at a time instead of trying every
    term at every place (~30× faster on a project's text with the shipped list)."""
    trie: dict[str, Any] = {}
    for t in terms:
        node = trie
        for c in t:
            node = node.setdefault(c, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        if "" in node:  # a term ends here: the longer ones first (greedy), then this one
            return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
        return body

    return pattern(trie)


_state: dict[str, Any] = {"version": None, "table": None}


def _version() -> tuple[int, int, str]:
    from django.db.models import Count, Max, Q

    got = SynonymGroup.objects.aggregate(
        n=Count("id"), on=Count("id", filter=Q(active=True)), at=Max("changed_at")
    )
    return int(got["n"] or 0), int(got["on"] or 0), str(got["at"] or "")


def refresh() -> Table:
    """The table, brought in line with the database's groups (one query)."""
    version = _version()
    if _state["version"] != version or _state["table"] is None:
        added = [
            tuple(t for t in (prepare(x) for x in g) if t)
            for g in SynonymGroup.objects.filter(active=True).order_by("id").values_list("terms", flat=True)
        ]
        _state["table"] = build([*shipped(), *added])
        _state["version"] = version
    return _state["table"]  # type: ignore[no-any-return]


def table() -> Table:
    """The table as last refreshed (refreshed first if never)."""
    return _state["table"] if _state["table"] is not None else refresh()  # type: ignore[no-any-return]


def forget() -> None:
    """Drop the table (a change of the groups in this process: the next refresh() reads them)."""
    _state["version"] = _state["table"] = None


def clean_note(raw: Any) -> str:
    return clean_name(str(raw or ""), max_length=200)


def clean_terms(raw: str) -> tuple[list[str], str | None]:
    """The terms typed into the form ("医保、医疗保障" — separated by 、，, ; spaces or new lines),
    and a Chinese error when they do not make a group."""
    terms: list[str] = []
    for part in re.split(r"[、，,；;\s]+", raw or ""):
        t = clean_name(part)
        if t and t not in terms:
            terms.append(t)
    if len(terms) < 2:
        return terms, "同义词组至少要有两个不同的词（第一个为规范词），用顿号、逗号或空格分隔"
    if len(terms) > MAX_TERMS:
        return terms, f"一组最多 {MAX_TERMS} 个词"
    if any(len(t) > MAX_TERM_LENGTH for t in terms):
        return terms, f"每个词不超过 {MAX_TERM_LENGTH} 个字"
    if any(len(prepare(t)) < 2 for t in terms):
        return terms, "每个词至少两个字（单字会误替换其他词）"
    if len({prepare(t) for t in terms}) < len(terms):
        return terms, "组内有繁简或全半角不同但实为同一个词的重复项"
    return terms, None


def highlight(text: str, terms: Sequence[str]) -> SafeString:
    """`text`, escaped, with each occurrence of the shared `terms` — or of a synonym of theirs, or
    their traditional spelling — in <mark>."""
    escaped = html.escape(text or "")
    if not terms or not escaped:
        return mark_safe(escaped)
    current = table()
    wanted = {t for term in terms for t in (term, *current.variants(term))}
    # a traditional spelling is found through the folded text when it has the same length
    folded = text_segment.prepared(text)
    spans: list[tuple[int, int]] = []
    source = folded if len(folded) == len(text) else (text or "").lower()
    for t in sorted(wanted, key=len, reverse=True):
        for m in re.finditer(re.escape(t), source):
            if not any(s < m.end() and m.start() < e for s, e in spans):
                spans.append((m.start(), m.end()))
    out, at = [], 0
    for s, e in sorted(spans):
        out += [html.escape(text[at:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        at = e
    out.append(html.escape(text[at:]))
    return mark_safe("".join(out))
