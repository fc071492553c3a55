"""Data: the starting standards catalogue (第十二条). Mandatory (GB) standards cannot be waived."""

from django.db import migrations

STANDARDS = [
    ("GB 17859-1999", "计算机信息系统 安全保护等级划分准则", "national", True, []),
    ("GB 18030-2022", "信息技术 中文编码字符集", "national", True, ["application", "outsourcing"]),
    ("GB/T 22239-2019", "信息安全技术 网络安全等级保护基本要求", "national", False, []),
    ("GB/T 25070-2019", "信息安全技术 网络安全等级保护安全设计技术要求", "national", False, []),
    ("GB/T 28448-2019", "信息安全技术 网络安全等级保护测评要求", "national", False, []),
    ("GB/T 37668-2019", "信息技术 互联网内容无障碍可访问性技术要求与测试方法", "national", False, ["application"]),
    ("GB 50174-2017", "数据中心设计规范", "national", True, ["infrastructure"]),
    ("GB 50311-2016", "综合布线系统工程设计规范", "national", True, ["infrastructure"]),
    ("GB/T 21061-2007", "国家电子政务网络技术和运行管理规范", "national", False, ["infrastructure"]),
    ("GB/T 20984-2022", "信息安全技术 信息安全风险评估方法", "national", False, ["security"]),
]


def load(apps, schema_editor):
    Standard = apps.get_model("projects", "Standard")
    for code, name, kind, mandatory, categories in STANDARDS:
        Standard.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "mandatory": mandatory, "categories": categories}
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
