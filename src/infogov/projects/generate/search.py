"""The search words of a generated project, as the services write them, computed fast."""

from __future__ import annotations

from typing import Any

_BLOCK_CACHE: dict[str, list[str]] = {}
_COLLECTED_CACHE: dict[tuple[str, ...], list[list[Any]]] = {}


def search_text(title: str, content: str) -> str:
    """services._save_derived's search column, jieba's work cached per block: jieba cuts a text
    into blocks at punctuation and spaces and segments each block on its own, so the words of a text
    are the words of its blocks in order (and tokens_for_search keeps the first occurrence of each)."""
    import jieba

    from ..selectors import tokens_for_search

    seen: dict[str, None] = {}
    for block in jieba.re_han_default.split(f"{title} {content}"):
        if not block:
            continue
        words = _BLOCK_CACHE.get(block)
        if words is None:
            words = _BLOCK_CACHE[block] = tokens_for_search(block)
        for w in words:
            seen.setdefault(w, None)
    return " " + " ".join(seen) + " "


def collected_words(project: Any) -> list[list[Any]]:
    """services._save_derived's collected_words (shared_data.cut_collected), cached per list of data
    items: the generator draws them from a few subjects."""
    from ..shared_data import cut_collected

    key = tuple(str(d) for d in project.data_resources)
    if key not in _COLLECTED_CACHE:
        _COLLECTED_CACHE[key] = cut_collected(project)
    return [[name, list(words)] for name, words in _COLLECTED_CACHE[key]]
