"""`manage.py resources_generate --people N [--legal-persons M]`: load N synthetic people (and M legal
persons) into the demo's base databases through the load step (validated, COPY-merged on PostgreSQL), in
batches of --batch records — the province scale of 第二十六条's base databases (24 M people) is many runs
of batches; each batch is one docket event."""

from __future__ import annotations

import itertools
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from infogov.resources import services, synthetic
from infogov.resources.models import Resource


class Command(BaseCommand):
    help = "向演示的人口库、法人库批量生成虚构但格式有效的记录（公民身份号码、统一社会信用代码校验位正确）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--people", type=int, default=100_000, help="人口记录数（默认 100000）")
        parser.add_argument("--legal-persons", type=int, default=20_000, help="法人记录数（默认 20000）")
        parser.add_argument("--batch", type=int, default=50_000, help="每批记录数（默认 50000）")

    def handle(self, *args: Any, **options: Any) -> None:
        from infogov.org.models import User

        batch = max(1000, min(options["batch"], 200_000))
        for code, kind, n in (
            ("1-01-001-001", synthetic.people, options["people"]),
            ("1-02-003-001", synthetic.legal_persons, options["legal_persons"]),
        ):
            resource = Resource.objects.filter(catalogue_code=code, state="published").first()
            if resource is None:
                raise CommandError(f"没有已发布的演示资源 {code}：请先运行 manage.py seed_demo")
            user = User.objects.filter(organisation=resource.owner, is_active=True).first()
            if user is None:
                raise CommandError(f"{resource.owner.name} 没有可用的账号")
            rows = kind(n)
            done = 0
            while chunk := list(itertools.islice(rows, batch)):
                services.records_load(
                    user=user, resource=resource, rows=chunk, source="生成器（虚构数据）", file_format="api"
                )
                done += len(chunk)
                self.stdout.write(f"{resource.title}：已生成 {done} 条")
        self.stdout.write(self.style.SUCCESS("完成"))
