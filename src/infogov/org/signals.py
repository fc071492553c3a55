"""Renew users' ``scope_key`` whenever what they may see could change (第四条): a membership added,
changed or removed; an organisation's kind, co-supervision or jurisdiction changed; the jurisdiction
tree changed. Every process caches Scopes under (user id, scope_key) — core.permissions.cached_scope."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Jurisdiction, Membership, Organisation, User, new_scope_key


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="org.scope_key.membership")
def _membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    key = new_scope_key()
    User.objects.filter(pk=instance.user_id).update(scope_key=key)
    user = instance._state.fields_cache.get("user")
    if user is not None:  # the caller's own user object sees its new roles at once
        user.scope_key = key
        user.__dict__.pop("scope", None)
        user.__dict__.pop("role_set", None)


@receiver([post_save, post_delete], sender=Organisation, dispatch_uid="org.scope_key.organisation")
def _organisation_changed(sender: Any, instance: Organisation, created: bool = False, **kwargs: Any) -> None:
    if created:  # nobody is a member yet
        return
    User.objects.filter(memberships__organisation_id=instance.pk).update(scope_key=new_scope_key())


@receiver([post_save, post_delete], sender=Jurisdiction, dispatch_uid="org.scope_key.jurisdiction")
def _jurisdiction_changed(sender: Any, instance: Jurisdiction, **kwargs: Any) -> None:
    # "this jurisdiction and below" changed for everyone above it: renew all keys (a rare, administrative act)
    User.objects.update(scope_key=new_scope_key())


@receiver(post_save, sender=User, dispatch_uid="org.tokens.user")
def _user_saved(sender: Any, instance: User, created: bool = False, **kwargs: Any) -> None:
    if not created:  # deactivated, renamed…: this process forgets the user's verified API tokens
        from infogov.core.api.tokens import forget_tokens

        forget_tokens(user_id=instance.pk)
