"""Choices scoped to what the user may use (issue #11): a plan's 责任单位 from the plan's own area, the
levels the user's organisation may draw up (全市规划 not offered to a county department), plans in
force only as a basis; the task select labelled. And 删除重点任务 is confirmed after the server checks."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from infogov.planning.choices import PlanLevel
from infogov.planning.forms import PlanCreateForm, TaskForm
from infogov.planning.models import PlanTask

pytestmark = [pytest.mark.django_db, pytest.mark.article(5)]


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_county_plans_responsible_units_are_that_countys(pw):
    w = pw.world
    city = pw.city_plan_in_force()
    county = pw.draft(PlanLevel.LOCAL, w.yongji, parent=city.plan)
    offered = set(TaskForm(version=county).fields["responsible"].queryset)
    assert w.yongji.department in offered and w.yongji.authority in offered
    assert w.jiaohe.department not in offered and w.city.authority not in offered
    # the city plan may give tasks to the city's and its counties' organisations
    assert w.yongji.department in set(TaskForm(version=city).fields["responsible"].queryset)


def test_a_task_for_another_countys_unit_is_refused_and_the_select_is_labelled(pw):
    w = pw.world
    city = pw.city_plan_in_force()
    county = pw.draft(PlanLevel.LOCAL, w.yongji, parent=city.plan)
    c = client_for(w.yongji.authority_user)
    before = county.tasks.count()
    r = c.post(
        f"/plans/{county.pk}/tasks/",
        {"text": "建设县级政务云", "responsible": w.jiaohe.department.pk},
        follow=True,
    )
    assert county.tasks.count() == before
    assert "责任单位须为本规划所在区域的单位" in r.content.decode()
    page = c.get(f"/plans/{county.pk}/").content.decode()
    assert re.search(
        r'<label class="form-label" for="task-resp">责任单位</label>\s*<select[^>]*id="task-resp"', page
    )
    assert 'class="form-select"' in page[page.index('id="task-resp"') - 200 :][:400]
    assert w.jiaohe.department.name not in page[page.index('id="task-resp"') :].split("</select>")[0]


def test_levels_offered_are_the_ones_the_organisation_may_draw_up(pw):
    w = pw.world
    levels = lambda user: [v for v, _ in PlanCreateForm(user=user).fields["level"].choices]  # noqa: E731
    assert levels(w.city.authority_user) == [PlanLevel.CITY, PlanLevel.SPECIAL]
    assert levels(w.yongji.authority_user) == [PlanLevel.LOCAL, PlanLevel.SPECIAL]
    assert levels(w.yongji.dept_user) == [PlanLevel.SPECIAL]  # no 全市规划 for a county department
    form = PlanCreateForm(
        {
            "level": "city",
            "title": "全市规划",
            "owner": w.yongji.department.pk,
            "period_start": 2026,
            "period_end": 2030,
        },
        user=w.yongji.dept_user,
    )
    assert not form.is_valid() and "本单位不能编制该层级的规划（第五条）" in form.errors["level"]


def test_only_plans_in_force_are_offered_as_a_basis(pw):
    w = pw.world
    draft_city = pw.draft(PlanLevel.CITY)
    offered = set(PlanCreateForm(user=w.yongji.authority_user).fields["parent"].queryset)
    assert draft_city.plan not in offered
    in_force = pw.to_in_force(draft_city)
    offered = set(PlanCreateForm(user=w.yongji.authority_user).fields["parent"].queryset)
    assert in_force.plan in offered
    # another county's local plan is not a basis for this county's special plans
    jiaohe = pw.to_in_force(pw.draft(PlanLevel.LOCAL, w.jiaohe, parent=in_force.plan))
    assert jiaohe.plan not in set(PlanCreateForm(user=w.yongji.dept_user).fields["parent"].queryset)


def test_removing_a_task_is_confirmed_after_the_server_checks(pw):
    v = pw.draft(PlanLevel.CITY)
    task = v.tasks.order_by("seq").first()
    c = client_for(pw.world.city.authority_user)
    url = f"/plans/{v.pk}/tasks/{task.pk}/remove/"
    r = c.post(url)
    assert r.status_code == 200 and PlanTask.objects.filter(pk=task.pk).exists()
    html = r.content.decode()
    assert "请核对：删除重点任务" in html and task.text in html
    token = re.search(r'name="_confirm" value="([^"]+)"', html).group(1)
    r = c.post(url, {"_confirm": token})
    assert r.status_code == 303 and not PlanTask.objects.filter(pk=task.pk).exists()


def test_removing_a_task_of_a_frozen_plan_is_refused_before_any_confirmation(pw):
    v = pw.city_plan_in_force()
    task = v.tasks.order_by("seq").first()
    c = client_for(pw.world.city.authority_user)
    r = c.post(f"/plans/{v.pk}/tasks/{task.pk}/remove/")
    assert r.status_code == 303 and PlanTask.objects.filter(pk=task.pk).exists()
    assert "请核对" not in c.get(r["Location"]).content.decode()
