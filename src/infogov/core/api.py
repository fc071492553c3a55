"""The REST API (django-ninja) at /api/."""

from ninja import NinjaAPI

api = NinjaAPI(title="infogov API", version="1", urls_namespace="api")
