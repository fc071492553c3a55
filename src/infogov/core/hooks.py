"""Hooks: a write one domain app asks of another that it may not import.

Domain apps import each other only through selectors (the import contract "apps", pyproject
[tool.importlinter]), and selectors read. When a step of one app must write into another's records in
the same transaction — a project's delivery enters its system into the security register (第三十一条
第一款 同步运行) — core declares the hook and what it carries, the providing app names its
implementation in its registration (``Registration(provides=(Provides(hook, "module:function"),))``),
and the asking app calls the hook. Neither imports the other; core imports neither.

Why a hook and not a Django signal: a signal's sender cannot tell whether anyone listened, so a missing
receiver would be a delivery without its register entry. A hook has exactly one provider: calling one
that nobody provides, or that two apps provide, is an error (ImproperlyConfigured), not a silent no-op,
and its answer (the entry's key) comes back to the caller for its own docket event. Why not a write
function in the providing app's selectors: selectors are the reads (STYLE.md); a write there would make
every selectors module a possible back door. The provider is a service of its app: it runs its own
rules and writes its own docket events, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

from infogov.core.registry import load, registrations

A = TypeVar("A")
R = TypeVar("R")


class Hook(Generic[A, R]):
    """A named write with one provider among the registered apps (see the module docstring)."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc

    def provider(self) -> Any:
        found = [p.function for _, reg in registrations() for p in reg.provides if p.hook == self.name]
        if len(found) != 1:
            raise ImproperlyConfigured(
                f"hook {self.name!r} needs exactly one provider among the registered apps, has {len(found)}"
            )
        return load(found[0])

    def __call__(self, arg: A) -> R:
        result: R = self.provider()(arg)
        return result


# -- the hooks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SystemEntry:
    """An information system another procedure puts into the register (第三十一条第一款 同步运行: a
    project's delivery; the projects demo's systems that predate the platform): who acts, the unit
    (所属单位) and the system as the procedure knows it."""

    user: Any
    owner: Any  # org.Organisation
    title: str
    level: int | None = None  # the protection level the procedure gives (the project's, at delivery)
    purpose: str = ""
    source_project_id: int | None = None
    in_service_since: dt.date | None = None
    comment: str = ""


@dataclass(frozen=True)
class RegisteredSystem:
    """The register's answer: the entry's key and title, whether it is new, what changed on it."""

    id: int
    title: str
    created: bool
    changes: dict[str, Any] = field(default_factory=dict)


REGISTER_SYSTEM: Hook[SystemEntry, RegisteredSystem] = Hook(
    "register_system",
    "Create or update the register entry of (unit, title) with the given facts, docketed; provided by "
    "the app that keeps the information system register (security).",
)
