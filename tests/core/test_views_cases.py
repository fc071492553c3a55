"""The generic case pages (core.views_cases) through the test-only Widget workflow at /widgets/."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from infogov.core.attachments import attachment_add
from infogov.core.models import Attachment, DocketEvent, Obligation
from infogov.core.workflow import engine as workflow
from tests.core.test_confirm_step import post_confirmed
from tests.testapp.models import Widget

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_widget(land, title="测试事项", **fields):
    fields.setdefault("has_security_plan", True)
    return workflow.create(
        Widget,
        user=land.dept_user,
        title=title,
        jurisdiction=land.jurisdiction,
        owner=land.department,
        **fields,
    )


def detail_url(w):
    return reverse("widgets:detail", args=[w.pk])


def fire_url(w, name):
    return reverse("widgets:fire", args=[w.pk, name])


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# -- list ------------------------------------------------------------------------------------------------


def test_list_shows_visible_widgets_with_state_labels(client, world):
    w = make_widget(world.yongji, "永吉县电子政务外网")
    workflow.fire(w, "submit", user=world.yongji.dept_user)
    client.force_login(world.yongji.dept_user)
    response = client.get(reverse("widgets:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "永吉县电子政务外网" in html
    assert ">已提交</span>" in html  # the state's Chinese label, not "submitted"
    assert f'href="{detail_url(w)}"' in html


@pytest.mark.article(4)
def test_list_hides_other_jurisdictions_cases(client, world):
    make_widget(world.yongji, "永吉县的事项")
    make_widget(world.jiaohe, "蛟河市的事项")
    client.force_login(world.yongji.dept_user)
    html = client.get(reverse("widgets:list")).content.decode()
    assert "永吉县的事项" in html and "蛟河市的事项" not in html
    client.force_login(world.yongji.authority_user)  # the county authority: its county only
    html = client.get(reverse("widgets:list")).content.decode()
    assert "永吉县的事项" in html and "蛟河市的事项" not in html
    client.force_login(world.city.authority_user)  # the city authority: the whole city
    html = client.get(reverse("widgets:list")).content.decode()
    assert "永吉县的事项" in html and "蛟河市的事项" in html


@pytest.mark.article(4)
def test_list_is_empty_for_platform_administrators(client, world):
    make_widget(world.yongji, "永吉县的事项")
    client.force_login(world.sys_admin)
    html = client.get(reverse("widgets:list")).content.decode()
    assert "永吉县的事项" not in html and "没有符合条件的记录" in html


def test_list_filters_search_and_sort(client, world):
    a = make_widget(world.yongji, "甲 政务云")
    make_widget(world.yongji, "乙 数据共享")
    c = make_widget(world.jiaohe, "丙 政务云")
    workflow.fire(a, "submit", user=world.yongji.dept_user)
    client.force_login(world.city.authority_user)
    url = reverse("widgets:list")

    html = client.get(url, {"state": "submitted"}).content.decode()
    assert "甲 政务云" in html and "乙 数据共享" not in html and "丙 政务云" not in html

    html = client.get(url, {"q": "政务云"}).content.decode()
    assert "甲 政务云" in html and "丙 政务云" in html and "乙 数据共享" not in html

    html = client.get(url, {"q": c.reference}).content.decode()
    assert "丙 政务云" in html and "甲 政务云" not in html

    html = client.get(url, {"jurisdiction": world.jiaohe.jurisdiction.pk}).content.decode()
    assert "丙 政务云" in html and "甲 政务云" not in html
    html = client.get(url, {"jurisdiction": world.city.jurisdiction.pk}).content.decode()
    assert "丙 政务云" in html and "甲 政务云" in html  # a jurisdiction covers those below it

    html = client.get(url, {"sort": "title"}).content.decode()
    titles = [t for t in ("丙 政务云", "乙 数据共享", "甲 政务云") if t in html]
    assert sorted(titles, key=html.index) == sorted(titles)
    desc = client.get(url, {"sort": "-title"}).content.decode()
    assert sorted(titles, key=desc.index) == sorted(titles, reverse=True)

    for bad in (
        {"sort": "budget; drop table"},
        {"state": "nonsense"},
        {"jurisdiction": "x"},
        {"page": "999"},
    ):
        assert client.get(url, bad).status_code == 200


def test_list_htmx_request_gets_the_table_only(client, world):
    make_widget(world.yongji, "局部刷新")
    client.force_login(world.yongji.dept_user)
    response = client.get(reverse("widgets:list"), {"q": "局部"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "局部刷新" in html and "<table" in html
    full = client.get(reverse("widgets:list")).content.decode()
    assert 'hx-get="/widgets/"' in full and 'hx-target="#case-table"' in full


def test_list_paginates_with_bounded_queries(client, world, assert_max_queries):
    for i in range(30):
        make_widget(world.yongji, f"事项{i:02d}")
    client.force_login(world.yongji.authority_user)
    with assert_max_queries(14):  # +2: the menu's 待办 count (core/workflow/inbox.py, cached 30 s)
        response = client.get(reverse("widgets:list"))
    html = response.content.decode()
    assert html.count('<a href="/widgets/') == 2 * 25  # reference and title link on each of 25 rows
    assert "共 30 条" in html
    page2 = client.get(reverse("widgets:list"), {"page": 2}).content.decode()
    assert page2.count('<a href="/widgets/') == 2 * 5


def test_list_exports_the_filtered_rows_as_xlsx(client, world):
    for i in range(3):
        make_widget(world.yongji, f"导出{i}", budget=Decimal("1000.50") * (i + 1))
    workflow.fire(Widget.objects.get(title="导出0"), "submit", user=world.yongji.dept_user)
    make_widget(world.jiaohe, "蛟河市不可见")
    client.force_login(world.yongji.dept_user)
    response = client.get(reverse("widgets:list"), {"export": "xlsx", "q": "导出", "sort": "title"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0] == ("编号", "名称", "行政区域", "责任单位", "状态", "更新时间")
    assert [r[1] for r in rows[1:]] == ["导出0", "导出1", "导出2"]
    assert rows[1][4] == "已提交" and rows[2][4] == "草稿"
    assert rows[1][2] == "永吉县"
    assert all(r[1] != "蛟河市不可见" for r in rows)


def test_list_requires_login(client):
    response = client.get(reverse("widgets:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# -- detail ----------------------------------------------------------------------------------------------


def test_detail_shows_a_blocked_action_with_its_article(client, world):
    w = make_widget(world.yongji, has_security_plan=False)
    client.force_login(world.yongji.dept_user)
    html = client.get(detail_url(w)).content.decode()
    assert "未提交信息安全方案，不能提交" in html
    assert re.search(r"未提交信息安全方案，不能提交（<a[^>]*>第三十一条第一款</a>）", html)
    assert re.search(
        r'<button type="button" class="btn[^"]*" disabled aria-describedby="blockers-submit">提交<', html
    )
    assert f'action="{fire_url(w, "submit")}"' not in html


def test_detail_shows_allowed_action_as_form_with_version(client, world):
    w = make_widget(world.yongji)
    client.force_login(world.yongji.dept_user)
    html = client.get(detail_url(w)).content.decode()
    form = html[html.index(f'action="{fire_url(w, "submit")}"') :]
    form = form[: form.index("</form>")]
    assert f'name="version" value="{w.version}"' in form
    assert 'name="comment"' in form and "required" not in form.split('name="comment"')[1].split(">")[0]
    assert ">提交</button>" in form


def test_detail_marks_required_comment_and_confirmation(client, world):
    w = workflow.fire(make_widget(world.yongji), "submit", user=world.yongji.dept_user)
    client.force_login(world.yongji.authority_user)
    html = client.get(detail_url(w)).content.decode()
    approve = html[html.index(f'action="{fire_url(w, "approve")}"') - 200 :]
    approve = approve[: approve.index("</form>")]
    assert "data-confirm" not in approve  # the server checks first, then asks (test_confirm_step.py)
    assert "核验后先请您核对" in approve
    reject = html[html.index(f'action="{fire_url(w, "reject")}"') :]
    reject = reject[: reject.index("</form>")]
    assert re.search(r'<textarea[^>]*name="comment"[^>]*required', reject)
    assert "btn-danger" in reject


def test_detail_shows_docket_obligations_and_field_changes(client, world):
    w = make_widget(world.yongji, budget=Decimal("100"))
    w = workflow.edit(
        w, user=world.yongji.dept_user, changes={"budget": Decimal("250.00")}, comment="调整预算"
    )
    w = workflow.fire(w, "submit", user=world.yongji.dept_user, comment="请审查")
    client.force_login(world.yongji.dept_user)
    html = client.get(detail_url(w)).content.decode()
    timeline = html[html.index('class="ig-timeline"') :]
    assert timeline.index(">创建<") < timeline.index(">修改<") < timeline.index(">提交<")  # newest last
    assert "草稿 → 已提交" in html
    assert "请审查" in html and "调整预算" in html
    assert "<del>100.00 元</del>" in html and "<ins>250.00 元</ins>" in html  # money, by the field
    submit = DocketEvent.objects.for_case(w).get(action="submit")
    shanghai = timezone.localtime(submit.at, timezone.get_fixed_timezone(8 * 60))
    assert shanghai.strftime("%Y-%m-%d %H:%M:%S") in html
    assert "永吉县工业和信息化局" not in html.split("案卷记录")[1].split("法定义务")[0]
    assert "永吉县卫生健康局" in html  # the actor's organisation
    obligations = html[html.index('id="obligations-title"') :]
    assert "审查测试事项" in obligations and "待履行" in obligations and "第九条第二款" in obligations


def test_detail_shows_overdue_and_fulfilled_obligations(client, world):
    w = workflow.fire(make_widget(world.yongji), "submit", user=world.yongji.dept_user)
    Obligation.objects.for_case(w).update(due_date=timezone.localdate() - timezone.timedelta(days=2))
    client.force_login(world.yongji.dept_user)
    assert "已逾期 2 天" in client.get(detail_url(w)).content.decode()
    workflow.fire(w, "approve", user=world.yongji.authority_user)
    html = client.get(detail_url(w)).content.decode()
    assert "已履行" in html and "已逾期 2 天" not in html


@pytest.mark.article(4)
def test_detail_of_another_jurisdiction_is_404(client, world):
    other = make_widget(world.jiaohe, "蛟河市的事项")
    client.force_login(world.yongji.dept_user)
    response = client.get(detail_url(other))
    assert response.status_code == 404
    assert "蛟河市的事项" not in response.content.decode()
    assert "未找到该记录，或您无权查看" in response.content.decode()
    assert client.get(reverse("widgets:detail", args=[999999])).status_code == 404


def test_detail_has_bounded_queries(client, world, assert_max_queries):
    w = make_widget(world.yongji)
    for i in range(5):
        w = workflow.edit(w, user=world.yongji.dept_user, changes={"description": f"第{i}次修改"})
    w = workflow.fire(w, "submit", user=world.yongji.dept_user)
    for i in range(3):
        attachment_add(case=w, user=world.yongji.dept_user, upload=SimpleUploadedFile(f"f{i}.pdf", PDF))
    client.force_login(world.yongji.authority_user)
    # +3: the menu's 待办 count (core/workflow/inbox.py, cached 30 s), +1 关注, +1 the authority's own level
    with assert_max_queries(17):
        response = client.get(detail_url(w))
    assert response.status_code == 200


# -- fire --------------------------------------------------------------------------------------------------


def test_fire_moves_the_case_and_records_the_docket(client, world):
    w = make_widget(world.yongji)
    client.force_login(world.yongji.dept_user)
    response = client.post(fire_url(w, "submit"), {"version": w.version, "comment": "申请审查"})
    assert response.status_code == 303 and response["Location"] == detail_url(w)
    w.refresh_from_db()
    assert w.state == "submitted"
    event = DocketEvent.objects.for_case(w).get(action="submit")
    assert event.comment == "申请审查" and event.actor == world.yongji.dept_user
    page = client.get(detail_url(w))
    assert any("已提交" in m for m in messages_of(page))
    assert 'id="case-state">已提交<' in page.content.decode()


def test_fire_refused_by_a_rule_shows_the_article(client, world):
    w = make_widget(world.yongji, has_security_plan=False)
    client.force_login(world.yongji.dept_user)
    response = client.post(fire_url(w, "submit"), {"version": w.version}, follow=True)
    assert response.redirect_chain == [(detail_url(w), 303)]
    assert "未提交信息安全方案，不能提交（第三十一条第一款）" in messages_of(response)
    w.refresh_from_db()
    assert w.state == "draft"


def test_fire_with_a_stale_version_is_a_conflict(client, world):
    w = make_widget(world.yongji)
    seen_version = w.version
    workflow.edit(w, user=world.yongji.dept_user, changes={"description": "他人先改了"})  # someone else acted
    events_before = DocketEvent.objects.for_case(w).count()
    client.force_login(world.yongji.dept_user)
    response = client.post(fire_url(w, "submit"), {"version": seen_version}, follow=True)
    assert any("已被他人办理" in m for m in messages_of(response))
    assert DocketEvent.objects.for_case(w).count() == events_before
    w.refresh_from_db()
    assert w.state == "draft"


def test_fire_twice_with_the_same_version_moves_once(client, world):
    w = workflow.fire(make_widget(world.yongji), "submit", user=world.yongji.dept_user)
    client.force_login(world.yongji.authority_user)
    data = {"version": w.version, "comment": "同意"}
    post_confirmed(client, fire_url(w, "approve"), data)
    response = post_confirmed(client, fire_url(w, "approve"), data, follow=True)
    assert any("已被他人办理" in m for m in messages_of(response))
    assert DocketEvent.objects.for_case(w).filter(action="approve").count() == 1


def test_fire_passes_payload_fields_to_the_rules(client, world):
    w = workflow.fire(
        make_widget(world.yongji, budget=Decimal("1000")), "submit", user=world.yongji.dept_user
    )
    client.force_login(world.yongji.authority_user)
    response = client.post(
        fire_url(w, "approve"), {"version": w.version, "contract_amount": "1500"}, follow=True
    )
    assert "合同金额超过批准预算（第十一条第一款）" in messages_of(response)
    response = post_confirmed(
        client, fire_url(w, "approve"), {"version": w.version, "contract_amount": "999.50"}, follow=True
    )
    w.refresh_from_db()
    assert w.state == "approved"
    event = DocketEvent.objects.for_case(w).get(action="approve")
    assert event.payload == {"contract_amount": "999.50"}


def test_fire_without_required_comment_is_refused(client, world):
    w = workflow.fire(make_widget(world.yongji), "submit", user=world.yongji.dept_user)
    client.force_login(world.yongji.authority_user)
    response = client.post(fire_url(w, "reject"), {"version": w.version, "comment": "  "}, follow=True)
    assert any("须填写意见" in m for m in messages_of(response))
    w.refresh_from_db()
    assert w.state == "submitted"


def test_fire_by_someone_without_the_role_is_refused_with_article_4(client, world):
    w = workflow.fire(make_widget(world.yongji), "submit", user=world.yongji.dept_user)
    client.force_login(world.yongji.dept_user)  # the owner may not approve its own case
    response = client.post(fire_url(w, "approve"), {"version": w.version}, follow=True)
    assert any("第四条第二款" in m for m in messages_of(response))
    w.refresh_from_db()
    assert w.state == "submitted"


def test_fire_unknown_transition_and_bad_version_are_messages_not_errors(client, world):
    w = make_widget(world.yongji)
    client.force_login(world.yongji.dept_user)
    response = client.post(fire_url(w, "explode"), {"version": w.version}, follow=True)
    assert response.status_code == 200 and any("没有名为 explode" in m for m in messages_of(response))
    response = client.post(fire_url(w, "submit"), {"version": "abc"}, follow=True)
    assert response.status_code == 200 and any("版本号无效" in m for m in messages_of(response))
    assert client.get(fire_url(w, "submit")).status_code == 405


@pytest.mark.article(4)
def test_fire_on_another_jurisdictions_case_is_404(client, world):
    other = make_widget(world.jiaohe)
    client.force_login(world.yongji.dept_user)
    response = client.post(fire_url(other, "submit"), {"version": other.version})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.state == "draft"


# -- attachments -------------------------------------------------------------------------------------------


def test_attach_and_download(client, world):
    w = make_widget(world.yongji)
    client.force_login(world.yongji.dept_user)
    response = client.post(
        reverse("widgets:attach", args=[w.pk]), {"file": SimpleUploadedFile("安全方案.pdf", PDF)}, follow=True
    )
    assert any("已上传附件“安全方案.pdf”" in m for m in messages_of(response))
    att = Attachment.objects.for_case(w).get()
    html = response.content.decode()
    assert f'href="{reverse("attachment_download", args=[att.pk])}"' in html and "安全方案.pdf" in html
    download = client.get(reverse("attachment_download", args=[att.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]


def test_attach_refuses_a_disallowed_type_and_a_missing_file(client, world):
    w = make_widget(world.yongji)
    client.force_login(world.yongji.dept_user)
    url = reverse("widgets:attach", args=[w.pk])
    response = client.post(
        url, {"file": SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00\x03\x00\x00\x00")}, follow=True
    )
    assert any("不支持的文件类型" in m for m in messages_of(response))
    response = client.post(url, {}, follow=True)
    assert any("请选择要上传的文件" in m for m in messages_of(response))
    assert not Attachment.objects.exists()


@pytest.mark.article(4)
def test_attachments_of_another_jurisdiction_are_404(client, world):
    other = make_widget(world.jiaohe)
    att = attachment_add(case=other, user=world.jiaohe.dept_user, upload=SimpleUploadedFile("a.pdf", PDF))
    client.force_login(world.yongji.dept_user)
    assert client.get(reverse("attachment_download", args=[att.pk])).status_code == 404
    response = client.post(
        reverse("widgets:attach", args=[other.pk]), {"file": SimpleUploadedFile("b.pdf", PDF)}
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 1
    client.force_login(world.jiaohe.authority_user)
    assert client.get(reverse("attachment_download", args=[att.pk])).status_code == 200


# -- the readable record reads no row the page already holds ----------------------------------------


def test_record_names_rows_the_page_holds_without_reading_them(world, django_assert_num_queries):
    """The case's owner (select_related) and the signed-in user are known rows: the record names them
    as a query would, with no query; a row not held (another organisation) is still read, once."""
    from infogov.core.web.cases import case_url
    from infogov.core.web.changes import loaded_rows, readable_events

    w = make_widget(world.yongji)
    w = Widget.objects.select_related("owner").get(pk=w.pk)
    user = world.yongji.authority_user
    changes = [
        {"owner": {"before": world.jiaohe.department.pk, "after": w.owner_id}},
        {"widgetinspection#7": {"before": None, "after": {"widget": w.pk, "recorded_by": user.pk}}},
    ]
    with django_assert_num_queries(2):  # the organisations and the users, one query each
        expected = readable_events(w, str, changes, case_url)
    known = loaded_rows(w, user)
    assert w in known and w.owner in known and user in known
    with django_assert_num_queries(1):  # the users are known; the other organisation is read
        got = readable_events(w, str, changes, case_url, known)
    assert [[(label, str(b), str(a)) for label, b, a in rows] for rows in got] == [
        [(label, str(b), str(a)) for label, b, a in rows] for rows in expected
    ]
    assert world.jiaohe.department.name in str(got[0][0][1]) and w.owner.name in str(got[0][0][2])
    with django_assert_num_queries(0):  # everything named is held
        readable_events(w, str, changes[1:], case_url, known)
