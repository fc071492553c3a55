"""One API operation per step that declares a payload schema (Core v2): the body is that schema, so
the OpenAPI document says exactly what each step accepts; the engine validates and refuses."""

import re
from typing import Any

from ninja import Router, Schema
from pydantic import Field, create_model

from infogov.core.api.schemas import ErrorOut
from infogov.core.workflow import engine as wf_core

_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _camel(prefix: str) -> str:  # as core.api.cases names its schemas
    return "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", prefix) if part)


def _payload_field(step: Any) -> Any:
    """Required, unless every field of the step's schema has a default (then {} may be left out)."""
    description = f"“{step.label}”所需的数据"
    if all(not f.is_required() for f in step.payload.model_fields.values()):
        return Field(default_factory=step.payload, description=description)
    return Field(..., description=description)


def typed_step_endpoints(
    router: Router, workflow: Any, *, prefix: str, visible: Any, detail: Any, detail_out: Any
) -> None:
    """One operation per step that declares a payload schema, its body typed by that schema: the
    OpenAPI document says exactly what each step accepts (Core v2: the API body is the step's
    schema). Registered before the generic /transitions/{name}, which they shadow for these steps."""
    name = _camel(prefix)
    for step in workflow.steps.values():
        if step.payload is None:
            continue
        body = create_model(
            f"{name}{_camel(step.name)}In",
            __base__=Schema,
            comment=(str, Field("", max_length=5000, description="意见或理由")),
            payload=(step.payload, _payload_field(step)),
            expected_version=(
                int | None,
                Field(None, ge=0, description="读取事项时的 version；事项已被他人办理时返回 409"),
            ),
        )
        _add_step_endpoint(
            router, workflow, step, body, prefix=prefix, visible=visible, detail=detail, detail_out=detail_out
        )


def _add_step_endpoint(
    router: Router,
    workflow: Any,
    step: Any,
    body: Any,
    *,
    prefix: str,
    visible: Any,
    detail: Any,
    detail_out: Any,
) -> None:
    cite = f"（{step.citation}）" if step.citation else ""

    @router.post(
        f"/{{id}}/transitions/{step.name}",
        response={200: detail_out, **_ERRORS, 409: ErrorOut},
        operation_id=f"{prefix}_step_{step.name}",
        summary=f"{step.label}{cite}",
        description="办理该步骤；数据按本接口的请求体校验，规则不允许时返回 403 或 422 并给出条款。",
    )
    def fire_step(request, id: int, data: body):  # type: ignore[valid-type]
        case = visible(request, id)
        wf_core.fire(
            case,
            step.name,
            user=request.auth,
            comment=data.comment,
            payload=data.payload,
            expected_version=data.expected_version,
        )
        return detail(request, visible(request, id))
