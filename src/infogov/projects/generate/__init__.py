"""Projects at scale for infogov.datagen: annual plans, projects walked through their declared
workflow (fiscal 第九至十四条, non-fiscal 第十条) with the records each step writes (review
findings and opinion, procurement, progress, disbursements, test, acceptance, filing, the
delivery of an information system, staged for the security generator to register), their docket and
their obligations.

prepare.py (owners, plans) → produce.py in the workers (registration.py, then stages.py, each
event taken from workflows.py through walk.py) → finish.py (index, sequences). The systems that
predate the platform are the security generator's.
Every project draws from its own random stream (seed, index), so the data does not depend on how
many workers produce it."""

from __future__ import annotations

from infogov.datagen.hooks import AppGenerator

from .finish import finish
from .prepare import prepare
from .produce import produce

GENERATOR = AppGenerator(
    label="信息化工程项目",
    count_table="projects_project",
    prepare=prepare,
    produce=produce,
    finish=finish,
)
