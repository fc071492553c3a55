"""Kinds of jurisdictions, organisations and roles (第四条)."""

from django.db import models


class JurisdictionKind(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区"
    COUNTY = "county", "县"
    COUNTY_CITY = "county_city", "县级市"
    DEV_ZONE = "dev_zone", "开发区"


class OrganisationKind(models.TextChoices):
    AUTHORITY = "authority", "信息化主管部门"
    GOVERNMENT = "government", "人民政府/管委会"
    DEPARTMENT = "department", "部门"
    PUBLIC_SERVICE = "public_service", "公共服务单位"
    ENTERPRISE = "enterprise", "企业"
    EXPERT_POOL = "expert_pool", "专家库"
    PLATFORM = "platform", "平台运维"


class CoSupervision(models.TextChoices):
    """The departments that 第四条第三款 and 第十四条 name as co-supervisors."""

    NONE = "", "—"
    DRC = "drc", "发展和改革"
    FINANCE = "finance", "财政"
    AUDIT = "audit", "审计"
    PLANNING = "planning", "城乡规划"


class Role(models.TextChoices):
    AUTHORITY_STAFF = "authority_staff", "主管部门经办人"
    AUTHORITY_LEADER = "authority_leader", "主管部门负责人"
    GOV_APPROVER = "gov_approver", "政府审批人"
    DEPT_STAFF = "dept_staff", "部门经办人（建设/数据提供/运维单位）"
    EXPERT = "expert", "专家"
    CO_SUPERVISOR = "co_supervisor", "协同监督人员（发改/财政/审计/规划）"
    SYS_ADMIN = "sys_admin", "系统管理员"
    SEC_ADMIN = "sec_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "安全审计员"


AUTHORITY_ROLES = frozenset({Role.AUTHORITY_STAFF, Role.AUTHORITY_LEADER})
ADMIN_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})
