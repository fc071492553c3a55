"""The words of a text, as the duplicate detection (similarity.py) and its inverted index
(similarity_index.py) both read them: the text normalised and folded to simplified (core.text),
its government-IT synonyms replaced by their canonical term (similarity_synonyms), then cut into
jieba words and the character bigrams of its name — `features()`, the two kinds side by side, a
bigram marked by a leading BIGRAM. A module of its own so that the index and the comparison both
stand on it without importing each other."""

from __future__ import annotations

import re
from typing import Any

from infogov.core.text import segment as text_segment

_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")
# Words that every project says: weight them out (they carry no signal about *what* is built).
STOPWORDS = frozenset(
    [
        "建设",
        "实现",
        "提供",
        "平台",
        "系统",
        "信息",
        "进行",
        "推进",
        "完善",
        "提升",
        "相关",
        "以及",
        "和",
        "的",
        "与",
        "及",
        "等",
        "对",
        "在",
        "为",
        "各",
        "市",
        "县",
        "吉林市",
        "永吉县",
        "蛟河市",
        "工程",
        "项目",
        "能力",
        "服务",
        "支撑",
        "开展",
        "利用",
        "满足",
        "要求",
    ]
)


BIGRAM = "#"  # marks a character bigram among the features (a word is never spelled with it)


def features(text: str) -> list[str]:
    """What duplicate detection compares: the jieba words (jieba_words) of `text`, and, marked with
    BIGRAM, the character bigrams (bigrams) of its first line — the project's or system's name —
    prepared (core.text) with the synonyms made canonical. Bigrams of the name only: on the labelled
    set they rank better than bigrams of the whole text (the content's add its boilerplate, 按照…
    标准规范建设), and they are a tenth as many to index and score (docs/projects.md)."""
    from . import similarity_synonyms

    t = similarity_synonyms.table().apply(text_segment.prepared(text))
    name = t.split("\n", 1)[0]
    return [*_words_prepared(t), *(BIGRAM + b for b in _bigrams_prepared(name))]


def bigrams(text: str) -> list[str]:
    """Character bigrams of each Chinese run (and whole Latin/digit words) of the text normalised
    and folded to simplified (core.text)."""
    return _bigrams_prepared(text_segment.prepared(text))


def _bigrams_prepared(text: str) -> list[str]:
    out: list[str] = []
    for run in _RUN.findall(text):
        if run.isascii():
            out.append(run.lower())
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _jieba() -> Any:
    """The platform's one segmenter (core.text: jieba with the government IT terms)."""
    return text_segment.segmenter()


def jieba_words(text: str) -> list[str]:
    """jieba's search-mode segmentation of the text normalised and folded to simplified
    (core.text.segment.prepared: 資訊化 and 信息化 are one word), without stopwords and punctuation."""
    jb = _jieba()
    return [
        w
        for w in jb.lcut_for_search(text_segment.prepared(text))
        if w.strip() and _RUN.fullmatch(w) and w not in STOPWORDS
    ]


_BLOCK_WORDS: dict[str, list[str]] = {}


def jieba_words_cached(text: str) -> list[str]:
    """jieba_words(text), segmenting each block once: jieba cuts a text into blocks at punctuation
    and spaces and segments each block on its own, so the words of a text are the words of its
    blocks in order. Projects repeat their blocks (system names, features, goals), so building the
    index of a province reuses most of them."""
    return _words_prepared(text_segment.prepared(text))


def _words_prepared(text: str) -> list[str]:
    jb = _jieba()
    out: list[str] = []
    for block in jb.re_han_default.split(text):
        if not block:
            continue
        words = _BLOCK_WORDS.get(block)
        if words is None:
            if len(_BLOCK_WORDS) >= 500_000:
                _BLOCK_WORDS.clear()
            words = _BLOCK_WORDS[block] = jieba_words(block)
        out += words
    return out
