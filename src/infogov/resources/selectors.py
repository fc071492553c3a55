"""Reads of the resources app, each restricted to what the user may see. Other apps read this app only
through this module (e.g. projects' review: ``published_resources_matching``, 不重复采集)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from infogov.core import text as text_
from infogov.core.models import AuditEvent
from infogov.core.workflow.permissions import restrict, scope_of

from .choices import RequestState, ResourceState, ShareType
from .models import Resource, SharingRequest

STAFF_ROLES = ("dept_staff", "authority_staff", "authority_leader", "gov_approver")
VISIBLE_STATES = (ResourceState.PUBLISHED, ResourceState.WITHDRAWN)


def search_q(term: str) -> Q:
    """Every word of the query is a word of the entry (core.text: 人口 finds 人口基础信息)."""
    return text_.search_q("search_text", term, fallback=("reference", "title", "catalogue_code"))


def catalogue(
    user: Any,
    *,
    published_only: bool = True,
    text: str = "",
    category: str = "",
    provider: int | None = None,
) -> QuerySet[Resource]:
    """The shared catalogue (第二十七条第二款): published entries for every government staff member,
    and — unless published_only — the user's own unit's and their jurisdiction's entries in any state."""
    scope = scope_of(user)
    if not scope.org_ids_with_role(*STAFF_ROLES):
        return Resource.objects.none()
    q = Q(state__in=VISIBLE_STATES)
    if not published_only:
        q |= scope.case_q(Resource)
    qs = Resource.objects.filter(q).select_related("owner", "jurisdiction")
    if text:
        qs = qs.filter(search_q(text))
    if category:
        qs = qs.filter(base_category=category)
    if provider:
        qs = qs.filter(owner_id=provider)
    return qs.order_by("catalogue_code", "id")


def catalogue_entry(user: Any, pk: int) -> Resource | None:
    return catalogue(user, published_only=False).filter(pk=pk).first()


def providers(user: Any) -> list[tuple[int, str, int]]:
    """(organisation id, name, published entries) for browsing by provider."""
    rows = (
        catalogue(user)
        .filter(state=ResourceState.PUBLISHED)
        .values("owner_id", "owner__name")
        .annotate(n=Count("id"))
        .order_by("owner__name")
    )
    return [(r["owner_id"], r["owner__name"], r["n"]) for r in rows]


def categories(user: Any) -> dict[str, int]:
    rows = (
        catalogue(user).filter(state=ResourceState.PUBLISHED).values("base_category").annotate(n=Count("id"))
    )
    return {r["base_category"]: r["n"] for r in rows}


def incoming_requests(user: Any) -> QuerySet[SharingRequest]:
    """Requests for the resources the user's own unit provides (本单位答复)."""
    orgs = scope_of(user).org_ids_with_role("dept_staff", "authority_staff", "authority_leader")
    if not orgs:
        return SharingRequest.objects.none()
    return (
        SharingRequest.objects.filter(resource__owner_id__in=orgs)
        .exclude(state=RequestState.DRAFT)
        .select_related("resource", "owner", "jurisdiction")
        .order_by("-created_at", "-id")
    )


def my_requests(user: Any) -> QuerySet[SharingRequest]:
    return restrict(SharingRequest.objects.all(), user).select_related("resource", "owner").order_by("-id")


def users_of(resource: Resource) -> list[SharingRequest]:
    """Who uses it: the grants of the resource."""
    return list(
        resource.requests.filter(state__in=(RequestState.GRANTED, RequestState.SUSPENDED))
        .select_related("owner")
        .order_by("owner__name")
    )


def pulls_of(resource: Resource, limit: int = 20) -> list[AuditEvent]:
    """The latest exchange pulls of a resource (metadata from the access log)."""
    return list(
        AuditEvent.objects.filter(
            action__in=("exchange_pull", "exchange_refused"), target=f"resources.resource:{resource.pk}"
        ).order_by("-seq")[:limit]
    )


# Words that say "data" rather than which data: a declared item is matched on its other words only
# (人口基础信息库 → 人口), so that 信息 or 数据 alone never makes two different things look the same.
_GENERIC = """信息 数据 资源 信息资源 数据资源 库 数据库 信息库 基础库 资源库 基础 基本 系统 平台 管理 目录
采集 共享 交换 相关 有关 等 和 与 及 的 各类 综合 吉林 吉林市 全市 本市 全县 本县 全区 辖区 本级 区域 全省"""
GENERIC_WORDS = frozenset(_GENERIC.split())


def data_item_words(text: str) -> list[str]:
    """The words of `text` (one item of data a project declares) that say which data it is: no generic
    word, no lone Chinese character (the search column holds every character, so one would match nearly
    anything). This cuts the text (the segmenter): a caller that shows matches on a page cuts when the
    item is saved and passes the words to published_resources_matching, so the page does not load it."""
    words = text_.query_words(text_.normalise(text)[: text_.MAX_QUERY])
    return [w for w in words if w not in GENERIC_WORDS and not (len(w) == 1 and not w.isascii())][:8]


def sharing_route(resource: Resource, *, today: Any = None) -> str:
    """How a consumer obtains the resource (国发〔2016〕51号 share types; the decision deadline is a
    platform setting, DECISION_DAYS)."""
    from .policy import DECISION_DAYS

    if resource.share_type == ShareType.NOT_SHARED:
        return "不予共享：不能申请，如确需使用请与提供单位协商"
    if resource.share_type == ShareType.UNCONDITIONAL:
        return "无条件共享：在共享目录中提出申请即获授权"
    days = DECISION_DAYS.on(today or timezone.localdate())
    return f"有条件共享：向提供单位提出申请，提供单位在 {days} 个工作日内答复"


def published_resources_matching(
    text: str = "", *, limit: int = 10, words: list[str] | None = None
) -> list[dict[str, Any]]:
    """不重复采集 (《政务数据共享条例》: 可以通过共享获取的，不得重复采集): the published resources whose
    catalogue entry holds the significant words of `text` (one item of data a project declares it will
    collect, e.g. 人口基础信息 → 人口), with the route to share them — for the projects review's 信息资源共享
    dimension (第九条第二款). Public catalogue facts only (name, provider, share type), so no user scope
    is needed. Generic words (信息、数据、库…) and single characters are not matched on: an item made only
    of them matches nothing. `words`: data_item_words(text), cut before (the text is then not read)."""
    if words is None:
        words = data_item_words(text or "")
    if not words:
        return []
    # every word; from three words on, every word but one (居民户籍人口 finds 户籍人口的基础信息)
    subsets = [words] if len(words) < 3 else [words[:i] + words[i + 1 :] for i in range(len(words))]
    q = Q(pk__in=[])
    for subset in subsets:
        q |= Q(text_.HasWords("search_text", subset))
    rows = (
        Resource.objects.filter(q, state=ResourceState.PUBLISHED)
        .select_related("owner")
        .order_by("catalogue_code", "id")[:limit]
    )
    return [
        {
            "id": r.pk,
            "reference": r.reference,
            "title": r.title,
            "catalogue_code": r.catalogue_code,
            "provider": r.owner.name,
            "share_type": r.share_type,
            "share_type_label": r.get_share_type_display(),
            "route": sharing_route(r),
            "entry_url": reverse("resources:entry", args=[r.pk]),
            "request_url": (
                "" if r.share_type == ShareType.NOT_SHARED else reverse("resources:request", args=[r.pk])
            ),
        }
        for r in rows
    ]
