"""Kinds and states of informatization projects (第三、九至十四、三十一条)."""

from django.db import models


class ProjectState(models.TextChoices):
    """The states a project passes through. Fiscal projects: 第九、十一、十三条; non-fiscal
    public-infrastructure and security projects file instead of review: 第十条."""

    DRAFT = "draft", "草稿"
    PROPOSED = "proposed", "已申报"
    PLANNED = "planned", "已列入年度计划"
    REVIEWED = "reviewed", "审查通过"
    REJECTED = "rejected", "审查未通过"
    FILING = "filing", "备案审核中"
    FILED = "filed", "已备案"
    PROCURED = "procured", "已完成采购"
    CONSTRUCTION = "construction", "建设中"
    COMPLETED = "completed", "已竣工"
    TESTED = "tested", "已测试"
    ACCEPTED = "accepted", "验收合格"
    DELIVERED = "delivered", "已交付使用"


class PlanState(models.TextChoices):
    """年度计划 (第九条第一款): assembled by the authority, approved by the government."""

    DRAFTING = "drafting", "编制中"
    SUBMITTED = "submitted", "报批中"
    APPROVED = "approved", "已批准"


class Category(models.TextChoices):
    APPLICATION = "application", "应用系统"
    INFRASTRUCTURE = "infrastructure", "公共基础设施"
    SECURITY = "security", "信息安全"
    OUTSOURCING = "outsourcing", "信息服务外包"


class FundingKind(models.TextChoices):
    FISCAL = "fiscal", "财政性资金"
    NON_FISCAL = "non_fiscal", "非财政性资金"


class Network(models.TextChoices):
    EGOV_EXTRANET = "egov_extranet", "电子政务外网"
    EGOV_INTRANET = "egov_intranet", "电子政务内网"
    INTERNET = "internet", "互联网"
    DEDICATED = "dedicated", "国家规定专用网络"
    NONE = "none", "不联网"


class Hosting(models.TextChoices):
    GOV_CLOUD = "gov_cloud", "政务云"
    OWN_ROOM = "own_room", "自建机房"
    THIRD_PARTY = "third_party", "第三方托管"
    NONE = "none", "不涉及"


class ReviewDimension(models.TextChoices):
    """第九条第二款: the four named dimensions, and the 'other' the clause leaves open."""

    LAYOUT = "layout", "规划布局"
    STANDARDS = "standards", "技术标准"
    SECURITY = "security", "网络与信息安全"
    SHARING = "sharing", "信息资源共享"
    OTHER = "other", "其他相关内容"


MANDATORY_DIMENSIONS = (
    ReviewDimension.LAYOUT,
    ReviewDimension.STANDARDS,
    ReviewDimension.SECURITY,
    ReviewDimension.SHARING,
)


class ConditionStatus(models.TextChoices):
    """审查条件的落实状态 (第九条第二款): answered by the construction unit, verified (or returned) by the
    authority; only a verified condition counts as 已落实."""

    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复待核实"
    VERIFIED = "verified", "已核实落实"
    RETURNED = "returned", "已退回重新落实"


class FindingConclusion(models.TextChoices):
    MEETS = "meets", "符合"
    CONDITIONS = "conditions", "有条件符合"
    FAILS = "fails", "不符合"


class ReviewOpinion(models.TextChoices):
    """审查意见 (第九条第二款)."""

    PASS = "pass", "通过"
    CONDITIONAL = "conditional", "有条件通过"
    FAIL = "fail", "不通过"


class ProcurementMethod(models.TextChoices):
    """Government procurement methods (政府采购法第二十六条) — 第十一条第一款 requires one of them."""

    OPEN_TENDER = "open_tender", "公开招标"
    INVITED_TENDER = "invited_tender", "邀请招标"
    NEGOTIATION = "negotiation", "竞争性谈判"
    CONSULTATION = "consultation", "竞争性磋商"
    SINGLE_SOURCE = "single_source", "单一来源采购"
    INQUIRY = "inquiry", "询价"
    FRAMEWORK = "framework", "框架协议采购"


class StandardKind(models.TextChoices):
    NATIONAL = "national", "国家标准"
    LOCAL = "local", "地方标准"
    INDUSTRY = "industry", "行业标准"


class ProtectionLevel(models.IntegerChoices):
    """等级保护 (第三十条第一款): 1–5."""

    L1 = 1, "第一级"
    L2 = 2, "第二级"
    L3 = 3, "第三级"
    L4 = 4, "第四级"
    L5 = 5, "第五级"


# 安全措施 (第三十一条): the measures of GB/T 22239-2019 (网络安全等级保护基本要求) a project plans and
# builds, offered as a checklist; a project may add its own (kept as typed).
SECURITY_MEASURES = (
    "身份鉴别",
    "访问控制",
    "安全审计",
    "日志审计",
    "入侵防范",
    "恶意代码防范",
    "边界防护",
    "通信传输加密",
    "数据完整性",
    "数据保密性",
    "数据备份",
    "剩余信息保护",
    "个人信息保护",
    "集中管控",
    "可信验证",
    "物理访问控制",
    "防雷、防火、防水",
    "电力供应",
    "安全管理制度",
    "应急预案与演练",
)


class Severity(models.TextChoices):
    LOW = "low", "一般"
    MEDIUM = "medium", "较重"
    HIGH = "high", "严重"


# Where the project is being built or run: progress, funds and supervision apply (第十四条).
ACTIVE_OPEN_STATES = (
    ProjectState.PROCURED,
    ProjectState.CONSTRUCTION,
    ProjectState.COMPLETED,
    ProjectState.TESTED,
    ProjectState.ACCEPTED,
    ProjectState.DELIVERED,
)
