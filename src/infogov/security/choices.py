"""The vocabularies of information security (第三十条至第三十二条) and the GB/T 22240-2020 grading matrix."""

from __future__ import annotations

from django.db import models


class SystemState(models.TextChoices):
    REGISTERED = "registered", "已登记"
    GRADED = "graded", "已定级"
    REVIEWED = "reviewed", "已专家评审"
    FILED = "filed", "已备案"
    RETIRED = "retired", "已下线"


class NetworkKind(models.TextChoices):
    EGOV_EXTRANET = "egov_extranet", "电子政务外网"
    EGOV_INTRANET = "egov_intranet", "电子政务内网"
    INTERNET = "internet", "互联网"
    DEDICATED = "dedicated", "业务专网"


class Hosting(models.TextChoices):
    OWN_ROOM = "own_room", "自建机房"
    GOV_CLOUD = "gov_cloud", "政务云"
    OTHER = "other", "其他"


DATA_CATEGORIES = ("个人信息", "基础数据库数据", "重要数据")


class HarmedObject(models.TextChoices):
    """GB/T 22240-2020 5.2 受侵害的客体."""

    CITIZENS = "citizens", "公民、法人和其他组织的合法权益"
    SOCIETY = "society", "社会秩序和公共利益"
    STATE = "state", "国家安全"


class HarmDegree(models.TextChoices):
    """GB/T 22240-2020 5.3 对客体的侵害程度."""

    GENERAL = "general", "一般损害"
    SERIOUS = "serious", "严重损害"
    GRAVE = "grave", "特别严重损害"


# GB/T 22240-2020 表1 定级要素与安全保护等级的关系
GRADING_MATRIX: dict[tuple[str, str], int] = {
    (HarmedObject.CITIZENS, HarmDegree.GENERAL): 1,
    (HarmedObject.CITIZENS, HarmDegree.SERIOUS): 2,
    (HarmedObject.CITIZENS, HarmDegree.GRAVE): 2,
    (HarmedObject.SOCIETY, HarmDegree.GENERAL): 2,
    (HarmedObject.SOCIETY, HarmDegree.SERIOUS): 3,
    (HarmedObject.SOCIETY, HarmDegree.GRAVE): 4,
    (HarmedObject.STATE, HarmDegree.GENERAL): 3,
    (HarmedObject.STATE, HarmDegree.SERIOUS): 4,
    (HarmedObject.STATE, HarmDegree.GRAVE): 5,
}


def matrix_level(harmed: str, degree: str) -> int:
    """The protection level GB/T 22240-2020's table gives for the object harmed and the degree of harm."""
    return GRADING_MATRIX[(HarmedObject(harmed), HarmDegree(degree))]


class EvaluationResult(models.TextChoices):
    """等级测评结论 (GB/T 28448-2019 and the 测评报告 template's score bands)."""

    EXCELLENT = "优", "优"
    GOOD = "良", "良"
    FAIR = "中", "中"
    POOR = "差", "差"


# the lowest score of each result (测评报告: 优 ≥ 90, 良 ≥ 80, 中 ≥ 70, 差 < 70)
RESULT_FLOOR = {"优": 90, "良": 80, "中": 70, "差": 0}


class Treatment(models.TextChoices):
    """GB/T 20984-2022 风险处置方式."""

    ACCEPT = "accept", "接受"
    REDUCE = "reduce", "降低"
    TRANSFER = "transfer", "转移"
    AVOID = "avoid", "规避"


HIGH_RISK = 15  # likelihood × impact (1–5 each): 15 and above is 高 (GB/T 20984-2022 附录 风险等级划分示例)


class IncidentState(models.TextChoices):
    HANDLING = "handling", "处置中"
    CLOSED = "closed", "已结案"


class IncidentGrade(models.TextChoices):
    """国家网络安全事件应急预案 事件分级."""

    EXTRAORDINARY = "特别重大", "特别重大"
    MAJOR = "重大", "重大"
    LARGE = "较大", "较大"
    GENERAL = "一般", "一般"


class InspectionState(models.TextChoices):
    PLANNED = "planned", "已计划"
    UNDERWAY = "underway", "检查中"
    COMPLETED = "completed", "已完成"


class DangerSeverity(models.TextChoices):
    GENERAL = "一般", "一般"
    LARGE = "较大", "较大"
    MAJOR = "重大", "重大"


class DangerStatus(models.TextChoices):
    OPEN = "open", "待整改"
    ANSWERED = "answered", "已报整改"
    VERIFIED = "verified", "已核验"
    RETURNED = "returned", "已退回"


class ResponsibilityState(models.TextChoices):
    DRAFT = "draft", "草拟"
    IN_FORCE = "in_force", "施行中"


class FilingState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    FILED = "filed", "已备案"
    RETURNED = "returned", "已退回"
