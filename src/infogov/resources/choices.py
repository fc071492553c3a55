"""The vocabularies of the information resource catalogue (第二十六至二十九条; 国发〔2016〕51号;
《政务信息资源目录编制指南（试行）》)."""

from django.db import models


class ResourceState(models.TextChoices):
    DRAFT = "draft", "编目中"
    SUBMITTED = "submitted", "待审核"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤销"


class RequestState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待提供单位答复"
    GRANTED = "granted", "已授权"
    REFUSED = "refused", "不予授权"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已撤销"


class BaseCategory(models.TextChoices):
    """第二十六条的基础数据库，以及主题、部门信息资源。"""

    POPULATION = "population", "人口"
    LEGAL_PERSON = "legal_person", "法人"
    NATURAL_SPATIAL = "natural_spatial", "自然资源和空间地理"
    CREDIT = "credit", "社会信用"
    LICENCE = "licence", "电子证照"
    THEMATIC = "thematic", "主题"
    DEPARTMENTAL = "departmental", "部门"


BASE_DATABASES = frozenset({BaseCategory.POPULATION, BaseCategory.LEGAL_PERSON, BaseCategory.NATURAL_SPATIAL})


class ShareType(models.TextChoices):
    """国发〔2016〕51号第五条：无条件共享、有条件共享、不予共享。"""

    UNCONDITIONAL = "unconditional", "无条件共享"
    CONDITIONAL = "conditional", "有条件共享"
    NOT_SHARED = "not_shared", "不予共享"


class OpenType(models.TextChoices):
    OPEN = "open", "无条件开放"
    CONDITIONAL = "conditional", "有条件开放"
    CLOSED = "closed", "不予开放"


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", "实时"
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    YEARLY = "yearly", "每年"
    IRREGULAR = "irregular", "不定期"


# days after which a resource of each frequency is stale (timeliness, 第二十七条第一款); realtime gets a
# day of slack, irregular a year
STALE_AFTER_DAYS = {
    "realtime": 1,
    "daily": 2,
    "weekly": 8,
    "monthly": 32,
    "quarterly": 93,
    "yearly": 366,
    "irregular": 730,
}


class DataFormat(models.TextChoices):
    DATABASE = "database", "数据库"
    FILE = "file", "电子文件"
    API = "api", "接口服务"
    SPATIAL = "spatial", "空间数据"


class FieldType(models.TextChoices):
    TEXT = "text", "文本"
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "数值"
    DATE = "date", "日期"
    RESIDENT_ID = "resident_id", "公民身份号码"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    PHONE = "phone", "电话号码"
    PERSON_NAME = "person_name", "姓名"
    CODE = "code", "代码（取值范围）"


class Sensitivity(models.TextChoices):
    """第二十九条：国家秘密、商业秘密、个人隐私依法保护。"""

    PUBLIC = "public", "公开"
    INTERNAL = "internal", "内部"
    PERSONAL = "personal", "个人信息"
    SENSITIVE_PERSONAL = "sensitive_personal", "敏感个人信息"
    TRADE_SECRET = "trade_secret", "商业秘密"
    STATE_SECRET = "state_secret", "国家秘密"


# what the exchange masks unless the grant allows clear text
MASKED = frozenset({Sensitivity.PERSONAL, Sensitivity.SENSITIVE_PERSONAL, Sensitivity.TRADE_SECRET})


class CorrectionOutcome(models.TextChoices):
    CORRECTED = "corrected", "确有错误，已更正"
    CONFIRMED = "confirmed", "经核实无误"
