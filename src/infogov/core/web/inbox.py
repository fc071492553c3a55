"""我的待办 / 已办 / 关注 (core/workflow/inbox.py finds the work; these pages show it), the batch
action from the inbox and the follow button of a case page.

Views are thin: parse the request, call the inbox, render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from infogov.core.errors import DomainError
from infogov.core.models import Obligation
from infogov.core.web.cases import CaseRef, case_refs, case_url, error_text, see_other
from infogov.core.workflow import engine
from infogov.core.workflow import inbox as work
from infogov.core.workflow.permissions import restrict

PAGE_SIZE = 25
DUTIES_SHOWN = 50
BATCH_MAX = 50


@dataclass
class DutyRow:
    obligation: Obligation
    case: CaseRef | None
    overdue_days: int
    cited: str = ""


class _Cited(dict[str, str]):
    """Each citation's link rendered once per page (the rows cite a handful of articles)."""

    def __missing__(self, citation: str) -> str:
        from infogov.core.templatetags.infogov_ui import cite

        self[citation] = value = str(cite(citation))
        return value


def _duty_rows(obligations: list[Obligation], user: Any, today: dt.date, cited: _Cited) -> list[DutyRow]:
    refs = case_refs(((o.case_type, o.case_id) for o in obligations), user)
    return [
        DutyRow(
            o, refs.get((o.case_type_id, o.case_id)), max((today - o.due_date).days, 0), cited[o.citation]
        )
        for o in obligations
    ]


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
@require_GET
def todo(request: HttpRequest) -> HttpResponse:
    """我的待办: the cases the user can act on now (from the declarations), then the duties owed by the
    user's organisations (overdue first), then the duties only another body's step fulfils."""
    user: Any = request.user
    today = timezone.localdate()
    steps = work.step_items(user, page=_page_number(request), page_size=PAGE_SIZE, today=today)
    cited = _Cited()
    for item in steps.items:
        item.url = case_url(item.model, item.pk)
        item.cited = cited[item.citation]
    own, waiting = work.duties(user, today)
    duty_page = Paginator(own, PAGE_SIZE).get_page(request.GET.get("duties"))
    duty_rows = _duty_rows(list(duty_page.object_list), user, today, cited)
    waiting_rows = _duty_rows(list(waiting[:DUTIES_SHOWN]), user, today, cited)
    work.remember_count(user, steps.count + duty_page.paginator.count)  # the menu's badge
    context = {
        "tab": "todo",
        "today": today,
        "steps": steps,
        "duty_page": duty_page,
        "duty_rows": duty_rows,
        "waiting_rows": waiting_rows,
        "overdue_count": sum(1 for r in duty_rows if r.overdue_days)
        + sum(1 for i in steps.items if i.overdue_days),
        "confirm_needed": any(i.batchable and i.step.confirm for i in steps.items),
        "any_batchable": any(i.batchable for i in steps.items),
    }
    if user.has_role("authority_leader"):
        context["summary"] = leader_summary(user, steps, duty_page.paginator.count, today)
    return render(request, "core/home.html", context)


def leader_summary(user: Any, steps: work.TodoPage, duties_count: int, today: dt.date) -> dict[str, Any]:
    """The authority leader's view: what awaits a decision, the organisation's overdue duties, and the
    cases of the jurisdiction by type (one COUNT each)."""
    overdue = work.duties(user, today)[0].filter(due_date__lt=today).count()
    figures = []
    for model, wf in work.case_models():
        figures.append((wf.title, restrict(model._default_manager.all(), user).count()))
    return {"awaiting": steps.count_labels, "duties": duties_count, "overdue": overdue, "figures": figures}


@login_required
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    """已办: the steps the user took, newest first."""
    page = Paginator(work.done_by(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    refs = case_refs(((e.case_type, e.case_id) for e in events), request.user)
    rows = [(e, refs.get((e.case_type_id, e.case_id))) for e in events]
    return render(request, "core/inbox/done.html", {"tab": "done", "page": page, "rows": rows})


@login_required
@require_GET
def following(request: HttpRequest) -> HttpResponse:
    """关注: the cases the user follows (those the user may still see)."""
    page = Paginator(work.followed_by(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    follows = list(page.object_list)
    refs = case_refs(((f.case_type, f.case_id) for f in follows), request.user)
    rows = [(f, refs[(f.case_type_id, f.case_id)]) for f in follows if (f.case_type_id, f.case_id) in refs]
    return render(request, "core/inbox/following.html", {"tab": "following", "page": page, "rows": rows})


def _case_of(user: Any, ct_id: int, pk: int) -> Any:
    """The case behind (content type, id) if the user may see it, else a 404 (第四条: not revealed)."""
    try:
        model = ContentType.objects.get_for_id(ct_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404() from None
    if model is None or model not in {m for m, _ in work.case_models()}:
        raise Http404()
    case = restrict(model._default_manager.filter(pk=pk), user).first()
    if case is None:
        raise Http404()
    return case


def _parse_item(value: str) -> tuple[int, int, str, int] | None:
    parts = value.split(":")
    if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit() or not parts[3].isdigit():
        return None
    return int(parts[0]), int(parts[1]), parts[2], int(parts[3])


@login_required
@require_POST
def batch(request: HttpRequest) -> HttpResponse:
    """Take the selected items' steps one by one through the engine: each stays its own step, its own
    docket event and its own refusal (a refused item does not stop the others)."""
    user: Any = request.user
    chosen = request.POST.getlist("item")[:BATCH_MAX]
    if not chosen:
        messages.error(request, "请先勾选要办理的事项。")
        return see_other(reverse("home"))
    done_count = 0
    for value in chosen:
        parsed = _parse_item(value)
        if parsed is None:
            messages.error(request, "所选事项无法识别，请刷新页面后重试。")
            continue
        ct_id, pk, step_name, version = parsed
        try:
            case = _case_of(user, ct_id, pk)
        except Http404:
            messages.error(request, "所选事项不存在或您无权查看。")
            continue
        label = f"{case.reference} {case.title}"
        try:
            step = engine.workflow_for(case).get(step_name)
            if not work.in_inbox(step) or step.payload is not None or step.comment_required:
                messages.error(request, f"{label}：“{step.label}”须在事项页面填写后办理。")
                continue
            if step.confirm and request.POST.get("confirmed") != "1":
                messages.error(request, f"{label}：“{step.label}”须先勾选确认后办理（{step.confirm}）。")
                continue
            engine.fire(case, step_name, user=user, expected_version=version)
        except DomainError as exc:
            messages.error(request, f"{label}：未办理 —— {error_text(exc)}")
        else:
            done_count += 1
            messages.success(request, f"{label}：已{step.label}。")
    work.forget_count(user)
    if done_count:
        messages.info(request, f"共办理 {done_count} 项，每项均单独记入案卷。")
    return see_other(reverse("home"))


@login_required
@require_POST
def follow_toggle(request: HttpRequest, ct_id: int, pk: int) -> HttpResponse:
    """关注 / 取消关注 a case the user may see."""
    case = _case_of(request.user, ct_id, pk)
    on = request.POST.get("on") == "1"
    work.follow(request.user, case, on=on)
    messages.success(request, "已关注该事项，可在“我的待办 · 关注”中查看。" if on else "已取消关注。")
    nxt = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = reverse("inbox_following")
    return see_other(nxt)
