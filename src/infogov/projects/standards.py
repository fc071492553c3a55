"""The standards catalogue (第十二条) as the forms and the API use it: codes as officials type them
("GB18030", "gb/t 22239", "ＧＢ／Ｔ２２２３９－２０１９") read as the catalogue's code ("GB 18030-2022"),
search by code or title for autocomplete, and additions by the authority (recorded in the audit log).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from infogov.core.errors import InvalidInput

from .choices import StandardKind
from .models import Standard

_YEAR = re.compile(r"-(\d{4})$")
CODE_SHAPE = re.compile(r"^(GB|GB/T|GB/Z|DB\d{2}(/T)?|[A-Z]{2}(/T)?) \d+(\.\d+)*-\d{4}$")


def normal_key(code: str) -> str:
    """A code as a comparison key: full-width folded, spaces and dashes unified, case ignored,
    "GB/T" and "GBT" one spelling."""
    text = unicodedata.normalize("NFKC", str(code)).upper()
    text = re.sub(r"[\s\u3000]+", "", text).replace("—", "-").replace("–", "-")
    return text.replace("/", "")


def _base(key: str) -> str:
    return _YEAR.sub("", key)


def _year(code: str) -> int:
    m = _YEAR.search(code.strip())
    return int(m.group(1)) if m else 0


def canonical(codes: Iterable[str], catalogue: Iterable[str] | None = None) -> list[str]:
    """Each code as the catalogue spells it: the same code whatever its spacing or width, or — given
    without its year — the catalogue's current edition. A code the catalogue does not hold is kept as
    typed (the caller decides whether that is allowed). Order kept, duplicates dropped."""
    codes = [str(c).strip() for c in codes if str(c).strip()]
    if not codes:
        return []
    known = (
        list(catalogue)
        if catalogue is not None
        else list(Standard.objects.order_by("-active", "code").values_list("code", flat=True))
    )
    exact = {normal_key(c): c for c in known}
    latest: dict[str, str] = {}
    for c in known:
        base = _base(normal_key(c))
        if base not in latest or _year(c) > _year(latest[base]):
            latest[base] = c
    out: list[str] = []
    for code in codes:
        key = normal_key(code)
        found = exact.get(key) or (latest.get(key) if _base(key) == key else None) or code
        if found not in out:
            out.append(found)
    return out


def search(text: str, *, limit: int = 20, active_only: bool = True) -> list[Standard]:
    """Standards whose code or title contains `text` (the code compared as a key: "gb18030" finds
    "GB 18030-2022"); mandatory ones first."""
    qs = Standard.objects.filter(active=True) if active_only else Standard.objects.all()
    text = text.strip()[:100]
    if not text:
        return list(qs.order_by("-mandatory", "code")[:limit])
    key = normal_key(text)
    rows = list(qs.filter(Q(name__icontains=text) | Q(code__icontains=text)).order_by("-mandatory", "code"))
    seen = {s.pk for s in rows}
    rows += [s for s in qs.order_by("-mandatory", "code") if s.pk not in seen and key in normal_key(s.code)]
    return rows[:limit]


def as_json(s: Standard) -> dict[str, Any]:
    return {
        "code": s.code,
        "title": s.name,
        "mandatory": s.mandatory,
        "kind": s.kind,
        "kind_label": str(StandardKind(s.kind).label) if s.kind in StandardKind.values else s.kind,
        "active": s.active,
    }


def standard_add(*, user: Any, code: str, name: str, kind: str, mandatory: bool = False) -> Standard:
    """第十二条: the authority extends the catalogue (a standard it requires projects to follow). The
    code must have a standard's shape ("GB/T 22239-2019", "DB22/T 1234-2020"); one already in the
    catalogue in another spelling is refused. Recorded in the audit log."""
    from infogov.core.signals import audit
    from infogov.core.workflow.rules import RuleContext

    from . import rules

    rules.require(None, RuleContext(user=user), rules.maintains_standards_catalogue)
    code = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", code).strip().upper().replace("／", "/"))
    name = (name or "").strip()
    if "\x00" in code + name:
        raise InvalidInput("含有不允许的空字符（NUL），请删除后重试", code="nul_character")
    clash = [c for c in Standard.objects.values_list("code", flat=True) if normal_key(c) == normal_key(code)]
    if clash:
        raise InvalidInput(f"标准目录中已有 {clash[0]}", code="duplicate_standard")
    if not CODE_SHAPE.match(code):
        raise InvalidInput(
            "标准编号格式应如“GB/T 22239-2019”“DB22/T 1234-2020”（代号、空格、顺序号、连字符、年份）",
            details=[{"loc": ["code"], "msg": "格式不正确"}],
        )
    if not name or len(name) > 200:
        raise InvalidInput("请填写标准名称（不超过200字）", details=[{"loc": ["name"], "msg": "必填"}])
    if kind not in StandardKind.values:
        raise InvalidInput("标准类别须为：" + "、".join(str(k.label) for k in StandardKind))
    s = Standard.objects.create(code=code, name=name, kind=kind, mandatory=bool(mandatory))
    audit("standard_add", actor=user, target=code, name=name, mandatory=bool(mandatory))
    return s
