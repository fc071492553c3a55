"""Step forms from declarations (Core v2): the Record step's form is generated from its payload
schema, shown while its guard on its own input cannot yet be judged, and a refused submission comes
back with what was typed and the refusal beside the field."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.core.test_steps import submitted_widget
from tests.testapp.models import WidgetInspection

pytestmark = pytest.mark.article(14)


def _detail(client, w) -> str:
    return client.get(reverse("widgets:detail", args=[w.pk])).content.decode()


def test_the_form_is_generated_from_the_steps_schema(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    html = _detail(client, w)
    block = html[html.index('data-transition="inspect"') :]
    assert re.search(r'<input class="form-control" type="date" name="checked_on"', block)
    assert re.search(r'<textarea class="form-control" name="finding"', block)
    assert '<option value="严重">严重</option>' in block
    assert "检查日期" in block and "检查发现" in block


def test_a_refused_submission_keeps_the_typed_values_and_shows_the_refusal(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    url = reverse("widgets:fire", args=[w.pk, "inspect"])
    data = {"version": w.version, "checked_on": tomorrow, "finding": "机房温度过高", "severity": "严重"}
    response = client.post(url, {**data, "comment": "现场检查"})
    assert response.status_code == 303
    assert not WidgetInspection.objects.filter(widget=w).exists()
    html = _detail(client, w)
    assert "检查日期不能晚于今天（第十四条）" in html
    block = html[html.index('data-transition="inspect"') :]
    assert f'value="{tomorrow}"' in block
    assert ">机房温度过高</textarea>" in block
    assert '<option value="严重" selected>严重</option>' in block
    assert ">现场检查</textarea>" in block
    # shown once: the next visit starts with an empty form
    again = _detail(client, w)
    assert ">机房温度过高</textarea>" not in again


def test_bad_input_is_shown_next_to_its_field(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    url = reverse("widgets:fire", args=[w.pk, "inspect"])
    client.post(url, {"version": w.version, "checked_on": "2026-01-05", "finding": "   "})
    html = _detail(client, w)
    block = html[html.index('data-transition="inspect"') :]
    # a blank field is left out of the form's payload: the schema says it is required
    assert 'id="e-inspect-finding">为必填项</div>' in block
    assert 'aria-invalid="true" aria-describedby="e-inspect-finding"' in block


def test_an_accepted_submission_records_and_clears_the_form(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    url = reverse("widgets:fire", args=[w.pk, "inspect"])
    client.post(url, {"version": w.version, "checked_on": "2026-01-05", "finding": "整改到位"})
    assert WidgetInspection.objects.get(widget=w).finding == "整改到位"
    assert "已登记监督检查" in _detail(client, w)


def test_a_step_whose_required_input_is_a_list_is_left_to_the_apps_own_form_or_the_api():
    from pydantic import Field

    from infogov.core.web.stepforms import page_can_fill
    from infogov.core.workflow.payloads import StepInput
    from tests.testapp.workflows import InspectIn

    class ManyIn(StepInput):
        ids: list[int] = Field(title="意见")
        note: str = ""

    class OptionalListIn(StepInput):
        note: str = Field(title="说明")
        ids: list[int] = Field(default_factory=list)

    assert page_can_fill(InspectIn)
    assert not page_can_fill(ManyIn)
    assert page_can_fill(OptionalListIn)


def test_a_record_step_the_user_cannot_take_is_not_offered_on_the_page(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.dept_user)  # the owner: not the authority that inspects
    html = _detail(client, w)
    assert 'data-transition="inspect"' not in html
    client.force_login(world.yongji.authority_user)
    assert 'data-transition="inspect"' in _detail(client, w)


def test_the_record_a_step_wrote_reads_as_fields_in_the_case_record(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    url = reverse("widgets:fire", args=[w.pk, "inspect"])
    client.post(
        url, {"version": w.version, "checked_on": "2026-01-05", "finding": "备份未演练", "severity": "严重"}
    )
    html = _detail(client, w)
    record = WidgetInspection.objects.get(widget=w)
    assert f"监督检查记录（#{record.pk}）" in html
    assert (
        "<dt>检查日期</dt><dd>2026-01-05</dd><dt>检查发现</dt><dd>备份未演练</dd><dt>性质</dt><dd>严重</dd>"
        in html
    )
    assert "{&#x27;" not in html and "{'" not in html  # no Python representations
