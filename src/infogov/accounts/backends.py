"""django-axes' lockout check as the first authentication backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username before any password is checked (AXES_* in settings/base.py).

    Every sign-in over HTTP (the login page, the admin's) passes the request and is counted. A call
    without a request has no client to count or lock — `manage.py` and the test client's `login()` —
    and is left to the other backends, as if axes were not there."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
