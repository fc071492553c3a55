"""Chinese words with jieba, on normalised and folded text (normal.normalise, fold.fold), with the
government IT terms of data/govterms.txt added to jieba's dictionary (一网通办 is otherwise cut
into 一网通 | 办, and 网通 — a telecom company — found in it).

Two uses, two cuts:

- `words`: jieba's search mode (each word, and the dictionary words of two and three characters
  inside longer ones), every occurrence: what duplicate detection weighs.
- `index_words` / `query_words`: the search column and the query. A search must find a text that
  contains the query, however jieba cut the text around it: search mode does not promise that
  (电子政务外网 with 政务外网 in the dictionary is cut 电子 | 政务外网, so 电子政务 — cut as one word
  in the query — is not among its words). So the text is indexed with every dictionary word that
  occurs in it (jieba's full mode), its search-mode words (new words jieba's HMM finds) and each
  of its Chinese characters; the query is cut in precise mode without HMM, into dictionary words
  and single characters only. Every word of a query that occurs in a text is then one of the text's
  words; words that are not adjacent in the text still match (every word must be found).

Changing data/govterms.txt changes both cuts: the stored columns must be rebuilt (a data migration,
as planning 0004 and projects 0006 did).
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path
from typing import Any

from .fold import fold
from .normal import normalise

USER_DICTIONARIES = sorted((Path(__file__).parent / "data").glob("*.txt"))
# what a word is made of: a run of Chinese characters, or of ASCII letters and digits
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_WORD = re.compile(f"[{_CJK}]+|[a-z0-9]+")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_JIEBA_HAN = re.compile("[\u4e00-\u9fd5]+")  # the characters jieba's dictionary covers


@cache
def segmenter() -> Any:
    """jieba (its default tokenizer), quiet, initialised, with the user dictionaries loaded: the
    one segmenter every text path of the platform uses."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    for path in USER_DICTIONARIES:
        jieba.load_userdict(str(path))
    return jieba


def prepared(text: str | None) -> str:
    """The text every cut starts from: normalised, folded to simplified, ASCII lower-cased."""
    return fold(normalise(text)).lower()


def _pieces(tokens: Any) -> list[str]:
    out: list[str] = []
    for token in tokens:
        out += _WORD.findall(token)
    return out


def words(text: str | None) -> list[str]:
    """jieba's search-mode words of `text` (prepared), in order, repeats kept; punctuation, spaces
    and symbols dropped, Latin/digit runs lower-cased."""
    t = prepared(text)
    return _pieces(segmenter().cut_for_search(t)) if t else []


def index_words(text: str | None) -> list[str]:
    """The words a text is found by: every dictionary word in it, its search-mode words and each
    of its Chinese characters; each once, in order of first appearance."""
    t = prepared(text)
    if not t:
        return []
    jb = segmenter()
    seen: dict[str, None] = {}
    # block by block, as jieba cuts (at punctuation and spaces): the words of a text are then those
    # of its blocks in order, and each block is cut once (projects repeat system names, features)
    for block in jb.re_han_default.split(t):
        if not block or not _WORD.search(block):
            continue
        found = _BLOCKS.get(block)
        if found is None:
            if len(_BLOCKS) >= MAX_CACHED_BLOCKS:
                _BLOCKS.clear()
            found = _BLOCKS[block] = _block_words(jb, block)
        for w in found:
            seen.setdefault(w, None)
    return list(seen)


_BLOCKS: dict[str, tuple[str, ...]] = {}
MAX_CACHED_BLOCKS = 10_000  # a few tens of MB at most; cleared when full


def _block_words(jb: Any, block: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for w in _pieces(jb.cut(block, cut_all=True)):
        seen.setdefault(w, None)
    for w in _pieces(jb.cut_for_search(block)):
        seen.setdefault(w, None)
    for c in _CJK_CHAR.findall(block):
        seen.setdefault(c, None)
    return tuple(seen)


def query_words(text: str | None) -> list[str]:
    """The words a query is cut into (each must be found): dictionary words and single characters
    (precise mode, no HMM), Latin/digit runs; each once."""
    t = prepared(text)
    if not t:
        return []
    seen: dict[str, None] = {}
    for w in _pieces(segmenter().cut(t, HMM=False)):
        if len(w) > 1 and not w.isascii() and not _JIEBA_HAN.fullmatch(w):
            for c in w:  # characters jieba does not know: one by one, as the index holds them
                seen.setdefault(c, None)
        else:
            seen.setdefault(w, None)
    return list(seen)


def search_column(*texts: str | None) -> str:
    """The stored search column of `texts`: their index words, space-delimited, with a leading and
    a trailing space (" 电子政务 电子 政务 … "), so that " word " matches a whole word; the
    PostgreSQL GIN index reads it as string_to_array(btrim(column), ' ')."""
    found = index_words("\n".join(t for t in texts if t))
    return f" {' '.join(found)} " if found else ""
