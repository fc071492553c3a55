"""Input and output schemas of the REST API (one per operation, shared bases for case types).

No ``from __future__ import annotations`` here: django-ninja reads these annotations at runtime.
"""

import datetime as dt
from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    """The one error body of every endpoint."""

    code: str = Field(..., description="错误代码，如 invalid、not_found、conflict 或规则代码")
    message: str = Field(..., description="中文说明")
    article: str | None = Field(None, description="所依据的《吉林市信息化促进办法》条款，如 第九条第二款")
    details: list[dict[str, Any]] | None = Field(None, description="逐项说明（字段错误、未通过的规则）")


# -- register -------------------------------------------------------------------------------------


class JurisdictionRef(Schema):
    code: str = Field(..., description="行政区划代码")
    name: str = Field(..., description="名称")


class OrganisationRef(Schema):
    id: int
    name: str = Field(..., description="单位名称")


class JurisdictionOut(Schema):
    code: str = Field(..., description="行政区划代码")
    name: str = Field(..., description="名称")
    kind: str = Field(..., description="类型代码")
    kind_label: str = Field(..., description="类型")
    parent: str | None = Field(None, description="上级行政区划代码")
    path: str = Field(..., description="自市级起的代码路径")


class OrganisationOut(Schema):
    id: int
    name: str = Field(..., description="单位名称")
    short_name: str = Field("", description="简称")
    kind: str = Field(..., description="类型代码")
    kind_label: str = Field(..., description="类型")
    cosupervision: str = Field("", description="协同监督职能（drc/finance/audit/planning，空为无）")
    jurisdiction: JurisdictionRef


class OrganisationPage(Schema):
    count: int = Field(..., description="符合条件的总数")
    page: int
    page_size: int
    items: list[OrganisationOut]


class RoleOut(Schema):
    role: str = Field(..., description="角色代码")
    label: str = Field(..., description="角色名称")
    organisation: OrganisationRef


class MeOut(Schema):
    username: str
    full_name: str = Field(..., description="姓名")
    organisation: OrganisationRef | None = Field(None, description="所在单位")
    jurisdiction: JurisdictionRef | None = Field(None, description="所在单位的行政区域")
    roles: list[RoleOut] = Field(..., description="角色授权（第四条）")
    is_platform_admin: bool = Field(..., description="是否为平台管理员（三员）")


# -- obligations (我的待办) -------------------------------------------------------------------------


class CaseRef(Schema):
    type: str = Field(..., description="事项类型（app_label.model）")
    type_label: str = Field(..., description="事项类型名称")
    id: int
    reference: str | None = Field(None, description="编号")
    title: str | None = Field(None, description="名称")
    url: str | None = Field(None, description="接口地址")
    web_url: str | None = Field(None, description="网页地址")


class TodoOut(Schema):
    id: int
    code: str = Field(..., description="义务代码")
    title: str = Field(..., description="事项")
    citation: str = Field(..., description="依据条款")
    due_date: dt.date = Field(..., description="期限")
    overdue: bool = Field(..., description="是否已逾期")
    owed_by: OrganisationRef = Field(..., description="义务单位")
    owed_to: OrganisationRef | None = Field(None, description="权利单位")
    case: CaseRef


class TodoPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[TodoOut]


# -- regulation -----------------------------------------------------------------------------------


class ArticleOut(Schema):
    number: int = Field(..., description="条")
    citation: str = Field(..., description="如 第九条")
    paragraphs: list[str] = Field(..., description="各款原文")
    duty: bool = Field(..., description="是否设定法定义务")
    summary: str = Field(..., description="要旨")
    platform: str = Field(..., description="平台如何落实")


# -- tokens ---------------------------------------------------------------------------------------


class TokenOut(Schema):
    id: int
    name: str = Field(..., description="用途")
    prefix: str = Field(..., description="令牌前缀（用于识别，不是密钥）")
    created_at: dt.datetime
    last_used_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    active: bool = Field(..., description="是否有效（未撤销、未过期）")


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="令牌明文：只显示这一次，平台只保存其 SHA-256 摘要")


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, description="用途，如 “财政局预算系统对接”")
    expires_at: dt.datetime | None = Field(None, description="到期时间（不填为长期有效，可随时撤销）")


# -- cases ----------------------------------------------------------------------------------------


class CaseItemOut(Schema):
    """The fields every case type lists; a case type's own list schema subclasses this."""

    id: int
    reference: str = Field(..., description="编号")
    title: str = Field(..., description="名称")
    state: str = Field(..., description="状态代码")
    state_label: str = Field(..., description="状态")
    version: int = Field(..., description="版本（办理时作为 expected_version 传回，防止覆盖他人的办理）")
    jurisdiction: JurisdictionRef
    owner: OrganisationRef = Field(..., description="责任单位")
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str = Field(..., description="接口地址")


class BlockerOut(Schema):
    code: str = Field(..., description="规则代码")
    article: str = Field(..., description="依据条款")
    message: str = Field(..., description="不能办理的原因")


class OptionOut(Schema):
    transition: str = Field(..., description="办理步骤代码（POST …/transitions/{transition}）")
    label: str = Field(..., description="办理步骤名称")
    target: str = Field(..., description="办理后的状态代码")
    target_label: str = Field(..., description="办理后的状态")
    allowed: bool = Field(..., description="当前用户能否办理")
    confirm: str = Field("", description="办理前须确认的提示")
    comment_required: bool = Field(False, description="是否须填写意见")
    style: str = Field("primary", description="primary / danger / secondary")
    blockers: list[BlockerOut] = Field(..., description="不能办理的原因及条款")


class AttachmentOut(Schema):
    id: int
    name: str = Field(..., description="文件名")
    mime_type: str = Field(..., description="按内容识别的类型")
    size: int = Field(..., description="字节数")
    sha256: str
    purpose: str = Field("", description="用途")
    uploaded_at: dt.datetime
    uploaded_by: str = Field(..., description="上传人")
    url: str = Field(..., description="下载地址")


class CaseDetailOut(CaseItemOut):
    """The fields every case type shows; a case type's own detail schema subclasses this."""

    can_change: bool = Field(..., description="当前用户能否修改该事项的内容")
    options: list[OptionOut] = Field(..., description="当前状态下的办理步骤，及不能办理的原因")
    attachments: list[AttachmentOut]


class DocketEventOut(Schema):
    seq: int = Field(..., description="序号")
    at: dt.datetime = Field(..., description="时间")
    actor_name: str = Field(..., description="经办人")
    organisation: str | None = Field(None, description="经办单位")
    action: str = Field(..., description="操作代码")
    action_label: str = Field(..., description="操作")
    from_state: str
    from_state_label: str = Field(..., description="原状态")
    to_state: str
    to_state_label: str = Field(..., description="新状态")
    citation: str = Field(..., description="依据条款")
    comment: str = Field(..., description="意见")
    attachments: list[dict[str, Any]] = Field(..., description="附件摘要（名称、SHA-256）")
    changes: dict[str, Any] = Field(..., description="字段变更：{字段: {before, after}}")
    payload: dict[str, Any] = Field(..., description="办理时提交的数据")
    hash: str = Field(..., description="本条记录的哈希（与上一条链接，第三十四条）")


class TransitionIn(Schema):
    comment: str = Field("", max_length=5000, description="意见或理由")
    payload: dict[str, Any] = Field(
        default_factory=dict, description="该办理步骤所需的数据，如 contract_amount"
    )
    expected_version: int | None = Field(
        None, ge=0, description="读取事项时的 version；事项已被他人办理时返回 409"
    )


class PageParams(Schema):
    page: int = Field(1, ge=1, description="页码，从 1 开始")
    page_size: int = Field(20, ge=1, le=100, description="每页条数（最多 100）")
