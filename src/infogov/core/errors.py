"""Errors a service raises; the web layer and the API turn each into one body:
``{"code": ..., "message": ..., "article": ...}`` with the HTTP status below. Never a 500."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DomainError(Exception):
    message: str
    code: str = "error"
    article: str | None = None
    status: int = 400
    details: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.message}（{self.article}）" if self.article else self.message

    def as_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "article": self.article}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(DomainError):
    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        details: list[dict[str, Any]] | None = None,
        article: str | None = None,
    ) -> None:
        super().__init__(message=message, code=code, article=article, status=422, details=details or [])


class NotPermitted(DomainError):
    def __init__(
        self,
        message: str = "您无权执行此操作",
        *,
        code: str = "forbidden",
        article: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message=message, code=code, article=article, status=403, details=details or [])


class NotFound(DomainError):
    def __init__(self, message: str = "未找到该记录，或您无权查看", *, code: str = "not_found") -> None:
        super().__init__(message=message, code=code, status=404)


class Conflict(DomainError):
    def __init__(
        self,
        message: str = "该事项已被他人办理或状态已变化，请刷新后重试",
        *,
        code: str = "conflict",
        article: str | None = None,
    ) -> None:
        super().__init__(message=message, code=code, article=article, status=409)


class RuleViolation(DomainError):
    """Guard rules refused the step: the first failure's code and article, and every failure with its
    own article (``failures`` in the body; ``details`` keeps the same list for older clients)."""

    def __init__(self, failures: list[Any]) -> None:
        first = failures[0]
        super().__init__(
            message="；".join(f.message for f in failures),
            code=first.code,
            article=first.citation,
            status=422,
            details=[f.as_dict() for f in failures],
        )
        self.failures = [f.as_dict() for f in failures]

    def as_body(self) -> dict[str, Any]:
        return {**super().as_body(), "failures": self.failures}
