"""Planning fixtures: the small Jilin City of tests/conftest.py plus an expert pool of four."""

from __future__ import annotations

import pytest

from infogov.org.choices import Role
from tests.factories import make_user

from .helpers import PlanWorld


@pytest.fixture
def pw(world) -> PlanWorld:
    experts = [world.expert] + [make_user(f"expert{i}", world.expert_pool, Role.EXPERT) for i in range(2, 5)]
    return PlanWorld(world=world, experts=experts)
