"""Levels, states and answers of development plans (第五条至第七条)."""

from django.db import models


class PlanLevel(models.TextChoices):
    """The three plan levels of 第五条."""

    CITY = "city", "全市信息化发展规划"
    LOCAL = "local", "县（市）区和开发区信息化发展规划"
    SPECIAL = "special", "部门信息化发展专项规划"


class PlanState(models.TextChoices):
    DRAFT = "draft", "起草"
    CONSULTATION = "consultation", "征求意见"
    EXPERT_REVIEW = "expert_review", "专家论证"
    SUBMITTED = "submitted", "报批"
    APPROVED = "approved", "已批准"
    PUBLISHED = "published", "已公布"
    FILED = "filed", "已备案"
    IN_FORCE = "in_force", "实施中"
    SUPERSEDED = "superseded", "已被替代"


# 第六条第二款: from approval on, a version's content is frozen (the database enforces it too).
APPROVED_STATES: tuple[str, ...] = (
    PlanState.APPROVED,
    PlanState.PUBLISHED,
    PlanState.FILED,
    PlanState.IN_FORCE,
    PlanState.SUPERSEDED,
)
# What the public portal shows of city and local plans (第五条第一款、第二款: 公布实施).
PUBLIC_STATES: tuple[str, ...] = (PlanState.PUBLISHED, PlanState.FILED, PlanState.IN_FORCE)


class AnswerStatus(models.TextChoices):
    ACCEPTED = "accepted", "采纳"
    PARTLY = "partly", "部分采纳"
    NOT_ACCEPTED = "not_accepted", "不予采纳"


# Templates for drafting official answers in bulk; {reason} is the reason staff add.
ANSWER_TEMPLATES: dict[str, dict[str, str]] = {
    "accepted": {
        "status": AnswerStatus.ACCEPTED,
        "label": "采纳",
        "text": "感谢您的意见。经研究，您的意见已予采纳，并在规划文本中作相应修改。{reason}",
    },
    "partly": {
        "status": AnswerStatus.PARTLY,
        "label": "部分采纳",
        "text": "感谢您的意见。经研究，您的意见部分予以采纳。{reason}",
    },
    "not_accepted_scope": {
        "status": AnswerStatus.NOT_ACCEPTED,
        "label": "不予采纳（不属于本规划范围）",
        "text": "感谢您的意见。经研究，该意见不属于本规划范围，不予采纳。{reason}",
    },
    "not_accepted_covered": {
        "status": AnswerStatus.NOT_ACCEPTED,
        "label": "不予采纳（已有相关安排）",
        "text": "感谢您的意见。经研究，规划中已有相关安排，不再另行调整。{reason}",
    },
}


class ExpertConclusion(models.TextChoices):
    PASS = "pass", "通过"
    CONDITIONAL = "conditional", "修改后通过"
    FAIL = "fail", "不通过"


PASSING_CONCLUSIONS = (ExpertConclusion.PASS, ExpertConclusion.CONDITIONAL)


class FindingSeverity(models.TextChoices):
    GENERAL = "general", "一般问题"
    SERIOUS = "serious", "严重问题"
