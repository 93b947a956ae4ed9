"""RFC 9457 problem details: one renderer for domain errors, request validation and HTTP errors."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tenantry.context import current_request
from tenantry.errors import Conflict, FieldError, TenantryError, TooManyRequests

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the invalid field, e.g. 'address.postal_code'")
    rule: str = Field(description="Stable name of the rule it broke")
    message: str


class ProblemDetails(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str | None = None
    errors: list[FieldProblem] = Field(default_factory=list)


def _responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": ProblemDetails, "content": {PROBLEM_MEDIA_TYPE: {}}}
        for status in statuses
    }


# The error answers every authenticated API route may give; routers add these to their OpenAPI.
API_ERRORS = _responses(400, 401, 403, 404, 409, 412, 422, 428, 429)


def problem(
    status: int, code: str, title: str, detail: str, errors: list[FieldError] | None = None,
    **extra: Any,
) -> JSONResponse:  # fmt: skip
    body: dict[str, Any] = {
        "type": f"https://tenantry.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": current_request().request_id,
        "errors": [e.as_dict() for e in errors or []],
    } | extra
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def _rule_of(error: dict[str, Any]) -> str:
    kind = str(error.get("type", "invalid"))
    return {"extra_forbidden": "unknown_field", "missing": "required"}.get(kind, kind)


def field_errors_from_pydantic(errors: list[dict[str, Any]]) -> list[FieldError]:
    result = []
    for error in errors:
        location = [str(p) for p in error.get("loc", ())]
        if location and location[0] in {"body", "query", "path", "header", "cookie"}:
            where, location = location[0], location[1:]
            if where != "body":
                location = [where, *location]
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "extra_forbidden":
            message = "this field is not part of the request"
        result.append(FieldError(".".join(location) or "body", _rule_of(error), message))
    return result


async def _tenantry_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TenantryError)
    response = problem(exc.status, exc.code, exc.title, exc.detail, exc.errors, **exc.extra)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors_from_pydantic(list(exc.errors()))
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem(422, "validation_failed", "Some fields are not valid", detail, errors)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    response = problem(exc.status_code, code, str(exc.detail), str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _concurrent_write(request: Request, exc: Exception) -> JSONResponse:
    """Races the service could not see coming (two writers at once) are conflicts, not crashes."""
    detail = (
        "someone else changed this at the same time; reload and try again"
        if isinstance(exc, StaleDataError)
        else "the change conflicts with data written at the same time; reload and try again"
    )
    return await _tenantry_error(request, Conflict(detail))


def install(app: FastAPI) -> None:
    app.add_exception_handler(TenantryError, _tenantry_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(StaleDataError, _concurrent_write)
    app.add_exception_handler(IntegrityError, _concurrent_write)
