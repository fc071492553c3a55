"""The state column of every case: django-fsm's FSMField, without its hooks on migration models.

FSMField connects a ``class_prepared`` receiver for every model class it is added to, and never
disconnects it. Migrations render their historical models (module ``__fake__``) again and again, so a
`migrate` of the whole platform left thousands of receivers behind, each called for every later model
class: a third of the time of creating a database (every test worker does, and every deployment). The
historical models never take a transition, so on them the field is a plain CharField; on the real
models it is django-fsm's, unchanged."""

from __future__ import annotations

from typing import Any

from django.db import models
from django_fsm import FSMField


class StateField(FSMField):
    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False, **kwargs: Any) -> None:
        if cls.__module__ == "__fake__":  # a migration's historical model
            self.base_cls = cls
            models.CharField.contribute_to_class(self, cls, name, private_only=private_only, **kwargs)
            return
        super().contribute_to_class(cls, name, private_only=private_only, **kwargs)
