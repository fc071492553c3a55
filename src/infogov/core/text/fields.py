"""Names cleaned on the way in (normal.clean_name), for the places that take a title or a name:
`CleanName` for pydantic/django-ninja schemas (step payloads, API inputs) and `NameField` for
Django forms. Either removes control, invisible and bidi characters and NUL before the length and
required checks run, so that "\\u202e…" or a NUL never reaches the database or a page."""

from __future__ import annotations

from typing import Annotated, Any

from django import forms
from pydantic import BeforeValidator

from .normal import clean_name


def _clean(value: Any) -> Any:
    return clean_name(value) if isinstance(value, str) else value


# cleaned before validation, so that min_length/max_length count what is stored
CleanName = Annotated[str, BeforeValidator(_clean)]


class NameField(forms.CharField):
    """A CharField whose value is clean_name()d before it is validated."""

    def to_python(self, value: Any) -> str:
        return clean_name(super().to_python(value))
