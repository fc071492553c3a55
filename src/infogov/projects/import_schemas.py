"""The answer of GET /api/projects/imports/{id}: an Excel import's progress (import_progress.py).

No ``from __future__ import annotations``: django-ninja reads the annotations at runtime."""

from ninja import Field, Schema


class ImportRefusalOut(Schema):
    row: int | None = Field(None, description="Excel 中的行号")
    id: int | None = Field(None, description="已登记的项目编号（仍为草稿）")
    title: str
    code: str = Field(description="拒绝的规则代码")
    article: str | None = Field(None, description="依据的条款")
    message: str


class ImportProgressOut(Schema):
    id: str
    state: str = Field(
        description="queued 等待申报 / checking 查重和申报中 / done 申报完成 / failed 申报失败"
    )
    state_label: str
    total: int = Field(description="本次导入登记的项目数")
    done: int = Field(description="已处理（查重）的行数")
    submitted: int = Field(description="已申报（不再是草稿）的项目数")
    percent: int
    finished: bool
    started_at: str | None = None
    finished_at: str | None = None
    project_ids: list[int]
    refused: list[ImportRefusalOut] = Field(
        description="未能申报的行及理由（规则代码、条款）；这些项目仍为草稿"
    )
