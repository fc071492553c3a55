"""An irreversible step (declared with confirm=) asks for confirmation AFTER the server has checked it
(issue #11): the first POST is judged like fire() without writing; a refusal goes back to the form,
otherwise the "请核对" page lists the values and the consequence; only the second POST, with a token
binding those values to the case as it was, takes the step."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from infogov.core.models import DocketEvent
from infogov.core.web.confirm import TOKEN
from tests.core.test_steps import submitted_widget
from tests.testapp.models import Widget

pytestmark = pytest.mark.article(9)


def _fire_url(w, name="approve"):
    return reverse("widgets:fire", args=[w.pk, name])


def _token(html: str) -> str:
    return re.search(rf'name="{TOKEN}" value="([^"]+)"', html).group(1)


def _state(w) -> str:
    return Widget.objects.get(pk=w.pk).state


def _confirmation(client, w, **data):
    response = client.post(_fire_url(w), {"version": w.version, "comment": "同意", **data})
    assert response.status_code == 200, response
    return response.content.decode()


def test_a_refusal_comes_before_any_confirmation_page(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    events = DocketEvent.objects.for_case(w).count()
    response = client.post(_fire_url(w), {"version": w.version, "contract_amount": "50000"})
    assert response.status_code == 303  # back to the case page, not to "请核对"
    assert _state(w) == "submitted" and DocketEvent.objects.for_case(w).count() == events
    html = client.get(response["Location"]).content.decode()
    assert "合同金额超过批准预算（第十一条第一款）" in html
    assert "请核对" not in html


def test_the_confirmation_page_shows_the_values_and_the_consequence_and_writes_nothing(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    events = DocketEvent.objects.for_case(w).count()
    html = _confirmation(client, w, contract_amount="20000")
    assert "请核对：批准" in html
    assert "批准后不可撤销，确定批准吗？" in html
    assert "已提交 → 已批准" in html or "→" in html
    assert 'name="contract_amount" value="20000"' in html  # carried to the confirm button
    assert "同意" in html
    assert "<script" not in html.split("<body", 1)[1].split('<script src="/static/vendor', 1)[0]
    assert _state(w) == "submitted" and DocketEvent.objects.for_case(w).count() == events
    # the second POST, as the page's button sends it, takes the step
    response = client.post(
        _fire_url(w),
        {"version": w.version, "comment": "同意", "contract_amount": "20000", TOKEN: _token(html)},
    )
    assert response.status_code == 303
    assert _state(w) == "approved"
    last = DocketEvent.objects.for_case(w).order_by("-seq").first()
    assert (last.action, last.comment, last.payload) == ("approve", "同意", {"contract_amount": 20000})


def test_a_token_that_does_not_match_the_values_is_refused(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    token = _token(_confirmation(client, w, contract_amount="20000"))
    base = {"version": w.version, "comment": "同意"}
    # the amount changed after checking (e.g. in the browser's developer tools)
    response = client.post(_fire_url(w), {**base, "contract_amount": "29999", TOKEN: token})
    assert response.status_code == 303 and _state(w) == "submitted"
    assert "核对页的确认信息与提交的内容不一致" in client.get(response["Location"]).content.decode()
    # a forged token
    client.post(_fire_url(w), {**base, "contract_amount": "20000", TOKEN: token[:-2] + "xx"})
    assert _state(w) == "submitted"


def test_a_token_is_bound_to_its_user(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    token = _token(_confirmation(client, w, contract_amount="20000"))
    client.force_login(world.yongji.leader)  # a colleague who may approve too, but did not check
    data = {"version": w.version, "comment": "同意", "contract_amount": "20000", TOKEN: token}
    client.post(_fire_url(w), data)
    assert _state(w) == "submitted"


def test_a_case_changed_after_checking_is_a_conflict(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    token = _token(_confirmation(client, w, contract_amount="20000"))
    # meanwhile a record is added under the case
    client.post(
        _fire_url(w, "inspect"), {"version": w.version, "checked_on": "2026-01-05", "finding": "已检查"}
    )
    fresh = Widget.objects.get(pk=w.pk)
    assert fresh.version == w.version + 1
    # the confirm button sends what the page carried: the version the official checked
    data = {"version": w.version, "comment": "同意", "contract_amount": "20000", TOKEN: token}
    response = client.post(_fire_url(w), data)
    assert _state(w) == "submitted"
    assert "您核对之后，该事项已有新的办理记录" in client.get(response["Location"]).content.decode()


def test_back_to_the_form_keeps_the_typed_values(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    _confirmation(client, w, contract_amount="20000")
    response = client.post(
        _fire_url(w), {"version": w.version, "comment": "再看看", "contract_amount": "20000", "_back": "1"}
    )
    assert response.status_code == 303 and _state(w) == "submitted"
    html = client.get(response["Location"]).content.decode()
    block = html[html.index('data-transition="approve"') :]
    assert ">再看看</textarea>" in block


def test_the_case_page_asks_no_browser_dialog(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    html = client.get(reverse("widgets:detail", args=[w.pk])).content.decode()
    block = html[html.index('data-transition="approve"') :]
    assert "data-confirm" not in block
    assert "核验后先请您核对" in block


def test_a_step_without_confirm_is_taken_at_once(client, world):
    w = submitted_widget(world.yongji)
    client.force_login(world.yongji.authority_user)
    response = client.post(_fire_url(w, "reject"), {"version": w.version, "comment": "材料不全"})
    assert response.status_code == 303 and _state(w) == "rejected"


def post_confirmed(client, url: str, data: dict, **kwargs):
    """Submit a step as an official does: the form, then — for an irreversible step — the "请核对"
    page's confirm button with what the page carried. Returns the last response."""
    response = client.post(url, data)
    if response.status_code == 200 and TOKEN in response.content.decode():
        return client.post(url, {**data, TOKEN: _token(response.content.decode())}, **kwargs)
    if kwargs.get("follow") and response.status_code in (302, 303):
        return client.get(response["Location"])
    return response
