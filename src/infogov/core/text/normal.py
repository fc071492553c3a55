"""Normalised text: what is compared and searched (`normalise`) and what is shown as a name
(`clean_name`).

Removed everywhere: zero-width characters and the byte-order mark (U+200B–U+200F, U+FEFF), the
bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) — an attachment
called "\\u202efdp.exe" would otherwise display as "exe.pdf" — other control characters, NUL
included (PostgreSQL refuses NUL in text, SQLite stores it), and lone surrogates (they cannot be
encoded as UTF-8 at all).
"""

from __future__ import annotations

import re
import unicodedata

# zero-width space/non-joiner/joiner, LRM/RLM, bidi embeddings/overrides/isolates, BOM, word joiner
# and the invisible operators (U+2060–U+2064), which display as nothing
INVISIBLE = frozenset(
    [
        *map(chr, range(0x200B, 0x2010)),
        *map(chr, range(0x202A, 0x202F)),
        *map(chr, range(0x2060, 0x2065)),
        *map(chr, range(0x2066, 0x206A)),
        "\ufeff",
    ]
)
_INVISIBLE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")
# control characters (C0 except tab and line feed, DEL, C1) and surrogates
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACES = re.compile(r"[^\S\n]+")  # runs of whitespace other than line feeds
_LINE_END_SPACES = re.compile(r" *\n *")
_BLANK_LINES = re.compile(r"\n{3,}")
_ALL_SPACES = re.compile(r"\s+")
# full-width ASCII letters and digits (Ａ–Ｚ, ａ–ｚ, ０–９): typed with a Chinese input method
_FULLWIDTH_ALNUM = {
    c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}


def _strip_invisible(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _INVISIBLE.sub("", text))


def normalise(text: str | None) -> str:
    """The text as compared and searched: NFKC (full-width letters, digits and punctuation to
    ASCII, compatibility ideographs to the unified ones), without invisible, bidi or control
    characters, runs of spaces made one space, at most one blank line, no spaces at line ends or
    at either end. Idempotent."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", _strip_invisible(text))
    text = _strip_invisible(text)  # NFKC can map a character onto one removed above
    text = _SPACES.sub(" ", text)
    text = _LINE_END_SPACES.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def clean_name(text: str | None, *, max_length: int | None = None) -> str:
    """A name, title or file name as stored and displayed: one line, no invisible, bidi or control
    characters (NUL included), whitespace runs made one space, full-width letters and digits made
    ASCII; Chinese punctuation is kept as typed (NFC only: （）、《》 stay full-width in a title).
    Cut to `max_length` characters when given. Idempotent."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", _strip_invisible(text)).translate(_FULLWIDTH_ALNUM)
    text = _ALL_SPACES.sub(" ", text).strip()
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rstrip()
    return text
