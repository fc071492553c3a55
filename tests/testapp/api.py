"""The test-only Widget case type on the REST API, through the generic case router."""

from infogov.core.api.cases import case_router
from infogov.core.api.root import api

from .workflows import WORKFLOW

api.add_router(
    "/widgets/",
    case_router(
        WORKFLOW,
        prefix="widgets",
        search_fields=("reference", "title", "description"),
        ordering_fields=("created_at", "updated_at", "reference", "title", "budget", "state"),
    ),
    tags=["测试事项"],
)
