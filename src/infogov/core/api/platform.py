"""The platform's own endpoints on the API: who am I, 我的待办, the jurisdiction and organisation
registers, the regulation, attachment downloads and API tokens. Registered on the one API object of
core.api.root, which adds this router at the API's root."""

from typing import Any

from django.db.models import Q
from django.http import FileResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from ninja import Query, Router, Status

from infogov.core.api.cases import ROUTES, api_url, paginate
from infogov.core.api.schemas import (
    ArticleOut,
    ErrorOut,
    JurisdictionOut,
    MeOut,
    OrganisationPage,
    PageParams,
    TodoPage,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from infogov.core.api.tokens import token_create, token_revoke, tokens_of
from infogov.core.attachments import attachment_for_download
from infogov.core.errors import NotFound, NotPermitted
from infogov.core.models import Case
from infogov.core.regulation.articles import articles
from infogov.core.workflow.obligations import todo_for
from infogov.org.choices import OrganisationKind, Role
from infogov.org.models import Jurisdiction, Membership, Organisation

# -- the platform's own endpoints ---------------------------------------------------------------------

_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

router = Router(tags=["平台"])


def _org_ref(org: Organisation | None) -> dict[str, Any] | None:
    return {"id": org.pk, "name": org.name} if org is not None else None


def _jurisdiction_ref(j: Jurisdiction | None) -> dict[str, Any] | None:
    return {"code": j.code, "name": j.name} if j is not None else None


@router.get(
    "/me",
    response={200: MeOut, **_ERRORS},
    tags=["平台"],
    operation_id="me",
    url_name="me",
    summary="当前用户",
    description="姓名、单位、角色（第四条）和所在行政区域。",
)
def me(request):
    user = request.auth
    org = Organisation.objects.select_related("jurisdiction").filter(pk=user.organisation_id).first()
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("id")
    return {
        "username": user.username,
        "full_name": user.full_name,
        "organisation": _org_ref(org),
        "jurisdiction": _jurisdiction_ref(org.jurisdiction if org else None),
        "roles": [
            {
                "role": m.role,
                "label": str(Role(m.role).label) if m.role in Role.values else m.role,
                "organisation": _org_ref(m.organisation),
            }
            for m in memberships
        ],
        "is_platform_admin": user.is_platform_admin,
    }


@router.get(
    "/todo",
    response={200: TodoPage, **_ERRORS},
    tags=["平台"],
    operation_id="todo",
    url_name="todo",
    summary="我的待办",
    description="本人所在单位负有、尚未履行的法定义务，按期限排列，逾期的标注 overdue。",
)
def todo(request, params: Query[PageParams]):
    user = request.auth
    count, rows = paginate(todo_for(user), params.page, params.page_size)
    by_type: dict[int, dict[int, Any]] = {}
    for ob in rows:
        by_type.setdefault(ob.case_type_id, {})[ob.case_id] = None
    for ct_id, ids in by_type.items():  # one query per case type on the page, not per row
        ct = next(o.case_type for o in rows if o.case_type_id == ct_id)
        model = ct.model_class()
        if model is None:
            continue
        fields = ["id", "reference", "title"] if issubclass(model, Case) else None
        qs = model._default_manager.filter(pk__in=list(ids))
        for obj in qs.only(*fields) if fields else qs:
            ids[obj.pk] = obj
    today = timezone.localdate()
    items = []
    for ob in rows:
        case = by_type.get(ob.case_type_id, {}).get(ob.case_id)
        model = ob.case_type.model_class()
        web_url = None
        prefix = ROUTES.get(model) if model else None
        if prefix:
            try:
                web_url = reverse(f"{prefix}:detail", args=[ob.case_id])
            except NoReverseMatch:
                web_url = None
        items.append(
            {
                "id": ob.pk,
                "code": ob.code,
                "title": ob.title,
                "citation": ob.citation,
                "due_date": ob.due_date,
                "overdue": ob.due_date < today,
                "owed_by": _org_ref(ob.owed_by),
                "owed_to": _org_ref(ob.owed_to),
                "case": {
                    "type": f"{ob.case_type.app_label}.{ob.case_type.model}",
                    "type_label": str(model._meta.verbose_name) if model else ob.case_type.model,
                    "id": ob.case_id,
                    "reference": getattr(case, "reference", None),
                    "title": getattr(case, "title", None),
                    "url": api_url(request, f"{prefix}_detail", id=ob.case_id) if prefix else None,
                    "web_url": web_url,
                },
            }
        )
    return {"count": count, "page": params.page, "page_size": params.page_size, "items": items}


@router.get(
    "/jurisdictions",
    response={200: list[JurisdictionOut], **_ERRORS},
    tags=["平台"],
    operation_id="jurisdictions",
    url_name="jurisdictions",
    summary="行政区域",
    description="吉林市及所辖县（市）、区和开发区（第四条）。",
)
def jurisdictions(request):
    return [
        {
            "code": j.code,
            "name": j.name,
            "kind": j.kind,
            "kind_label": j.get_kind_display(),
            "parent": j.parent.code if j.parent_id else None,
            "path": j.path,
        }
        for j in Jurisdiction.objects.select_related("parent").order_by("sort_order", "code")
    ]


@router.get(
    "/organisations",
    response={200: OrganisationPage, **_ERRORS},
    tags=["平台"],
    operation_id="organisations",
    url_name="organisations",
    summary="单位",
    description="有效单位名录；可按行政区划代码（below=true 含下级）、类型筛选，按名称搜索。",
)
def organisations(
    request,
    params: Query[PageParams],
    jurisdiction: str | None = None,
    below: bool = False,
    kind: OrganisationKind | None = None,
    q: str | None = None,
):
    qs = Organisation.objects.filter(is_active=True).select_related("jurisdiction")
    if jurisdiction:
        path = Jurisdiction.objects.filter(code=jurisdiction).values_list("path", flat=True).first()
        qs = (
            qs.filter(jurisdiction__path__startswith=path)
            if below and path
            else qs.filter(jurisdiction__code=jurisdiction)
        )
    if kind:
        qs = qs.filter(kind=kind)
    term = (q or "").strip()[:100]
    if term:
        qs = qs.filter(Q(name__icontains=term) | Q(short_name__icontains=term))
    qs = qs.order_by("jurisdiction__sort_order", "jurisdiction__code", "kind", "name", "id")
    count, rows = paginate(qs, params.page, params.page_size)
    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "items": [
            {
                "id": o.pk,
                "name": o.name,
                "short_name": o.short_name,
                "kind": o.kind,
                "kind_label": o.get_kind_display(),
                "cosupervision": o.cosupervision,
                "jurisdiction": _jurisdiction_ref(o.jurisdiction),
            }
            for o in rows
        ],
    }


@router.get(
    "/regulation/articles",
    response={200: list[ArticleOut], **_ERRORS},
    tags=["平台"],
    operation_id="regulation_articles",
    url_name="regulation_articles",
    summary="《吉林市信息化促进办法》条文",
    description="全部条文，逐款列出，并说明平台如何落实。",
)
def regulation_articles(request):
    return [
        {
            "number": a.number,
            "citation": a.citation,
            "paragraphs": list(a.paragraphs),
            "duty": a.duty,
            "summary": a.summary,
            "platform": a.platform,
        }
        for _, a in sorted(articles().items())
    ]


@router.get(
    "/attachments/{id}",
    response={200: None, **_ERRORS},
    tags=["平台"],
    operation_id="attachment_download",
    url_name="attachment_download",
    summary="下载附件",
    description="只有能查看该附件所属事项的用户才能下载；否则与不存在一样返回 404。",
)
def attachment_download(request, id: int):
    att = attachment_for_download(user=request.auth, attachment_id=id)
    try:
        handle = att.file.open("rb")
    except OSError:
        raise NotFound("附件文件已不存在，请联系系统管理员", code="file_missing") from None
    response = FileResponse(handle, content_type=att.mime_type, as_attachment=True, filename=att.name)
    response["X-Content-Type-Options"] = "nosniff"
    from infogov.core.signals import audit  # every download lands in the audit trail (安全审计)

    audit("attachment_download", actor=request.auth, request=request, target=att.name, attachment_id=att.pk)
    return response


# -- API tokens ---------------------------------------------------------------------------------------


def _token_out(token: Any) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "active": token.is_active,
    }


@router.get(
    "/tokens",
    response={200: list[TokenOut], **_ERRORS},
    tags=["接口令牌"],
    operation_id="tokens_list",
    url_name="tokens_list",
    summary="我的接口令牌",
    description="只列出本人的令牌；令牌明文不保存，无法再次查看。",
)
def tokens_list(request):
    return [_token_out(t) for t in tokens_of(request.auth)]


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **_ERRORS},
    tags=["接口令牌"],
    operation_id="tokens_create",
    url_name="tokens_create",
    summary="创建接口令牌",
    description="返回的 token 只显示这一次。须以登录会话创建（不能用令牌创建令牌）。",
)
def tokens_create(request, data: TokenIn):
    if getattr(request, "api_token", None) is not None:
        raise NotPermitted(
            "不能用接口令牌创建新令牌，请登录平台后在“接口令牌”页面创建", code="token_via_token"
        )
    token, plaintext = token_create(
        user=request.auth, name=data.name, expires_at=data.expires_at, request=request, via="api"
    )
    return Status(201, {**_token_out(token), "token": plaintext})


@router.delete(
    "/tokens/{id}",
    response={204: None, **_ERRORS},
    tags=["接口令牌"],
    operation_id="tokens_revoke",
    url_name="tokens_revoke",
    summary="撤销接口令牌",
    description="只能撤销本人的令牌；撤销后立即失效。",
)
def tokens_revoke(request, id: int):
    token_revoke(user=request.auth, token_id=id, request=request, via="api")
    return Status(204, None)
