"""List the platform's policy settings (numbers the regulation does not set) with their history."""

from django.core.management.base import BaseCommand

from infogov.core.regulation import policy


class Command(BaseCommand):
    help = "列出平台规定的期限和数值（法规未规定的数值）及其生效日期和来源"

    def add_arguments(self, parser):
        parser.add_argument("--markdown", action="store_true", help="输出 Markdown 表格（docs/policy.md）")

    def handle(self, *args, markdown: bool = False, **options):
        from django.apps import apps

        from infogov.core.registry import load

        for config in apps.get_app_configs():  # policies are declared in the apps' workflow modules
            registration = getattr(config, "infogov", None)
            for case_type in getattr(registration, "case_types", ()):
                load(case_type.workflow)
        rows = policy.policies()
        if markdown:
            self.stdout.write("| 参数 | 名称 | 取值（自何日起） | 依据 | 来源 |\n|---|---|---|---|---|")
        for p in rows:
            history = "；".join(f"{day.isoformat()} 起 {value}{p.unit}" for day, value in p.timeline())
            if markdown:
                self.stdout.write(f"| `{p.key}` | {p.label} | {history} | {p.note} | {p.source} |")
            else:
                self.stdout.write(f"{p.key}\t{p.label}\t{history}\t{p.note}\t{p.source}")
