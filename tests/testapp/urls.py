"""Test URLconf: the platform's own (the Widget pages come in through the test app's registration)."""

from infogov.urls import urlpatterns

__all__ = ["urlpatterns"]
