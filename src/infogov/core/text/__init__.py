"""One treatment of Chinese text for the whole platform: what is stored, displayed and searched.

- normal: `normalise` (NFKC, invisible and bidi control characters removed, spaces collapsed) for
  everything that is compared or searched; `clean_name` for names, titles and file names shown to
  people (no control, invisible or bidi characters, no NUL, one line).
- fold: `fold`, traditional characters and Taiwan phrasing to simplified mainland usage
  (資訊化 → 信息化), with OpenCC.
- segment: jieba with the government IT terms of data/govterms.txt: `words` (search-mode words,
  what duplicate detection weighs), `index_words` / `query_words` (what the search column stores
  and a query is cut into) and `search_column` (the stored column, " word word … ").
- query: `search_q` / `HasWords`, the word search with one behaviour on SQLite and PostgreSQL.
- fields: `CleanName` (pydantic) and `NameField` (forms), names cleaned on input.
"""

from __future__ import annotations

from .fields import CleanName, NameField
from .fold import fold
from .normal import clean_name, normalise
from .query import MAX_QUERY, HasWords, search_q
from .segment import index_words, query_words, search_column, segmenter, words

__all__ = [
    "MAX_QUERY",
    "CleanName",
    "HasWords",
    "NameField",
    "clean_name",
    "fold",
    "index_words",
    "normalise",
    "query_words",
    "search_column",
    "search_q",
    "segmenter",
    "words",
]
