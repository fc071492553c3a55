"""How datagen finds each app's case generator: an app that generates data has a `generate` module
(or package) exposing GENERATOR, an AppGenerator. Found by app config, in INSTALLED_APPS order;
datagen names no app."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from .spec import GenSpec
from .world import World


@dataclass(frozen=True)
class PartJob:
    """One worker's share of one app's cases (picklable: sent to the worker processes)."""

    app: str  # the app label
    spec: GenSpec
    seed: int
    world: World
    prep: Any  # what the app's prepare() returned
    part: int
    parts: int
    tmp: str | None  # PostgreSQL: the directory of the per-month event files; None on SQLite


@dataclass(frozen=True)
class AppGenerator:
    """An app's case generator, in three phases around the docket write.

    prepare(spec, seed, world) → prep: in the main process, before the workers (plans, owners …).
    produce(job, sink, out): a worker's share: rows through `sink` (datagen.sink.Sink), docket events
        through `out` (datagen.docket.EventOut, via Chain); must be a module-level function.
    finish(spec, world, prep) → counts: after the docket is written (indexes, sequences …).
    """

    label: str  # what the log calls the cases (信息化工程项目)
    count_table: str  # the table counted in the log
    prepare: Callable[[GenSpec, int, World], Any]
    produce: Callable[[PartJob, Any, Any], None]
    finish: Callable[[GenSpec, World, Any], dict[str, int]]


def app_generators() -> dict[str, AppGenerator]:
    """{app label: generator} of every installed app of ours with a `generate` module."""
    found: dict[str, AppGenerator] = {}
    for config in apps.get_app_configs():
        if config.name == __package__ or not config.name.startswith(("infogov.", "tests.")):
            continue
        module_name = f"{config.name}.generate"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        generator = getattr(module, "GENERATOR", None)
        if isinstance(generator, AppGenerator):
            found[config.label] = generator
    return found
