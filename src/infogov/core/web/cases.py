"""The generic case pages every domain app reuses: list, detail, fire a transition, attach a file.

One factory per case type, included under the app's URL prefix::

    urlpatterns = [path("projects/", include(case_urls(PROJECT_WORKFLOW, namespace="projects")))]

gives "projects:list", "projects:detail", "projects:fire" and "projects:attach". Every page reads
cases through ``permissions.restrict`` (第四条): a case the user may not see is a 404, never a 403,
so that its existence is not revealed. Every change goes through ``workflow.fire`` or
``attachments.attachment_add``; a refusal is shown with the article that refused.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from infogov.core.attachments import attachment_add
from infogov.core.errors import DomainError, NotFound
from infogov.core.models import Attachment, Case, DocketEvent, Obligation
from infogov.core.tabular import safe_cell
from infogov.core.templatetags.infogov_ui import state_css
from infogov.core.web.changes import loaded_rows, readable_events
from infogov.core.web.confirm import confirm_step
from infogov.core.web.stepforms import (
    PayloadField,
    bind,
    fields_from_schema,
    page_can_fill,
    payload_from,
    recall_refusal,
    remember_refusal,
    see_other,
)
from infogov.core.workflow import engine as wf_core
from infogov.core.workflow.permissions import restrict, scope_of

PAGE_SIZE = 25
EXPORT_MAX_ROWS = 50_000
DEFAULT_COLUMNS: tuple[str, ...] = ("reference", "title", "jurisdiction", "owner", "state", "updated_at")

# The URL namespace showing each case model (filled by case_urls): 我的待办 links obligations to cases.
NAMESPACES: dict[type[models.Model], str] = {}


def error_text(error: DomainError) -> str:
    return f"{error.message}（{error.article}）" if error.article else error.message


# -- links from anywhere to a case -----------------------------------------------------------------


@dataclass(frozen=True)
class CaseRef:
    reference: str
    title: str
    url: str | None


def case_url(model: type[models.Model], pk: int) -> str | None:
    namespace = NAMESPACES.get(model)
    if namespace is None:
        return None
    try:
        return reverse(f"{namespace}:detail", args=[pk])
    except NoReverseMatch:
        return None


def case_refs(pairs: Iterable[tuple[ContentType, int]], user: Any) -> dict[tuple[int, int], CaseRef]:
    """Reference, title and detail link of the cases behind (content type, id) pairs that `user` may see:
    one query per case type, however many pairs."""
    ids_by_type: dict[ContentType, set[int]] = defaultdict(set)
    for ct, case_id in pairs:
        ids_by_type[ct].add(case_id)
    refs: dict[tuple[int, int], CaseRef] = {}
    for ct, ids in ids_by_type.items():
        model = ct.model_class()
        if model is None:
            continue
        visible = restrict(model._default_manager.filter(pk__in=ids), user).values_list(
            "pk", "reference", "title"
        )
        for pk, reference, title in visible:
            refs[(ct.pk, pk)] = CaseRef(reference, title, case_url(model, pk))
    return refs


# -- configuration ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A list column: a model field (or attribute) name, its header, and how it sorts (if at all)."""

    name: str
    label: str = ""
    sortable: bool = True
    order_by: str = ""


@dataclass
class FilterView:
    name: str
    label: str
    choices: list[tuple[str, str]]
    value: str = ""


@dataclass
class EventView:
    event: DocketEvent
    from_label: str
    to_label: str
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)


@dataclass
class ObligationView:
    obligation: Obligation
    status: str  # open | overdue | fulfilled | cancelled
    overdue_days: int = 0


@dataclass
class ActionView:
    option: wf_core.Option
    fields: Sequence[PayloadField] = ()
    comment: str = ""  # the comment typed before a refusal, given back


ColumnSpec = str | tuple[str, str] | Column
ExtraContext = Mapping[str, Any] | Callable[[HttpRequest, Any], Mapping[str, Any]] | None


def _excel_value(value: Any) -> Any:
    """A cell as exported: user text never becomes a live formula (core.tabular.safe_cell)."""
    if value is None or isinstance(value, int | float | Decimal | bool):
        return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    return safe_cell(str(value))


def _display(value: Any) -> Any:
    """A cell as the list shows it: local time, 是/否, a dash for nothing, 3,800,000.00 for a Decimal."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal) and value.is_finite():
        return f"{value:,}"  # amounts with thousands separators, at the field's own precision
    return value


class CaseViews:
    """The four views of one case type, configured once by case_urls()."""

    def __init__(
        self,
        workflow: wf_core.Workflow,
        *,
        namespace: str,
        list_columns: Sequence[ColumnSpec] | None = None,
        filters: Sequence[str] | None = None,
        search_fields: Sequence[str] = ("title", "reference"),
        list_template: str | None = None,
        detail_template: str | None = None,
        extra_context: ExtraContext = None,
        payload_fields: Mapping[str, Sequence[PayloadField]] | None = None,
        record_steps: bool = True,
    ) -> None:
        self.workflow = workflow
        self.model = workflow.model
        self.namespace = namespace
        self.columns = [self._column(c) for c in (list_columns or DEFAULT_COLUMNS)]
        self.filters = tuple(filters) if filters is not None else ("state", "jurisdiction")
        for name in self.filters:
            if name != "state":
                self.model._meta.get_field(name)  # fail at start-up on a misspelt filter
        self.search_fields = tuple(search_fields)
        self.list_template = list_template or "core/cases/list.html"
        self.detail_template = detail_template or "core/cases/detail.html"
        self.extra_context = extra_context
        self.payload_fields = dict(payload_fields or {})
        # False: the app's own page sections hold the forms of its record steps; the action box
        # lists the state changes only
        self.record_steps = record_steps
        self.related = sorted(
            {"jurisdiction", "owner"}
            | {c.name for c in self.columns if isinstance(self._field(c.name), models.ForeignKey)}
        )

    # -- configuration helpers -------------------------------------------------------------------
    def _field(self, name: str) -> models.Field | None:
        try:
            return self.model._meta.get_field(name)  # type: ignore[return-value]
        except FieldDoesNotExist:
            return None

    def _column(self, spec: ColumnSpec) -> Column:
        col = spec if isinstance(spec, Column) else Column(spec) if isinstance(spec, str) else Column(*spec)
        f = self._field(col.name)
        label = col.label or (str(f.verbose_name) if f is not None else col.name)
        order_by = col.order_by
        if not order_by and f is not None and f.concrete:
            if isinstance(f, models.ForeignKey):
                related = f.related_model._meta  # type: ignore[union-attr]
                order_by = f"{col.name}__name" if any(x.name == "name" for x in related.fields) else col.name
            else:
                order_by = col.name
        return replace(col, label=label, order_by=order_by, sortable=col.sortable and bool(order_by))

    def cell(self, case: Any, col: Column) -> Any:
        f = self._field(col.name)
        if f is not None and f.choices and col.name != "state":
            return getattr(case, f"get_{col.name}_display")()
        value = getattr(case, col.name, "")
        return value() if callable(value) else value

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"{self.namespace}:{name}", args=args)

    def context(self, request: HttpRequest, case: Any = None) -> dict[str, Any]:
        ctx: dict[str, Any] = {
            "workflow": self.workflow,
            "namespace": self.namespace,
            "model_label": self.workflow.title,
            "list_url": self.url("list"),
        }
        if callable(self.extra_context):
            ctx.update(self.extra_context(request, case))
        elif self.extra_context:
            ctx.update(self.extra_context)
        return ctx

    # -- reads -----------------------------------------------------------------------------------
    def visible(self, request: HttpRequest) -> models.QuerySet:
        return restrict(self.model._default_manager.select_related(*self.related), request.user)

    def get_case(self, request: HttpRequest, pk: int) -> Any:
        case = self.visible(request).filter(pk=pk).first()
        if case is None:
            raise NotFound()
        return case

    def filter_views(self, request: HttpRequest) -> tuple[list[FilterView], Q]:
        views, q = [], Q()
        for name in self.filters:
            value = request.GET.get(name, "").strip()
            if name == "state":
                choices = [(s.value, str(s.label)) for s in self.workflow.states]
                if value in dict(choices):
                    q &= Q(state=value)
                views.append(FilterView("state", "状态", choices, value if value in dict(choices) else ""))
                continue
            f = self._field(name)
            assert f is not None  # checked in __init__
            if isinstance(f, models.ForeignKey):
                related = f.related_model
                has_path = any(x.name == "path" for x in related._meta.fields)  # type: ignore[union-attr]
                objs = list(related._default_manager.all()[:500])  # type: ignore[union-attr]
                choices = [
                    (str(o.pk), ("\u3000" * (o.path.count("/") - 1) if has_path else "") + str(o))
                    for o in objs
                ]
                chosen = next((o for o in objs if str(o.pk) == value), None)
                if chosen is not None:
                    # a jurisdiction filter covers those below it too (materialised path)
                    q &= (
                        Q(**{f"{name}__path__startswith": chosen.path})
                        if has_path
                        else Q(**{f"{name}_id": chosen.pk})
                    )
            elif isinstance(f, models.BooleanField):
                choices = [("1", "是"), ("0", "否")]
                if value in {"1", "0"}:
                    q &= Q(**{name: value == "1"})
            else:
                choices = [(str(k), str(v)) for k, v in (f.choices or [])]
                if value in dict(choices):
                    q &= Q(**{name: value})
            views.append(
                FilterView(name, str(f.verbose_name), choices, value if value in dict(choices) else "")
            )
        return views, q

    def search_q(self, text: str) -> Q:
        """The search condition; an app with a word index (jieba) overrides this."""
        sq = Q()
        for name in self.search_fields:
            sq |= Q(**{f"{name}__icontains": text})
        return sq

    def filtered(self, request: HttpRequest) -> tuple[models.QuerySet, list[FilterView], str, str]:
        qs = self.visible(request)
        filter_views, q = self.filter_views(request)
        qs = qs.filter(q)
        search = request.GET.get("q", "").strip()[:100]
        if search:
            qs = qs.filter(self.search_q(search))
        sort = request.GET.get("sort", "")
        sortable = {c.name: c.order_by for c in self.columns if c.sortable}
        key = sort.removeprefix("-")
        if key in sortable:
            prefix = "-" if sort.startswith("-") else ""
            qs = qs.order_by(f"{prefix}{sortable[key]}", f"{prefix}pk")
        else:
            sort = ""
            qs = qs.order_by("-created_at", "-pk")
        return qs, filter_views, search, sort

    # -- views -----------------------------------------------------------------------------------
    def list_view(self, request: HttpRequest) -> HttpResponse:
        qs, filter_views, search, sort = self.filtered(request)
        if request.GET.get("export") == "xlsx":
            from infogov.core.signals import audit  # every export lands in the audit trail (安全审计)

            audit("case_export", request=request, target=self.workflow.title, query=request.GET.urlencode())
            return self.export(qs)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [
            (case, [(c, _display(self.cell(case, c))) for c in self.columns]) for case in page.object_list
        ]
        ctx = self.context(request)
        ctx.update(
            {
                "columns": self.columns,
                "rows": rows,
                "page": page,
                "filters": filter_views,
                "q": search,
                "sort": sort,
                "search_fields": self.search_fields,
                "detail_url_name": f"{self.namespace}:detail",
            }
        )
        is_htmx = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
        return render(request, "core/cases/_table.html" if is_htmx else self.list_template, ctx)

    def export(self, qs: models.QuerySet) -> HttpResponse:
        """The filtered rows (all pages) as an Excel workbook."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=self.workflow.title[:31])
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for c in self.columns:
            cell = WriteOnlyCell(ws, value=c.label)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for case in qs[:EXPORT_MAX_ROWS]:
            ws.append(
                [
                    self.workflow.label_of(case.state)
                    if c.name == "state"
                    else _excel_value(self.cell(case, c))
                    for c in self.columns
                ]
            )
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        wb.save(response)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"{self.workflow.title}-{stamp}.xlsx"
        response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
        return response

    def detail_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.get_case(request, pk)
        return render(request, self.detail_template, self.detail_context(request, case))

    def _field_label(self, name: str) -> str:
        f = self._field(name)
        return str(f.verbose_name) if f is not None else name

    def detail_context(self, request: HttpRequest, case: Any) -> dict[str, Any]:
        wf = self.workflow
        today = timezone.localdate()
        events = []
        # the timeline shows the recorded actor name, not the user row; hashes are for the API (the
        # payload is the raw record one click away: 原始记录)
        timeline = (
            DocketEvent.objects.for_case(case)
            .select_related("organisation")
            .defer(
                "prev_hash",
                "hash",
                "actor",
                "organisation__short_name",
                "organisation__credit_code",
            )
            .order_by("seq")
        )
        docket_events = list(timeline)
        known = loaded_rows(case, request.user)  # what the page holds is not read again
        rows = readable_events(case, self._field_label, [e.changes for e in docket_events], case_url, known)
        for e, changes in zip(docket_events, rows, strict=True):
            events.append(
                EventView(
                    e,
                    wf.label_of(e.from_state) if e.from_state else "",
                    wf.label_of(e.to_state) if e.to_state else "",
                    changes,
                )
            )
        obligations = []
        for o in (
            Obligation.objects.for_case(case).select_related("owed_by", "owed_to").order_by("due_date", "id")
        ):
            if o.fulfilled_at:
                status = "fulfilled"
            elif o.cancelled_at:
                status = "cancelled"
            elif o.due_date < today:
                status = "overdue"
            else:
                status = "open"
            obligations.append(ObligationView(o, status, max((today - o.due_date).days, 0)))
        attachments = list(Attachment.objects.for_case(case).select_related("uploaded_by"))
        kept = recall_refusal(request, case_key=f"{self.namespace}:{case.pk}")
        actions = []
        for o in wf_core.explain(case, request.user):
            if not o.changes_state and (not self.record_steps or not o.allowed):
                continue  # a record step this user cannot take now is not offered (its rules: API explain)
            if o.payload and o.name not in self.payload_fields and not page_can_fill(o.payload):
                continue  # its input is a list or an object: the app's own form or the API takes it
            fields = self.payload_fields.get(o.name) or (fields_from_schema(o.payload) if o.payload else ())
            mine = kept if kept and kept.get("step") == o.name else None
            comment = mine["values"].get("comment", "") if mine else ""
            actions.append(ActionView(o, bind(fields, mine), comment))
        user: Any = request.user
        ctx = self.context(request, case)
        ctx.update(
            {
                "case": case,
                "state_label": wf.label_of(case.state),
                "state_css": state_css(wf, case.state),
                # a callable: read by the template only where a page does not list its own fields
                "case_fields": lambda: self.case_fields(case),
                "events": events,
                "obligations": obligations,
                "attachments": attachments,
                "actions": actions,
                "can_attach": scope_of(user).can_view(case) and not user.has_role("audit_admin"),
                "fire_url_name": f"{self.namespace}:fire",
                "attach_url": self.url("attach", case.pk),
            }
        )
        return ctx

    def case_fields(self, case: Any) -> list[tuple[str, Any]]:
        """(label, value) of the case type's own fields, for a page that lists them generically."""
        base = {f.name for f in Case._meta.fields} | {"id"}
        return [
            (str(f.verbose_name), _display(self.cell(case, Column(f.name))))
            for f in self.model._meta.fields
            if f.name not in base and not isinstance(f, models.ForeignKey | models.FileField)
        ]

    def fire_view(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        case = self.get_case(request, pk)
        detail = self.url("detail", case.pk)
        raw_version = request.POST.get("version", "").strip()
        if raw_version and not raw_version.isdigit():
            messages.error(request, "表单版本号无效，请刷新页面后重试。")
            return see_other(detail)
        try:
            # an irreversible step: checked first, then the "请核对" page, then taken (core.web.confirm)
            confirmation = confirm_step(
                request,
                case,
                name,
                payload=payload_from(request.POST),
                comment=request.POST.get("comment", ""),
                fields=self.step_fields(name),
                action_url=self.url("fire", case.pk, name),
                back_url=detail,
                case_key=f"{self.namespace}:{case.pk}",
                expected_version=int(raw_version) if raw_version else None,
            )
            if confirmation is not None:
                return confirmation
            case = wf_core.fire(
                case,
                name,
                user=request.user,
                comment=request.POST.get("comment", ""),
                payload=payload_from(request.POST),
                expected_version=int(raw_version) if raw_version else None,
            )
        except DomainError as exc:
            messages.error(request, error_text(exc))
            remember_refusal(request, case_key=f"{self.namespace}:{case.pk}", step=name, error=exc)
        else:
            label = self.workflow.get(name).label
            messages.success(
                request, f"已{label}：{case.reference}，当前状态为“{self.workflow.label_of(case.state)}”。"
            )
        return see_other(detail)

    def step_fields(self, name: str) -> Sequence[PayloadField]:
        """The inputs of a step's form: the app's own, else those of its payload schema."""
        step = self.workflow.get(name)
        return self.payload_fields.get(name) or (fields_from_schema(step.payload) if step.payload else ())

    def attach_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.get_case(request, pk)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要上传的文件。")
        else:
            try:
                att = attachment_add(case=case, user=request.user, upload=upload)
            except DomainError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, f"已上传附件“{att.name}”（SHA-256 {att.sha256[:12]}…）。")
        return see_other(self.url("detail", case.pk))

    def urlpatterns(self) -> list[URLPattern]:
        return [
            path("", login_required(require_GET(self.list_view)), name="list"),
            path("<int:pk>/", login_required(require_GET(self.detail_view)), name="detail"),
            path("<int:pk>/fire/<str:name>/", login_required(require_POST(self.fire_view)), name="fire"),
            path("<int:pk>/attachments/", login_required(require_POST(self.attach_view)), name="attach"),
        ]


def case_urls(
    workflow: wf_core.Workflow,
    *,
    namespace: str | None = None,
    prefix: str | None = None,
    list_columns: Sequence[ColumnSpec] | None = None,
    filters: Sequence[str] | None = None,
    search_fields: Sequence[str] = ("title", "reference"),
    list_template: str | None = None,
    detail_template: str | None = None,
    extra_context: ExtraContext = None,
    payload_fields: Mapping[str, Sequence[PayloadField]] | None = None,
) -> tuple[list[URLPattern], str]:
    """(urlpatterns, app_name) for ``include()``: the list, detail, fire and attach pages of a case type.

    `namespace` names the URLs ("widgets:list"); `prefix` is accepted as its default for callers that
    name the URL prefix instead. `list_columns` are field names, (name, label) pairs or Columns;
    `filters` field names offered as selects (default state and jurisdiction); `payload_fields`
    maps a transition name to the extra inputs its form asks for; `extra_context` is a mapping or a
    callable ``(request, case)`` merged into every page's context (case is None on the list)."""
    ns = namespace or prefix
    if not ns:
        raise ValueError("case_urls needs a namespace")
    views = CaseViews(
        workflow,
        namespace=ns,
        list_columns=list_columns,
        filters=filters,
        search_fields=search_fields,
        list_template=list_template,
        detail_template=detail_template,
        extra_context=extra_context,
        payload_fields=payload_fields,
    )
    NAMESPACES[workflow.model] = ns
    return views.urlpatterns(), ns
