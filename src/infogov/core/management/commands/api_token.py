"""`manage.py api_token create <username> <name> [--expires YYYY-MM-DD]` / `api_token revoke <prefix>`.

For setting up machine clients from the server: the plaintext is printed once and never stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from infogov.core.api.tokens import token_create, token_revoke
from infogov.core.errors import DomainError
from infogov.core.models import ApiToken


class Command(BaseCommand):
    help = "创建或撤销接口令牌（令牌明文只显示一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户创建令牌")
        create.add_argument("username")
        create.add_argument("name", help="用途")
        create.add_argument("--expires", help="到期日期 YYYY-MM-DD（当日 24 时失效）")
        revoke = sub.add_parser("revoke", help="按前缀撤销令牌")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options)
            else:
                self._revoke(options["prefix"])
        except DomainError as exc:
            raise CommandError(str(exc)) from None

    def _create(self, options: dict[str, Any]) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户 {options['username']} 不存在")
        expires_at = None
        if options.get("expires"):
            try:
                day = dt.date.fromisoformat(options["expires"])
            except ValueError:
                raise CommandError("--expires 应为 YYYY-MM-DD") from None
            expires_at = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
        token, plaintext = token_create(user=user, name=options["name"], expires_at=expires_at, via="command")
        self.stdout.write(plaintext)
        self.stderr.write(
            f"已为 {user.username} 创建令牌 {token.prefix}（{token.name}）。明文只显示这一次，请妥善保存。"
        )

    def _revoke(self, prefix: str) -> None:
        token = ApiToken.objects.select_related("user").filter(prefix=prefix.strip()).first()
        if token is None:
            raise CommandError(f"没有前缀为 {prefix} 的令牌")
        if token.revoked_at is not None:
            self.stdout.write(
                f"令牌 {token.prefix} 已于 {timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M} 撤销"
            )
            return
        token_revoke(user=token.user, token_id=token.pk, via="command")
        self.stdout.write(f"已撤销令牌 {token.prefix}（{token.user.username}：{token.name}）")
