"""The generic REST endpoints of a case type, produced from its workflow declaration.

    api.add_router("/projects/", case_router(projects.WORKFLOW, prefix="projects"), tags=["信息化工程项目"])

gives GET /api/projects/ (restricted, paginated, filtered list), GET /api/projects/{id}, GET
/api/projects/{id}/docket, POST /api/projects/{id}/transitions/{name} and POST
/api/projects/{id}/attachments. Every read goes through ``permissions.restrict``: a case the user
may not see is answered exactly like a case that does not exist (404, 第四条).

No ``from __future__ import annotations`` here: django-ninja reads the view annotations (which name
classes made per router) at runtime.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Q
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from ninja import Body, File, FilterSchema, Form, Query, Router, Schema, Status, UploadedFile
from ninja.orm.fields import get_schema_field
from pydantic import Field, create_model

from infogov.core import text
from infogov.core.api.render import api_renderer
from infogov.core.api.schemas import (
    AttachmentOut,
    CaseDetailOut,
    CaseItemOut,
    DocketEventOut,
    ErrorOut,
    PageParams,
    TransitionIn,
)
from infogov.core.api.steps import typed_step_endpoints
from infogov.core.attachments import attachment_add
from infogov.core.errors import InvalidInput, NotFound
from infogov.core.models import Attachment, Case, DocketEvent
from infogov.core.workflow import engine as wf_core
from infogov.core.workflow.permissions import restrict, scope_of
from infogov.org.models import Jurisdiction

# model → the prefix its router was made with (for links from other endpoints, e.g. 我的待办)
ROUTES: dict[type[models.Model], str] = {}

_BASE_FIELDS = frozenset({f.name for f in Case._meta.fields} | {"id"})
_DEFAULT_ORDERING = ("created_at", "updated_at", "reference", "title", "state")
_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# A search counts its hits up to this many and says "more than" beyond (count_capped): the word index
# finds a common word's hits at once, but PostgreSQL must re-check each hit against its text, ~50 µs a
# row, so counting all 12,000 hits of 政务 across a province costs more than everything else the search
# does; past a couple of hundred hits people refine the search rather than page through it. Later
# pages are still served.
SEARCH_COUNT_CAP = 200


def count_capped(queryset: models.QuerySet, cap: int | None) -> tuple[int, bool]:
    """(count, capped): the exact count, or `cap` and True when there are more than `cap` rows."""
    if cap is None:
        return queryset.count(), False
    n = queryset.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


def paginate(queryset: models.QuerySet, page: int, page_size: int) -> tuple[int, list[Any]]:
    """One COUNT and one page query, whatever the size of the table."""
    count = queryset.count()
    offset = (page - 1) * page_size
    items = list(queryset[offset : offset + page_size]) if offset < count else []
    return count, items


class _FastItems:
    """A list schema's items straight from one ``values()`` query: the same JSON the schema would
    produce (tests/core/test_api_fast_list.py validates it against the schema), without building
    model instances and validating each through pydantic. Used when every field of the schema is a
    column of the case (or jurisdiction/owner refs, state_label, url); otherwise the list takes the
    model path."""

    REFS = {
        "jurisdiction": ("jurisdiction__code", "jurisdiction__name"),
        "owner": ("owner_id", "owner__name"),
    }

    def __init__(self, model: type[models.Model], schema: type[Schema]) -> None:
        attnames = {f.attname for f in model._meta.concrete_fields}
        self.plan: list[tuple[str, str, tuple[str, ...]]] = []  # (output key, kind, columns)
        self.ok = True
        for name, info in schema.model_fields.items():
            key = info.alias or name
            if name in ("state_label", "url"):
                self.plan.append((key, name, ()))
            elif name in self.REFS:
                self.plan.append((key, name, self.REFS[name]))
            elif name == "id" or name in attnames:
                self.plan.append((key, "column", (name,)))
            else:
                self.ok = False
        self.columns = tuple(dict.fromkeys(c for _, _, cols in self.plan for c in cols))
        self.ok = self.ok and {"id", "state"} <= set(self.columns)  # the url and the state label need them

    def rows(self, queryset: models.QuerySet) -> list[dict[str, Any]]:
        return list(queryset.values(*self.columns))

    def shape(self, row: dict[str, Any], label_of: Any, url: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, kind, cols in self.plan:
            if kind == "column":
                out[key] = row[cols[0]]
            elif kind == "state_label":
                out[key] = label_of(row["state"])
            elif kind == "url":
                out[key] = url(row["id"])
            elif kind == "jurisdiction":
                out[key] = {"code": row[cols[0]], "name": row[cols[1]]}
            else:  # owner
                out[key] = {"id": row[cols[0]], "name": row[cols[1]]}
        return out


def api_url(request: Any, name: str, **kwargs: Any) -> str | None:
    """Reverse an API url name in the namespace of the API serving this request (else the main one)."""
    match = getattr(request, "resolver_match", None)
    namespaces = [match.namespace] if match is not None and match.namespace else []
    for ns in [*namespaces, "api"]:
        try:
            return reverse(f"{ns}:{name}", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def case_api_url(request: Any, model: type[models.Model], pk: int) -> str | None:
    prefix = ROUTES.get(model)
    return api_url(request, f"{prefix}_detail", id=pk) if prefix else None


def attachment_out(request: Any, att: Attachment) -> dict[str, Any]:
    return {
        "id": att.pk,
        "name": att.name,
        "mime_type": att.mime_type,
        "size": att.size,
        "sha256": att.sha256,
        "purpose": att.purpose,
        "uploaded_at": att.uploaded_at,
        "uploaded_by": att.uploaded_by.display_name if att.uploaded_by_id else "",
        "url": api_url(request, "attachment_download", id=att.pk) or "",
    }


def _camel(prefix: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", prefix) if part)


def _default_schema(
    model: type[models.Model], name: str, base: type[Schema], *, detail: bool
) -> type[Schema]:
    """The base case fields plus the case type's own columns (long text only on the detail).

    Every field is required in the output (a response always carries it); a foreign key is given
    as its id (``<name>_id``)."""
    skip = () if detail else (models.TextField, models.JSONField, models.FileField)
    definitions: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.name in _BASE_FIELDS or isinstance(f, skip):
            continue
        python_type, _ = get_schema_field(f)
        if f.null and not f.is_relation:
            python_type = python_type | None
        definitions[f.attname] = (python_type, Field(..., title=str(f.verbose_name)))
    return create_model(name, __base__=base, **definitions)


def _values(case: Any, schema: type[Schema], computed: dict[str, Any]) -> dict[str, Any]:
    """The input for `schema` from a case: computed values first, then the case's attributes."""
    out: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        if name in computed:
            out[name] = computed[name]
            continue
        alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
        out[alias or name] = getattr(case, alias or name, None)
    return out


def _ordering(raw: str | None, allowed: Iterable[str]) -> list[str]:
    allowed = tuple(allowed)
    if not raw:
        return ["-created_at", "-pk"]
    fields = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        if item.lstrip("-") not in allowed:
            choices = "、".join(allowed)
            raise InvalidInput(
                f"不支持按“{item.lstrip('-')}”排序，可用：{choices}（前加 - 为倒序）",
                code="invalid_ordering",
                details=[{"loc": ["query", "ordering"], "msg": f"可用：{choices}"}],
            )
        fields.append(item)
    return [*fields, "-pk"]


class _CaseApi:
    """The generic endpoints of one case type, each registered by a method of its own."""

    def __init__(
        self,
        workflow: Any,
        *,
        prefix: str,
        list_schema: type[Schema] | None,
        detail_schema: type[Schema] | None,
        filter_schema: type[FilterSchema] | None,
        search_fields: Iterable[str],
        ordering_fields: Iterable[str],
        tags: list[str] | None,
    ) -> None:
        self.workflow, self.prefix, self.filter_schema = workflow, prefix, filter_schema
        self.model: Any = workflow.model
        self.title = workflow.title
        self.search = tuple(search_fields) or ("reference", "title")
        self.words_indexed = any(f.name == "search_text" for f in self.model._meta.get_fields())
        self.allowed_ordering = tuple(ordering_fields) or _DEFAULT_ORDERING
        name = _camel(prefix)
        self.item_schema = list_schema or _default_schema(
            self.model, f"{name}Item", CaseItemOut, detail=False
        )
        self.detail_out = detail_schema or _default_schema(
            self.model, f"{name}Detail", CaseDetailOut, detail=True
        )
        self.fast = _FastItems(self.model, self.item_schema)
        self.router = Router(tags=tags or [self.title])

    # -- reading ---------------------------------------------------------------------------------

    def base_queryset(self, request: Any) -> models.QuerySet:
        return restrict(self.model._default_manager.select_related("jurisdiction", "owner"), request.auth)

    def visible(self, request: Any, pk: int) -> Any:
        case = self.base_queryset(request).filter(pk=pk).first()
        if case is None:
            raise NotFound()
        return case

    def url_of(self, request: Any) -> Any:
        template = api_url(request, f"{self.prefix}_detail", id=2147483647) or ""
        return lambda pk: template.replace("2147483647", str(pk))

    def detail(self, request: Any, case: Any) -> dict[str, Any]:
        user, wf = request.auth, self.workflow
        options = [
            {
                **o.as_dict(),
                "target_label": wf.label_of(o.target),
                "comment_required": o.comment_required,
                "style": o.style,
            }
            for o in wf_core.explain(case, user)
        ]
        attachments = [
            attachment_out(request, a)
            for a in Attachment.objects.for_case(case)
            .select_related("uploaded_by")
            .order_by("-uploaded_at", "-id")
        ]
        computed = {
            "state_label": wf.label_of(case.state),
            "url": self.url_of(request)(case.pk),
            "options": options,
            "attachments": attachments,
            "can_change": scope_of(user).can_change(case) and not user.has_role("audit_admin"),
        }
        return _values(case, self.detail_out, computed)

    def filtered(self, request: Any, params: Any, filters: Any) -> tuple[models.QuerySet, bool]:
        """The list's queryset with its filters and search applied; whether it is a search."""
        qs = self.base_queryset(request)
        if params.state:
            qs = qs.filter(state=params.state)
        if params.jurisdiction:
            path = (
                Jurisdiction.objects.filter(code=params.jurisdiction).values_list("path", flat=True).first()
            )
            if params.below and path:
                qs = qs.filter(jurisdiction__path__startswith=path)
            else:
                qs = qs.filter(jurisdiction__code=params.jurisdiction)
        term = (params.q or "").strip()
        if term and self.words_indexed:  # a case type with a word column: the word search (core.text)
            term = text.normalise(term)
            fallback = tuple(f for f in self.search if f != "search_text")
            qs = qs.filter(
                text.search_q("search_text", term, fallback=fallback) | Q(reference__startswith=term.upper())
            )
        elif term:
            cond = Q()
            for f in self.search:
                cond |= Q(**{f"{f}__icontains": term})
            qs = qs.filter(cond)
        searching = bool(term)
        if filters is not None:
            searching = searching or any(
                getattr(filters, name, None) for name in getattr(filters, "search_params", ())
            )
            qs = filters.filter(qs)
        return qs.order_by(*_ordering(params.ordering, self.allowed_ordering)), searching

    def list_cases(self, request: Any, params: Any, filters: Any) -> dict[str, Any] | HttpResponse:
        qs, searching = self.filtered(request, params, filters)
        count, capped = count_capped(qs, SEARCH_COUNT_CAP if searching else None)
        offset = (params.page - 1) * params.page_size
        window = qs[offset : offset + params.page_size]
        url = self.url_of(request)
        page = {"count": count, "count_capped": capped, "page": params.page, "page_size": params.page_size}
        if not self.fast.ok:
            cases = list(window) if offset < count or capped else []
            label = self.workflow.label_of
            items = [
                _values(c, self.item_schema, {"state_label": label(c.state), "url": url(c.pk)}) for c in cases
            ]
            return {**page, "items": items}
        if offset >= count and not capped:  # past the end (a capped count has more beyond it)
            rows = []
        elif searching:
            # a search's hits come from a word index whose selectivity the planner cannot estimate;
            # choose the page's ids without joins first, then read the 50 rows (a misestimate
            # otherwise joins every hit before sorting)
            ids = list(window.values_list("pk", flat=True))
            by_id = {r["id"]: r for r in self.fast.rows(self.model._default_manager.filter(pk__in=ids))}
            rows = [by_id[i] for i in ids if i in by_id]
        else:
            rows = self.fast.rows(window)
        body = {**page, "items": [self.fast.shape(r, self.workflow.label_of, url) for r in rows]}
        # the schema's JSON without validating what the schema itself produced (see _FastItems)
        return HttpResponse(
            api_renderer.render(request, body, response_status=200),
            content_type=f"{api_renderer.media_type}; charset={api_renderer.charset}",
        )

    # -- the endpoints ---------------------------------------------------------------------------

    def add_list(self) -> None:
        name = _camel(self.prefix)
        page_out = create_model(
            f"{name}Page",
            __base__=Schema,
            count=(int, Field(..., description="符合条件的总数（检索时最多计到 200，见 count_capped）")),
            count_capped=(
                bool,
                Field(
                    False,
                    description="为真时符合条件的多于 count 条（检索只计到 200 条，可继续翻页或缩小范围）",
                ),
            ),
            page=(int, ...),
            page_size=(int, ...),
            items=(list[self.item_schema], ...),  # type: ignore[name-defined]
        )
        list_query = create_model(
            f"{name}ListQuery",
            __base__=PageParams,
            state=(self.workflow.states | None, Field(None, description="状态")),
            jurisdiction=(str | None, Field(None, max_length=12, description="行政区划代码")),
            below=(bool, Field(False, description="含下级行政区域（与 jurisdiction 同用）")),
            q=(str | None, Field(None, max_length=100, description="按 " + "、".join(self.search) + " 搜索")),
            ordering=(
                str | None,
                Field(
                    None,
                    max_length=200,
                    description="排序字段，逗号分隔，前加 - 为倒序；可用："
                    + "、".join(self.allowed_ordering),
                ),
            ),
        )
        list_op = self.router.get(
            "/",
            response={200: page_out, **_ERRORS},
            operation_id=f"{self.prefix}_list",
            url_name=f"{self.prefix}_list",
            summary=f"{self.title}列表",
            description="只列出当前用户有权查看的事项（第四条）；分页、筛选、搜索、排序。",
        )
        filter_schema = self.filter_schema
        if filter_schema is None:

            @list_op
            def list_view(request, params: Query[list_query]):  # type: ignore[valid-type]
                return self.list_cases(request, params, None)

        else:

            @list_op
            def list_filtered_view(request, params: Query[list_query], filters: Query[filter_schema]):  # type: ignore
                return self.list_cases(request, params, filters)

    def add_detail(self) -> None:
        @self.router.get(
            "/{id}",
            response={200: self.detail_out, **_ERRORS},
            operation_id=f"{self.prefix}_detail",
            url_name=f"{self.prefix}_detail",
            summary=f"{self.title}详情",
            description=(
                "含状态、版本、当前用户可办理的步骤（不能办理时附原因与条款）和附件。"
                "无权查看与不存在同样返回 404。"
            ),
        )
        def get_case(request, id: int):
            return self.detail(request, self.visible(request, id))

    def add_docket(self) -> None:
        label = self.workflow.label_of

        @self.router.get(
            "/{id}/docket",
            response={200: list[DocketEventOut], **_ERRORS},
            operation_id=f"{self.prefix}_docket",
            url_name=f"{self.prefix}_docket",
            summary=f"{self.title}案卷记录",
            description="谁、何时、依据哪一条、做了什么（第三十四条），按序号排列。",
        )
        def get_docket(request, id: int):
            case = self.visible(request, id)
            events = DocketEvent.objects.for_case(case).select_related("organisation").order_by("seq")
            return [
                {
                    "seq": e.seq,
                    "at": e.at,
                    "actor_name": e.actor_name,
                    "organisation": e.organisation.name if e.organisation_id else None,
                    "action": e.action,
                    "action_label": e.action_label or e.action,
                    "from_state": e.from_state,
                    "from_state_label": label(e.from_state) if e.from_state else "",
                    "to_state": e.to_state,
                    "to_state_label": label(e.to_state) if e.to_state else "",
                    "citation": e.citation,
                    "comment": e.comment,
                    "attachments": e.attachments,
                    "changes": e.changes,
                    "payload": e.payload,
                    "hash": e.hash,
                }
                for e in events
            ]

    def add_fire(self) -> None:
        typed_step_endpoints(
            self.router,
            self.workflow,
            prefix=self.prefix,
            visible=self.visible,
            detail=self.detail,
            detail_out=self.detail_out,
        )

        @self.router.post(
            "/{id}/transitions/{name}",
            response={200: self.detail_out, **_ERRORS, 409: ErrorOut},
            operation_id=f"{self.prefix}_fire",
            url_name=f"{self.prefix}_fire",
            summary=f"办理{self.title}",
            description=(
                "执行一个办理步骤（见详情中的 options）。规则不允许时返回 403 或 422，并给出所依据的条款；"
                "传入 expected_version 时，若事项已被他人办理返回 409。"
            ),
        )
        def fire_transition(request, id: int, name: str, data: Body[TransitionIn | None] = None):
            body = data or TransitionIn.model_validate({})
            case = self.visible(request, id)
            wf_core.fire(
                case,
                name,
                user=request.auth,
                comment=body.comment,
                payload=body.payload,
                expected_version=body.expected_version,
            )
            return self.detail(request, self.visible(request, id))

    def add_attach(self) -> None:
        @self.router.post(
            "/{id}/attachments",
            response={201: AttachmentOut, **_ERRORS},
            operation_id=f"{self.prefix}_attach",
            url_name=f"{self.prefix}_attach",
            summary=f"上传{self.title}附件",
            description=(
                "multipart/form-data，文件字段 file。按文件内容判断类型，限制大小，记录 SHA-256 并写入案卷。"
            ),
        )
        def upload_attachment(request, id: int, file: File[UploadedFile], purpose: Form[str] = ""):
            case = self.visible(request, id)
            att = attachment_add(case=case, user=request.auth, upload=file, purpose=purpose[:50])
            return Status(201, attachment_out(request, att))


def case_router(
    workflow: "wf_core.Workflow",
    *,
    prefix: str,
    list_schema: type[Schema] | None = None,
    detail_schema: type[Schema] | None = None,
    filter_schema: type[FilterSchema] | None = None,
    search_fields: Iterable[str] = (),
    ordering_fields: Iterable[str] = (),
    tags: list[str] | None = None,
) -> Router:
    """A ninja Router with the generic endpoints of `workflow`'s case type.

    `list_schema` / `detail_schema` should subclass CaseItemOut / CaseDetailOut (each field is read
    from the case attribute of that name); `filter_schema` is a ninja FilterSchema of extra query
    filters; `search_fields` are searched by ``q`` (default reference, title); `ordering_fields` are
    what ``ordering`` accepts. Operation ids and url names are prefixed with `prefix`, so several
    case routers live in one API and one OpenAPI document.
    """
    ROUTES[workflow.model] = prefix
    case_api = _CaseApi(
        workflow,
        prefix=prefix,
        list_schema=list_schema,
        detail_schema=detail_schema,
        filter_schema=filter_schema,
        search_fields=search_fields,
        ordering_fields=ordering_fields,
        tags=tags,
    )
    case_api.add_list()
    case_api.add_detail()
    case_api.add_docket()
    case_api.add_fire()  # the typed per-step operations first: the generic {name} would shadow them
    case_api.add_attach()
    return case_api.router
