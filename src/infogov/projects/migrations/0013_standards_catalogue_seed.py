"""Data: the standards catalogue extended with the recommended national standards (GB/T) that reviews,
tests and acceptance of government informatization projects cite (第十二条、第十三条、第三十条). All
recommended: the catalogue's mandatory set (rule A12-MANDATORY) is unchanged. Titles as published by
the Standardization Administration of China (openstd.samr.gov.cn)."""

from django.db import migrations

SECURITY = "security"
INFRA = "infrastructure"

STANDARDS = [
    ("GB/T 22240-2020", "信息安全技术 网络安全等级保护定级指南", []),
    ("GB/T 25058-2019", "信息安全技术 网络安全等级保护实施指南", []),
    ("GB/T 28449-2018", "信息安全技术 网络安全等级保护测评过程指南", []),
    ("GB/T 39786-2021", "信息安全技术 信息系统密码应用基本要求", []),
    ("GB/T 35273-2020", "信息安全技术 个人信息安全规范", []),
    ("GB/T 37988-2019", "信息安全技术 数据安全能力成熟度模型", [SECURITY]),
    ("GB/T 31167-2023", "信息安全技术 云计算服务安全指南", []),
    ("GB/T 31168-2023", "信息安全技术 云计算服务安全能力要求", []),
    ("GB/T 20269-2006", "信息安全技术 信息系统安全管理要求", [SECURITY]),
    ("GB/T 20270-2006", "信息安全技术 网络基础安全技术要求", [SECURITY, INFRA]),
    ("GB/T 20271-2006", "信息安全技术 信息系统通用安全技术要求", [SECURITY]),
    ("GB/T 20988-2007", "信息安全技术 信息系统灾难恢复规范", []),
    ("GB/T 21028-2007", "信息安全技术 服务器安全技术要求", [INFRA]),
    ("GB/T 36626-2018", "信息安全技术 信息系统安全运维管理指南", []),
    ("GB/T 22080-2016", "信息技术 安全技术 信息安全管理体系 要求", [SECURITY]),
    ("GB/T 8567-2006", "计算机软件文档编制规范", ["application", "outsourcing"]),
    ("GB/T 9386-2008", "计算机软件测试文档编制规范", ["application", "outsourcing"]),
    (
        "GB/T 25000.51-2016",
        "系统与软件工程 系统与软件质量要求和评价（SQuaRE） "
        "第51部分：就绪可用软件产品（RUSP）的质量要求和测试细则",
        ["application", "outsourcing"],
    ),
    ("GB/T 30850.1-2014", "电子政务标准化指南 第1部分：总则", []),
    ("GB/T 21063.1-2007", "政务信息资源目录体系 第1部分：总体框架", []),
    ("GB/T 21062.1-2007", "政务信息资源交换体系 第1部分：总体框架", []),
    ("GB/T 38664.1-2020", "信息技术 大数据 政务数据开放共享 第1部分：总则", []),
    ("GB/T 34960.5-2018", "信息技术服务 治理 第5部分：数据治理规范", []),
    ("GB/T 28827.1-2022", "信息技术服务 运行维护 第1部分：通用要求", ["outsourcing", INFRA]),
    ("GB/T 33136-2016", "信息技术服务 数据中心服务能力成熟度模型", [INFRA]),
]


def load(apps, schema_editor):
    Standard = apps.get_model("projects", "Standard")
    for code, name, categories in STANDARDS:
        Standard.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": "national", "mandatory": False, "categories": categories},
        )


def unload(apps, schema_editor):
    Standard = apps.get_model("projects", "Standard")
    Standard.objects.filter(code__in=[c for c, _, _ in STANDARDS], projects__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0012_standards_catalogue_active")]
    operations = [migrations.RunPython(load, unload)]
