"""Commands of the resources app. Each is one transaction through the workflow core (engine.create /
engine.fire): cataloguing a resource, requesting a resource, loading a batch, issuing a token."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from infogov.core.errors import InvalidInput, NotFound
from infogov.core.workflow import engine
from infogov.core.workflow.payloads import validate
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import RuleContext
from infogov.org.models import Organisation

from . import loading, staging, store
from . import rules as R
from .choices import ShareType
from .models import Resource, SharingRequest
from .payloads import RequestIn, ResourceIn
from .workflows import _search_text


def _own_org(user: Any, wanted: int | None) -> Organisation:
    """The organisation the user acts for: the one asked for, else their staff organisation, else the
    organisation of their account (the actor rules then say whether they may act for it)."""
    orgs = sorted(scope_of(user).org_ids_with_role(*R.STAFF_ROLES))
    org_id = wanted if wanted is not None else (orgs[0] if orgs else getattr(user, "organisation_id", None))
    org = Organisation.objects.select_related("jurisdiction").filter(pk=org_id).first() if org_id else None
    if org is None:
        raise InvalidInput("请选择本单位（您所在的单位）", code="invalid")
    return org


def resource_create(*, user: Any, data: Any) -> Resource:
    """编目: a new catalogue entry in draft, for the user's own unit (第二十七、二十八条; 国家秘密不编目,
    第二十九条)."""
    typed, _ = validate(ResourceIn, data)
    assert isinstance(typed, ResourceIn)
    owner = _own_org(user, typed.owner)
    values = typed.model_dump(exclude={"owner"})
    probe = Resource(owner=owner, jurisdiction=owner.jurisdiction, **values)
    R.require(
        probe,
        RuleContext(user=user, input=typed),
        R.acts_for_provider,
        R.provider_may_catalogue,
        R.no_state_secret,
        R.share_type_has_basis,
    )
    probe.search_text = _search_text(probe)
    fields = {k: getattr(probe, k) for k in (*values, "search_text")}
    return engine.create(Resource, user=user, owner=owner, jurisdiction=owner.jurisdiction, **fields)


def request_create(*, user: Any, data: Any) -> SharingRequest:
    """共享申请: created and taken in one transaction — 无条件共享 granted at once, 有条件共享 submitted to
    the provider; 不予共享 refused (nothing is kept)."""
    typed, _ = validate(RequestIn, data)
    assert isinstance(typed, RequestIn)
    from .selectors import catalogue

    resource = catalogue(user, published_only=False).filter(pk=typed.resource).first()
    if resource is None:
        raise NotFound()
    owner = _own_org(user, None)
    with transaction.atomic():
        req = engine.create(
            SharingRequest,
            user=user,
            title=f"申请共享：{resource.title}"[:200],
            owner=owner,
            jurisdiction=owner.jurisdiction,
            resource=resource,
            purpose=typed.purpose,
            fields_requested=list(typed.fields),
            legal_basis=typed.legal_basis,
            period_start=typed.period_start,
            period_end=typed.period_end,
            consumer_system=typed.consumer_system,
            clear_text_requested=typed.clear_text_requested,
        )
        step = "request_unconditional" if resource.share_type == ShareType.UNCONDITIONAL else "submit"
        return engine.fire(req, step, user=user)


def records_load(
    *,
    user: Any,
    resource: Resource,
    rows: list[dict[str, Any]],
    source: str,
    file_format: str,
    mode: str = "upsert",
    sha256: str = "",
    first_row: int = 2,
) -> Resource:
    """A batch validated as a whole, then merged by the load step (all or nothing)."""
    resource = Resource.objects.get(pk=resource.pk)  # a batch is not a decision on what was seen
    # PostgreSQL: checked in SQL on a staging table, merged from it, in one transaction (staging.py)
    in_sql = connection.vendor == "postgresql" and bool(resource.record_key)
    check = staging.validate if in_sql else loading.validate
    with transaction.atomic():
        clean: Any = check(resource, rows, first_row=first_row, keys_only=(mode == "delete"))
        payload = {
            "source": source,
            "file_format": file_format,
            "mode": mode,
            "rows": len(clean),
            "sha256": sha256,
        }
        with store.pending(clean):
            return engine.fire(resource, "load_records", user=user, payload=payload)


def records_upload(
    *, user: Any, resource: Resource, upload: Any, filename: str, mode: str = "upsert"
) -> Resource:
    rows, fmt, digest = loading.read_upload(resource, upload, filename)
    return records_load(
        user=user,
        resource=resource,
        rows=rows,
        source=filename[:200] or "上传文件",
        file_format=fmt,
        mode=mode,
        sha256=digest,
        first_row=1 if fmt == "ndjson" else 2,
    )


def token_issue(*, user: Any, grant: SharingRequest) -> str:
    """A new exchange token for the grant (the old one stops working); the plaintext, shown once."""
    fired = engine.fire(grant, "issue_token", user=user)
    return str(fired.issued_token)
