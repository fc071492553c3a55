"""The typed inputs of the resource steps (core/workflow/payloads.py): the API bodies and the forms."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from infogov.core.text import CleanName
from infogov.core.workflow.payloads import ActDate, RequiredText, StepInput, Text

from .choices import (
    BaseCategory,
    CorrectionOutcome,
    DataFormat,
    FieldType,
    OpenType,
    Sensitivity,
    ShareType,
    UpdateFrequency,
)

FieldCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", title="字段代码")]
# 《政务信息资源目录编制指南》: 类（1 基础、2 主题、3 部门）-项（2 位）-目（3 位）-细目（3 位）
CatalogueCode = Annotated[str, Field(pattern=r"^[1-3]-\d{2}-\d{3}-\d{3}$", title="资源目录代码")]


def _choice(cls: type) -> type:
    return Literal[tuple(cls.values)]  # type: ignore[return-value,attr-defined]


class ResourceIn(StepInput):
    """编目：一条资源的元数据。"""

    title: Annotated[CleanName, Field(min_length=1, max_length=200, title="资源名称")]
    catalogue_code: CatalogueCode
    provider_code: Annotated[CleanName, Field(max_length=40, title="提供方内部代码")] = ""
    summary: RequiredText = Field(title="资源摘要")
    base_category: _choice(BaseCategory) = Field(title="资源分类")  # type: ignore[valid-type]
    source_system: Annotated[CleanName, Field(max_length=200, title="来源信息系统")] = ""
    update_frequency: _choice(UpdateFrequency) = Field("monthly", title="更新周期")  # type: ignore[valid-type]
    share_type: _choice(ShareType) = Field("conditional", title="共享类型")  # type: ignore[valid-type]
    share_basis: Text = Field("", title="共享条件或不予共享的依据")
    open_type: _choice(OpenType) = Field("closed", title="开放类型")  # type: ignore[valid-type]
    data_format: _choice(DataFormat) = Field("database", title="数据格式")  # type: ignore[valid-type]
    sensitivity: _choice(Sensitivity) = Field("internal", title="资源敏感程度")  # type: ignore[valid-type]
    owner: int | None = Field(None, title="提供单位 id（默认为本人所在单位）")


class AmendIn(StepInput):
    """修改目录条目：只填要修改的项；已发布条目的每项修改都以修改前后的值记入案卷。"""

    title: Annotated[CleanName, Field(min_length=1, max_length=200, title="资源名称")] | None = None
    summary: Annotated[Text, Field(min_length=1)] | None = Field(None, title="资源摘要")
    source_system: Annotated[CleanName, Field(max_length=200)] | None = Field(None, title="来源信息系统")
    update_frequency: _choice(UpdateFrequency) | None = Field(None, title="更新周期")  # type: ignore[valid-type]
    share_type: _choice(ShareType) | None = Field(None, title="共享类型")  # type: ignore[valid-type]
    share_basis: Text | None = Field(None, title="共享条件或不予共享的依据")
    open_type: _choice(OpenType) | None = Field(None, title="开放类型")  # type: ignore[valid-type]
    sensitivity: _choice(Sensitivity) | None = Field(None, title="资源敏感程度")  # type: ignore[valid-type]
    record_key: FieldCode | None = Field(None, title="记录标识字段")


class FieldIn(StepInput):
    """添加信息项。"""

    code: FieldCode
    name: Annotated[CleanName, Field(min_length=1, max_length=100, title="信息项名称")]
    field_type: _choice(FieldType) = Field("text", title="数据类型")  # type: ignore[valid-type]
    description: Text = Field("", title="说明")
    field_sensitivity: _choice(Sensitivity) = Field("internal", title="敏感程度")  # type: ignore[valid-type]
    required: bool = Field(False, title="必填")
    code_list: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=500, title="取值范围"
    )
    record_key: bool = Field(False, title="设为记录标识字段")


class RequestIn(StepInput):
    """共享申请。"""

    resource: int = Field(title="资源 id")
    purpose: RequiredText = Field(title="使用用途")
    fields: list[FieldCode] = Field(min_length=1, max_length=200, title="所需信息项")
    legal_basis: Text = Field("", title="申请依据")
    period_start: ActDate = Field(title="使用期限起")
    period_end: ActDate = Field(title="使用期限止")
    consumer_system: Annotated[CleanName, Field(min_length=1, max_length=200, title="使用方信息系统")]
    clear_text_requested: bool = Field(False, title="申请明文使用个人信息")


class GrantIn(StepInput):
    """授权：授权的信息项（默认为申请的全部信息项）与是否明文。"""

    fields: list[FieldCode] = Field(default_factory=list, max_length=200, title="授权的信息项")
    clear_text: bool = Field(False, title="明文提供个人信息")


class LoadIn(StepInput):
    """一批数据的摘要（数据本身不进案卷）。"""

    source: Annotated[CleanName, Field(min_length=1, max_length=200, title="来源")]
    file_format: Literal["csv", "xlsx", "ndjson", "api"] = Field(title="格式")
    mode: Literal["upsert", "delete", "replace"] = Field("upsert", title="方式")
    rows: int = Field(ge=0, title="记录数")
    sha256: str = Field("", max_length=64, title="文件指纹")


class CorrectionIn(StepInput):
    """校核纠错报告。"""

    record_id: Annotated[Text, Field(min_length=1, max_length=64, title="记录标识")]
    field_code: FieldCode
    problem: RequiredText = Field(title="错误情况")
    evidence: Text = Field("", title="依据材料")


class AnswerIn(StepInput):
    """纠错答复。"""

    report_id: int = Field(title="纠错报告 id")
    outcome: _choice(CorrectionOutcome) = Field(title="核实结果")  # type: ignore[valid-type]
    answer: RequiredText = Field(title="答复")
