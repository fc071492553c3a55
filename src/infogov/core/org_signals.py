"""What core does when the organisation register changes (第四条), connected in CoreConfig.ready.

- Renew users' ``scope_key`` whenever what they may see could change: a membership added, changed or
  removed; an organisation's kind, co-supervision or jurisdiction changed; the jurisdiction tree
  changed. Every process caches Scopes under (user id, scope_key) — workflow.permissions.cached_scope.
- A user saved (deactivated, renamed…): this process forgets the user's verified API tokens.
- User.role_set is read from the cached Scope, not with a query of its own.

These live in core, not in org: org imports nothing of the platform's (pyproject.toml,
[tool.importlinter]).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from infogov.core.api.tokens import forget_tokens
from infogov.core.workflow.permissions import SCOPE_MEMO, scope_of
from infogov.org.models import Jurisdiction, Membership, Organisation, User, new_scope_key, use_roles_reader


def _membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    key = new_scope_key()
    User.objects.filter(pk=instance.user_id).update(scope_key=key)
    user = instance._state.fields_cache.get("user")
    if user is not None:  # the caller's own user object sees its new roles at once
        user.scope_key = key
        vars(user).pop(SCOPE_MEMO, None)
        vars(user).pop("role_set", None)


def _organisation_changed(sender: Any, instance: Organisation, created: bool = False, **kwargs: Any) -> None:
    if created:  # nobody is a member yet
        return
    User.objects.filter(memberships__organisation_id=instance.pk).update(scope_key=new_scope_key())


def _jurisdiction_changed(sender: Any, instance: Jurisdiction, **kwargs: Any) -> None:
    # "this jurisdiction and below" changed for everyone above it: renew all keys (a rare, administrative act)
    User.objects.update(scope_key=new_scope_key())


def _user_saved(sender: Any, instance: User, created: bool = False, **kwargs: Any) -> None:
    if not created:  # deactivated, renamed…: this process forgets the user's verified API tokens
        forget_tokens(user_id=instance.pk)


def roles_from_scope(user: Any) -> frozenset[str]:
    return frozenset().union(*scope_of(user).roles_by_org.values())


def connect() -> None:
    """Connect the receivers and the roles reader (idempotent: each receiver has a dispatch_uid)."""
    for signal in (post_save, post_delete):
        signal.connect(_membership_changed, sender=Membership, dispatch_uid="org.scope_key.membership")
        signal.connect(_organisation_changed, sender=Organisation, dispatch_uid="org.scope_key.organisation")
        signal.connect(_jurisdiction_changed, sender=Jurisdiction, dispatch_uid="org.scope_key.jurisdiction")
    post_save.connect(_user_saved, sender=User, dispatch_uid="org.tokens.user")
    use_roles_reader(roles_from_scope)
