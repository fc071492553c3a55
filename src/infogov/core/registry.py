"""One registration per app: its case types, pages, API routers, menu entries, demo data and
generator, declared once in the app's ``apps.py`` (``AppConfig.infogov = Registration(...)``).

Core builds the URLs (``infogov/urls.py`` includes ``registry.urlpatterns()``), the API (each router is
added under its prefix), the menu (business entries first, then the platform's own), the map from a
case model to its page namespace, the demo loader's and the generator's list — so adding an app never
edits core, ``urls.py`` or another app. Everything is named by dotted path: an ``apps.py`` cannot
import models."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps as django_apps
from django.urls import URLPattern, URLResolver, include, path


def load(dotted: str) -> Any:
    """`package.module` or `package.module:attribute` (a dotted attribute path after the colon)."""
    module_name, _, attr = dotted.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in filter(None, attr.split(".")):
        obj = getattr(obj, part)
    return obj


@dataclass(frozen=True)
class MenuEntry:
    """A menu entry: label, URL name, who sees it (a predicate on the user), and its place (business
    entries take 100–899; the platform's own come after)."""

    label: str
    url_name: str
    visible: Callable[[Any], bool] = lambda user: True
    order: int = 500


@dataclass(frozen=True)
class Pages:
    """A URL prefix served by one of the app's URL modules (``app_name`` in the module names it)."""

    prefix: str  # "projects/"
    urls: str  # "infogov.projects.urls"


@dataclass(frozen=True)
class ApiRouter:
    prefix: str  # "/projects/"
    router: str  # "infogov.projects.api:router"
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseType:
    """A case model, its workflow and the namespace of its pages ("projects" → projects:detail)."""

    model: str  # "projects.Project"
    workflow: str  # "infogov.projects.workflows:WORKFLOW"
    namespace: str


@dataclass(frozen=True)
class Provides:
    """The app's implementation of a hook another app calls (core/hooks.py)."""

    hook: str  # "register_system"
    function: str  # "infogov.security.services:system_from_procedure"


@dataclass(frozen=True)
class Registration:
    case_types: tuple[CaseType, ...] = ()
    pages: tuple[Pages, ...] = ()
    api: tuple[ApiRouter, ...] = ()
    menu: tuple[MenuEntry, ...] = ()
    demo: str = ""  # module with seed(stdout); data generation: each app's `generate` module (datagen)
    provides: tuple[Provides, ...] = ()  # hooks (core/hooks.py) this app provides


def registrations() -> list[tuple[str, Registration]]:
    """(app name, registration) of every installed app that registers, in INSTALLED_APPS order."""
    found = []
    for config in django_apps.get_app_configs():
        reg = getattr(config, "infogov", None)
        if isinstance(reg, Registration):
            found.append((config.name, reg))
    return found


def case_types() -> list[CaseType]:
    return [ct for _, reg in registrations() for ct in reg.case_types]


def namespaces() -> dict[Any, str]:
    """Case model → namespace of its pages."""
    return {django_apps.get_model(ct.model): ct.namespace for ct in case_types()}


def urlpatterns() -> list[URLPattern | URLResolver]:
    patterns: list[URLPattern | URLResolver] = []
    for _, reg in registrations():
        for pages in reg.pages:
            patterns.append(path(pages.prefix, include(pages.urls)))
    return patterns


_ADDED: set[tuple[int, str, str]] = set()


def add_api_routers(api: Any) -> None:
    """Add every registered router to the API once (ninja refuses a router added twice)."""
    for _, reg in registrations():
        for entry in reg.api:
            key = (id(api), entry.prefix, entry.router)
            if key in _ADDED:
                continue
            api.add_router(entry.prefix, load(entry.router), tags=list(entry.tags) or None)
            _ADDED.add(key)


def menu(platform: Iterable[MenuEntry]) -> list[MenuEntry]:
    """The business entries of every app, then the platform's own, each group by order."""
    entries = [m for _, reg in registrations() for m in reg.menu]
    return sorted(entries, key=lambda m: m.order) + sorted(platform, key=lambda m: m.order)


def modules(kind: str) -> list[Any]:
    """The registered modules of a kind ("demo"), in INSTALLED_APPS order."""
    return [importlib.import_module(getattr(reg, kind)) for _, reg in registrations() if getattr(reg, kind)]
