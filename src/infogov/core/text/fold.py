"""Traditional Chinese (and Taiwan phrasing) folded to simplified mainland usage, so that a query
typed in traditional characters finds text written in simplified ones and back.

OpenCC's C++ binding (the `opencc` wheel) with its tw2sp configuration: characters and the Taiwan
phrases of IT (資訊化 → 信息化, 軟體 → 软件, 網路 → 网络, 資料庫 → 数据库). Measured against the pure
Python reimplementation on a 200-character title × 10,000: about 4.6 million characters/s against
0.15 million, with the same output (a comparison script, issue 9).
"""

from __future__ import annotations

from functools import cache
from typing import Any

CONFIG = "tw2sp"


@cache
def converter() -> Any:
    import opencc

    return opencc.OpenCC(CONFIG)


def fold(text: str | None) -> str:
    """`text` in simplified characters and mainland phrasing (ASCII and simplified text unchanged)."""
    if not text:
        return ""
    if text.isascii():
        return text
    return str(converter().convert(text))
