"""Data: values typed as free text before the platform offered choices (issue #11) read as the choices.

- 采购方式 given by its Chinese label ("公开招标", "单一来源") → the method's value ("open_tender", …).
- Test reports' standards typed loosely ("GB18030", "gbt 22239-2019") → the catalogue's code.

A value that matches nothing is left as it was and listed on the migration's output, for the authority
to correct by hand (nothing is guessed)."""

import sys

from django.db import migrations

METHOD_SPELLINGS = {
    "公开招标": "open_tender",
    "邀请招标": "invited_tender",
    "竞争性谈判": "negotiation",
    "竞争性磋商": "consultation",
    "单一来源": "single_source",
    "单一来源采购": "single_source",
    "询价": "inquiry",
    "询价采购": "inquiry",
    "框架协议": "framework",
    "框架协议采购": "framework",
}


def forwards(apps, schema_editor):
    from infogov.projects.standards import canonical

    ProcurementRecord = apps.get_model("projects", "ProcurementRecord")
    TestReport = apps.get_model("projects", "TestReport")
    Standard = apps.get_model("projects", "Standard")
    values = {
        "open_tender",
        "invited_tender",
        "negotiation",
        "consultation",
        "single_source",
        "inquiry",
        "framework",
    }
    unknown = []
    for rec in ProcurementRecord.objects.exclude(method__in=values).only("pk", "method"):
        method = METHOD_SPELLINGS.get(rec.method.strip())
        if method:
            ProcurementRecord.objects.filter(pk=rec.pk).update(method=method)
        else:
            unknown.append(f"采购记录 #{rec.pk} 采购方式“{rec.method}”")
    catalogue = list(Standard.objects.values_list("code", flat=True))
    known = set(catalogue)
    for report in TestReport.objects.exclude(standards=[]).only("pk", "standards"):
        codes = [str(c) for c in report.standards or []]
        fixed = canonical(codes, catalogue)
        if fixed != codes:
            TestReport.objects.filter(pk=report.pk).update(standards=fixed)
        unknown += [f"测试报告 #{report.pk} 标准“{c}”" for c in fixed if c not in known]
    if unknown:
        sys.stdout.write(
            "\n  以下取值未能对应到选项，保留原值，请人工核对：\n  " + "\n  ".join(unknown) + "\n"
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0013_standards_catalogue_seed")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
