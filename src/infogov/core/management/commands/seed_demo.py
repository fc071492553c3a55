"""`manage.py seed_demo [--logins]`: the demo city, its organisations, one user per role, then each
app's demo cases, then a sealed docket. Idempotent: a second run creates nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from infogov.core import demo, registry
from infogov.core.docket.chain import seal_pending
from infogov.core.workflow.coverage import text_table


def logins_table() -> str:
    rows = [
        [u["username"], u["full_name"], u["organisation"], u["role"], u["password"]]
        for u in demo.demo_logins()
    ]
    return text_table(["用户名", "姓名", "单位", "角色", "密码"], rows)


def app_demo_modules() -> list[Any]:
    """The demo modules the apps register (core/registry.py), in INSTALLED_APPS order."""
    return registry.modules("demo")


class Command(BaseCommand):
    help = "写入演示数据（吉林市及各县市区、单位、各角色演示账号和各业务的演示案件），可重复运行。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--logins", action="store_true", help="只列出演示账号，不写入数据")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins"]:
            self.stdout.write(logins_table())
            return
        demo.seed(self.stdout)
        for module in app_demo_modules():
            module.seed(self.stdout)
        seals = events = 0
        while (seal := seal_pending()) is not None:
            seals += 1
            events += seal.count
        self.stdout.write(f"封存案卷记录 {events} 条（{seals} 个封存批次）")
        self.stdout.write("")
        self.stdout.write("演示账号：")
        self.stdout.write(logins_table())
