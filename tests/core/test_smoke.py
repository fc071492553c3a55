import pytest

from infogov.core.workflow import engine as workflow
from tests.testapp.models import Widget


@pytest.mark.django_db
def test_world_builds_and_widget_submits(world):
    w = workflow.create(
        Widget,
        user=world.yongji.dept_user,
        title="测试",
        jurisdiction=world.yongji.jurisdiction,
        owner=world.yongji.department,
        has_security_plan=True,
    )
    w = workflow.fire(w, "submit", user=world.yongji.dept_user)
    assert w.state == "submitted"
