"""`manage.py generate_data --scale city|province [--seed N]`: synthetic data at the scale of 吉林市
or 吉林省 (datagen/runner.py). Generates once: when the database already holds that scale and seed
it says so and stops (--force regenerates); a database with other data needs --reset."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from infogov.datagen import runner


class Command(BaseCommand):
    help = "生成吉林市（city）或吉林省（province）规模的模拟数据，用于性能测试。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", choices=sorted(runner.SCALES), default="city")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--workers", type=int, default=None, help="并行进程数（默认：CPU 核数，最多 4）")
        parser.add_argument("--projects", type=int, default=None, help="覆盖项目数（缩小规模测试用）")
        parser.add_argument("--events", type=int, default=None, help="覆盖案卷记录目标数")
        parser.add_argument("--reset", action="store_true", help="先清空各应用的全部数据")
        parser.add_argument(
            "--force", action="store_true", help="已生成同一规模和种子时仍重新生成（隐含 --reset）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        overrides = {k: options[k] for k in ("projects", "events") if options[k] is not None}
        if overrides.get("projects") and "events" not in overrides:
            base = runner.SCALES[options["scale"]]
            overrides["events"] = int(base.events_per_project * overrides["projects"])
        spec = runner.spec_for(options["scale"], **overrides)
        done = runner.marker()
        if done and done["scale"] == spec.scale and done["seed"] == options["seed"] and not options["force"]:
            self.stdout.write(
                f"已有 {spec.scale} 规模（种子 {options['seed']}）的数据，"
                f"生成用时 {done['seconds']:.0f} s；不再重复生成（--force 重新生成）"
            )
            return
        reset = options["reset"] or options["force"] or done is not None
        if not reset and not runner.database_is_empty():
            raise CommandError("数据库中已有数据：请使用空数据库，或加 --reset 清空后生成")
        self.stdout.write(f"生成 {spec.scale} 规模数据（种子 {options['seed']}）…")
        report = runner.generate(
            spec, options["seed"], workers=options["workers"], reset=reset, log=self.stdout.write
        )
        for table, n in sorted(report.counts.items()):
            self.stdout.write(f"  {table:<32} {n:>10,}")
        for item in report.pending:
            self.stdout.write(f"  未生成：{item}")
        phases = "，".join(f"{k} {v:.1f} s" for k, v in report.phases.items())
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {report.seconds:.1f} s（{phases}）"))
