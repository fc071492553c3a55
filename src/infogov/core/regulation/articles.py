"""《吉林市信息化促进办法》 as data: the 35 articles and their paragraphs, loaded from a file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "regulation.json"

ARTICLE_COUNT = 35  # 《吉林市信息化促进办法》 has 35 articles; a citation outside them is a typo

_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int:
    """'三十五' → 35, '十二' → 12, '九' → 9 (the numerals the regulation uses).
    A malformed numeral ('十十', '二三') raises ValueError."""
    if not text:
        raise ValueError("empty numeral")
    try:
        if "百" in text:
            hundreds, _, rest = text.partition("百")
            return _DIGITS[hundreds] * 100 + (chinese_number(rest) if rest else 0)
        if "十" in text:
            tens, _, units = text.partition("十")
            return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)
        return _DIGITS[text]
    except KeyError:
        raise ValueError(f"不是有效的中文数字：{text!r}") from None


def to_chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


_CITATION = re.compile(
    r"^第([零一二三四五六七八九十百]+)条(?:第([零一二三四五六七八九十]+)款)?(?:第([零一二三四五六七八九十]+)项)?$"
)


@dataclass(frozen=True)
class Citation:
    article: int
    paragraph: int | None = None

    @classmethod
    def parse(cls, text: str) -> Citation:
        m = _CITATION.match(text.strip())
        if not m:
            raise ValueError(f"不是有效的条款引用：{text!r}（应形如 第十三条第一款）")
        number = chinese_number(m.group(1))
        paragraph = chinese_number(m.group(2)) if m.group(2) else None
        if not 1 <= number <= ARTICLE_COUNT or paragraph == 0:
            raise ValueError(f"不是有效的条款引用：{text!r}（本办法共{to_chinese_number(ARTICLE_COUNT)}条）")
        return cls(number, paragraph)

    def __str__(self) -> str:
        s = f"第{to_chinese_number(self.article)}条"
        return s + (f"第{to_chinese_number(self.paragraph)}款" if self.paragraph else "")


@dataclass(frozen=True)
class Article:
    number: int
    paragraphs: tuple[str, ...]
    duty: bool
    summary: str
    platform: str

    @property
    def citation(self) -> str:
        return f"第{to_chinese_number(self.number)}条"

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@cache
def articles() -> dict[int, Article]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {
        a["number"]: Article(a["number"], tuple(a["paragraphs"]), a["duty"], a["summary"], a["platform"])
        for a in data["articles"]
    }


def article(number: int) -> Article:
    return articles()[number]


def paragraph_text(citation: str) -> str:
    c = Citation.parse(citation)
    art = article(c.article)
    if c.paragraph is None:
        return art.text
    return art.paragraphs[c.paragraph - 1]
