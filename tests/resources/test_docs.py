"""The user guide shows the workflows as they are declared (manage.py resources_docs --write)."""

from __future__ import annotations

from pathlib import Path

from infogov.resources.workflows import SHARING_WORKFLOW, WORKFLOW

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "resources.md"


def test_user_guide_shows_the_current_workflow_diagrams():
    guide = GUIDE.read_text(encoding="utf-8")
    assert WORKFLOW.diagram() in guide
    assert SHARING_WORKFLOW.diagram() in guide
