"""The follow (关注) button of a case page."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType

from infogov.core.workflow.inbox import is_following

register = template.Library()


@register.inclusion_tag("core/inbox/_follow.html", takes_context=True)
def follow_button(context: Any, case: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "ct_id": ContentType.objects.get_for_model(case).pk,
        "case_id": case.pk,
        "following": bool(user and user.is_authenticated and is_following(user, case)),
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }
