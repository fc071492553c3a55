"""The test-only Widget case type on the REST API, through the generic case router (added to the API
by the test app's registration)."""

from infogov.core.api.cases import case_router

from .workflows import WORKFLOW

router = case_router(
    WORKFLOW,
    prefix="widgets",
    search_fields=("reference", "title", "description"),
    ordering_fields=("created_at", "updated_at", "reference", "title", "budget", "state"),
)
