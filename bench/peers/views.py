"""Peers of the project list API (GET /api/projects/, django-ninja, token auth, scoped, schema).

- bare_list: a plain Django view running the same two statements the API runs for the page (the
  COUNT and the page of 50, captured from the API by bench/run.py into $BENCH_LIST_SQL) and
  returning their rows as JSON: no authentication, no scope, no schema.
- drf_list_view: the same list the way most Django platforms write it: Django REST framework, a
  ModelSerializer, PageNumberPagination, token authentication and the same scope (restrict()).
"""

from __future__ import annotations

import importlib.util
import json
import os
from functools import cache
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import HttpResponse

DRF_AVAILABLE = importlib.util.find_spec("rest_framework") is not None


def _unique(names: list[str]) -> list[str]:
    """Column names as JSON keys: a joined table's "id" after the first becomes "id_2" …"""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out


@cache
def list_sql() -> tuple[str, str]:
    data = json.loads(open(os.environ["BENCH_LIST_SQL"], encoding="utf-8").read())  # noqa: SIM115
    return data["count"], data["page"]


def bare_list(request: Any) -> HttpResponse:
    count_sql, page_sql = list_sql()
    with connection.cursor() as cur:
        cur.execute(count_sql)
        count = cur.fetchone()[0]
        cur.execute(page_sql)
        cols = _unique([c.name for c in cur.description])
        items = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
    body = json.dumps({"count": count, "items": items}, cls=DjangoJSONEncoder, ensure_ascii=False)
    return HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")


def drf_list_view() -> Any:
    from rest_framework import authentication, exceptions, generics, pagination, permissions, serializers

    from infogov.core.api.tokens import token_authenticate
    from infogov.core.workflow.permissions import restrict
    from infogov.projects.models import Project
    from infogov.projects.workflows import PROJECT_WORKFLOW

    class BearerToken(authentication.BaseAuthentication):
        def authenticate(self, request: Any) -> Any:
            header = request.META.get("HTTP_AUTHORIZATION", "")
            if not header.startswith("Bearer "):
                return None
            found = token_authenticate(header.removeprefix("Bearer "))
            if found is None:
                raise exceptions.AuthenticationFailed("接口令牌无效")
            return (found.user, found)

    class ProjectSerializer(serializers.ModelSerializer):
        state_label = serializers.SerializerMethodField()
        jurisdiction = serializers.SerializerMethodField()
        owner = serializers.SerializerMethodField()
        url = serializers.SerializerMethodField()

        class Meta:
            model = Project
            fields = [
                "id",
                "reference",
                "title",
                "state",
                "state_label",
                "version",
                "jurisdiction",
                "owner",
                "created_at",
                "updated_at",
                "url",
                "category",
                "funding_kind",
                "budget",
                "year",
            ]

        def get_state_label(self, obj: Project) -> str:
            return PROJECT_WORKFLOW.label_of(obj.state)

        def get_jurisdiction(self, obj: Project) -> dict[str, str]:
            return {"code": obj.jurisdiction.code, "name": obj.jurisdiction.name}

        def get_owner(self, obj: Project) -> dict[str, Any]:
            return {"id": obj.owner_id, "name": obj.owner.name}

        def get_url(self, obj: Project) -> str:
            return f"/api/projects/{obj.pk}"

    class Page(pagination.PageNumberPagination):
        page_size = 20
        page_size_query_param = "page_size"
        max_page_size = 100

    class ProjectList(generics.ListAPIView):
        serializer_class = ProjectSerializer
        authentication_classes = [BearerToken]
        permission_classes = [permissions.IsAuthenticated]
        pagination_class = Page

        def get_queryset(self) -> Any:
            qs = restrict(Project.objects.select_related("jurisdiction", "owner"), self.request.user)
            p = self.request.query_params
            if p.get("year"):
                qs = qs.filter(year=int(p["year"]))
            if p.get("funding_kind"):
                qs = qs.filter(funding_kind=p["funding_kind"])
            if p.get("state"):
                qs = qs.filter(state=p["state"])
            return qs.order_by("-created_at", "-pk")

    return ProjectList.as_view()
