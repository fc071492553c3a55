"""Reads of the resources app, each restricted to what the user may see. Other apps read this app only
through this module (e.g. projects' review: ``published_resources_matching``, 不重复采集)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from infogov.core import text as text_
from infogov.core.models import AuditEvent
from infogov.core.workflow.permissions import restrict, scope_of

from .choices import RequestState, ResourceState
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


def published_resources_matching(text: str, *, limit: int = 10) -> list[dict[str, Any]]:
    """不重复采集: published resources whose catalogue entry matches `text` (words of a project's data to
    collect), with the route to share them — for the projects review's 信息资源共享 dimension. Public
    catalogue facts only (name, provider, share type), so no user scope is needed."""
    if not text_.normalise(text):
        return []
    words = text_.query_words(text_.normalise(text)[: text_.MAX_QUERY])
    q = Q(pk__in=[])
    for word in words[:20]:
        q |= Q(text_.HasWords("search_text", [word]))
    rows = (
        Resource.objects.filter(q, state=ResourceState.PUBLISHED)
        .select_related("owner")
        .order_by("catalogue_code")[:limit]
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
            "route": (
                "不予共享"
                if r.share_type == "not_shared"
                else "申请即授权（无条件共享）"
                if r.share_type == "unconditional"
                else "向提供单位申请，10个工作日内答复（有条件共享）"
            ),
        }
        for r in rows
    ]
