"""Rules of 第九条第二款 (不重复采集: the sharing finding answers the published resources the proposal
would collect again; shared_data.py reads the resources catalogue) and 第十条 (filing of non-fiscal
public-infrastructure and security projects), between rules_approval.py (第三至九条) and rules.py
(第十一条 on), so that the registry holds the app's rules in article order. rules.py re-exports them."""

from __future__ import annotations

from typing import Any

from infogov.core.text import normalise
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import RuleContext, rule
from infogov.org.choices import JurisdictionKind

from . import shared_data
from .choices import ReviewDimension
from .rules_approval import given

# -- 不重复采集 in the review of 信息资源共享 (第九条第二款; shared_data.py reads the catalogue) ---------


def _named(resource: dict[str, Any], text: str) -> bool:
    return any(
        normalise(resource[k]) in text for k in ("title", "catalogue_code", "reference") if resource[k]
    )


@rule(
    "A9-2-SHARED-DATA",
    citation="第九条第二款",
    message=(
        "项目拟采集的数据已有共享目录中已发布的政务信息资源提供（不重复采集），"
        "信息资源共享评审意见须逐一回应这些资源（写明资源名称或目录代码）"
    ),
    summary="信息资源共享评审回应可经共享获取的已发布资源（不重复采集）",
)
def shared_data_answered(project: Any, ctx: RuleContext) -> bool | str:
    """列入年度计划的信息化工程项目应当由信息化主管部门对其……信息资源共享以及其他相关内容进行评审，
    提出审查意见。（项目拟采集的数据已由共享目录中已发布的资源提供的，应当通过共享获取、不重复采集：
    信息资源共享方面的评审意见须回应这些资源）"""
    finding = given(ctx)
    if finding.dimension != ReviewDimension.SHARING:
        return True
    text = normalise(finding.text)
    missing = [
        f"“{item['data']}”→{r['title']}"
        f"（{r['provider']}，目录代码 {r['catalogue_code']}，{r['share_type_label']}）"
        for item in shared_data.recollection(project)
        for r in item["resources"]
        if not _named(r, text)
    ]
    if not missing:
        return True
    return "拟采集的数据已有以下已发布资源可共享获取，评审意见尚未回应：" + "；".join(missing)


# -- 第十条: filing of non-fiscal public-infrastructure and security projects --------------------------


@rule(
    "A10-NONFISCAL",
    citation="第十条",
    message="使用财政性资金的项目应列入年度建设计划并经评审，不适用备案",
    summary="备案适用于非财政性资金项目",
)
def is_non_fiscal_project(project: Any, ctx: RuleContext) -> bool:
    """使用非财政性资金的公共基础性信息化工程和信息安全工程项目，建设单位应当……备案。"""
    return not project.is_fiscal


@rule(
    "A10-SCOPE",
    citation="第十条",
    message=(
        "第十条的备案只适用于使用非财政性资金的公共基础性信息化工程和信息安全工程项目；"
        "其他类别的非财政性资金项目不办理备案"
    ),
    summary="备案只适用于公共基础性信息化工程和信息安全工程",
)
def filing_applies(project: Any, ctx: RuleContext) -> bool | str:
    """使用非财政性资金的公共基础性信息化工程和信息安全工程项目，建设单位应当……备案。"""
    if project.is_fiscal:
        return True  # A10-NONFISCAL says why a fiscal project does not file
    if project.needs_filing:
        return True
    from .choices import Category

    return (
        f"“{Category(project.category).label}”类非财政性资金项目不属于第十条规定的公共基础性信息化工程"
        "或信息安全工程，不办理备案"
    )


@rule(
    "A10-PROCEDURES",
    citation="第十条",
    message="须先依法办理建设相关手续，再报信息化主管部门备案",
    summary="办理建设手续后备案",
)
def procedures_completed(project: Any, ctx: RuleContext) -> bool:
    """建设单位应当在依法办理建设相关手续后，报所在地的市或者县（市）信息化主管部门备案。"""
    return bool(project.procedures_completed.strip())


@rule("A10-COMPLETE", citation="第十条", message="备案材料不完整", summary="备案材料完整性审核")
def filing_complete(project: Any, ctx: RuleContext) -> bool | str:
    """……报所在地的市或者县（市）信息化主管部门备案。（主管部门核对材料齐全后发给备案号）"""
    missing = []
    if not project.content.strip():
        missing.append("建设内容")
    if not project.procedures_completed.strip():
        missing.append("已办理的建设手续")
    if not project.funding_source.strip():
        missing.append("资金来源")
    if project.planned_start is None or project.planned_completion is None:
        missing.append("计划工期")
    if not project.security_plan.strip():
        missing.append("信息安全保障方案")
    return not missing or "备案材料不完整，缺少：" + "、".join(missing)


def filing_jurisdiction(project: Any) -> Any:
    """第十条: filing goes to the city or the county(-level city) authority where the project is;
    districts and development zones file with the city."""
    j = project.jurisdiction
    while (
        j.kind not in (JurisdictionKind.CITY, JurisdictionKind.COUNTY, JurisdictionKind.COUNTY_CITY)
        and j.parent_id
    ):
        j = j.parent
    return j


@rule(
    "A10-FILING-AUTHORITY",
    citation="第十条",
    message=(
        "只有项目所在地的市或者县（市）信息化主管部门才能办理备案：县、县级市的项目由本县（市）信息化主管部门"
        "受理，区和开发区的项目由市信息化主管部门受理"
    ),
    summary="由所在地的市或者县（市）信息化主管部门受理备案",
    actor=True,
)
def acts_as_filing_authority(project: Any, ctx: RuleContext) -> bool:
    """……报所在地的市或者县（市）信息化主管部门备案。

    The article names two levels only: 市 and 县（市）. A county or county-level city's project files
    with its own authority (not the city's: the city authority does not act in its place); a district's
    or a development zone's project — their authorities exist (第四条第二款) but 第十条 does not name
    them — files with the city authority (filing_jurisdiction)."""
    return ctx.user is not None and scope_of(ctx.user).is_own_authority_of(filing_jurisdiction(project).pk)
