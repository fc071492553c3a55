from django.apps import AppConfig

from infogov.core.registry import Pages, Registration


class AccountsConfig(AppConfig):
    name = "infogov.accounts"
    label = "accounts"
    verbose_name = "账号安全"

    # 个人安全设置, the TOTP pages and changing one's password, under /accounts/security/
    infogov = Registration(pages=(Pages("accounts/", "infogov.accounts.urls"),))

    def ready(self) -> None:
        from infogov.accounts import signals  # noqa: F401  (lockouts into the audit trail)
