"""Domain errors carry their HTTP status and a stable code; one handler renders RFC 9457 problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    """One invalid field: where it is (dotted path), which rule it broke, and a sentence for people."""

    field: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


class TenantryError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self, detail: str, *, errors: list[FieldError] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class NotFound(TenantryError):
    status = 404
    code = "not_found"
    title = "Not found"


class Unauthorized(TenantryError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(TenantryError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class Conflict(TenantryError):
    status = 409
    code = "conflict"
    title = "Conflict"


class PreconditionFailed(TenantryError):
    status = 412
    code = "precondition_failed"
    title = "The resource changed since you read it"


class PreconditionRequired(TenantryError):
    status = 428
    code = "precondition_required"
    title = "If-Match header required"


class TooManyRequests(TenantryError):
    status = 429
    code = "too_many_requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ValidationFailed(TenantryError):
    status = 422
    code = "validation_failed"
    title = "Some fields are not valid"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        super().__init__(
            detail or "; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors
        )


def invalid(field: str, rule: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field, rule, message)])
