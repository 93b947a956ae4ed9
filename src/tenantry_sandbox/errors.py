"""Partner Center's error model, raised by every route and rendered in one place.

Microsoft documents ``{"code", "description", "data", "source"}``; the samples show ``code`` as a
JSON number, so the sandbox emits integers. Throttling is the exception: API Management answers 429
with ``{"statusCode", "message"}`` and a ``Retry-After`` header (see ``throttled_response``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from tenantry_sandbox.ratelimit import Throttled
from tenantry_sandbox.responses import PartnerCenterJSONResponse

logger = logging.getLogger("tenantry_sandbox")


class PartnerCenterError(Exception):
    """An error answer: HTTP status plus Partner Center's numeric code and description."""

    def __init__(
        self,
        status: int,
        code: int,
        description: str,
        *,
        data: Sequence[str] = (),
        source: str = "PartnerFD",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.data = list(data)
        self.source = source
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "description": self.description[:1024],
            "data": self.data,
            "source": self.source,
            "attributes": {"objectType": "ApiFault"},
        }

    def response(self) -> Response:
        return PartnerCenterJSONResponse(self.body(), status_code=self.status, headers=self.headers)


# The catalogue: one constructor per documented (or assumed, see docs/sandbox.md) error.


def access_denied(reason: str) -> PartnerCenterError:
    return PartnerCenterError(
        401, 400, f"Access denied: {reason}", headers={"WWW-Authenticate": "Bearer"}
    )


def app_only_not_supported() -> PartnerCenterError:
    return PartnerCenterError(
        403, 900329, "This resource does not support application-only authentication."
    )


def invalid_property(description: str, *fields: str) -> PartnerCenterError:
    return PartnerCenterError(400, 3000, description, data=fields)


def not_found(description: str = "Not found") -> PartnerCenterError:
    return PartnerCenterError(404, 1000, description)


def tenant_not_found(tenant_id: uuid.UUID | str) -> PartnerCenterError:
    return PartnerCenterError(404, 60003, f"Tenant {tenant_id} not found")


def no_relationship(partner_id: uuid.UUID, customer_id: uuid.UUID | str) -> PartnerCenterError:
    return PartnerCenterError(
        403,
        20002,
        f"The partner ID {partner_id} has no commerce relationship with the customer ID "
        f"{customer_id}.",
    )


def etag_mismatch() -> PartnerCenterError:
    return PartnerCenterError(412, 2055, "Etag is no longer valid")


def method_not_allowed() -> PartnerCenterError:
    return PartnerCenterError(405, 405, "The requested method is not allowed on this resource.")


def not_in_network(reseller: object, provider: uuid.UUID) -> PartnerCenterError:
    """403 / 600006, the code seen when creating customers the caller may not create."""
    return PartnerCenterError(
        403,
        600006,
        f"The requested action is not allowed: {reseller} is not an indirect reseller of "
        f"partner {provider}.",
    )


def mpa_not_accepted() -> PartnerCenterError:
    return PartnerCenterError(
        403, 900123, "Microsoft Partner Agreement hasn't been accepted by the indirect reseller"
    )


_SERVER_ERRORS = {
    500: "An internal error occurred. Please retry the request.",
    502: "The gateway received an invalid response. Please retry the request.",
    503: "The service is temporarily unavailable. Please retry the request.",
    504: "The request timed out at the gateway. Please retry the request.",
}


def server_error(status: int = 500) -> PartnerCenterError:
    return PartnerCenterError(status, status, _SERVER_ERRORS.get(status, _SERVER_ERRORS[500]))


def throttled_response(retry_after: int) -> Response:
    """API Management's 429: a different body from every other error, plus ``Retry-After``."""
    return PartnerCenterJSONResponse(
        {
            "statusCode": 429,
            "message": f"Rate limit is exceeded. Try again in {retry_after} seconds.",
        },
        status_code=429,
        headers={"Retry-After": str(retry_after)},
    )


def _describe_validation(exc: RequestValidationError) -> tuple[str, list[str]]:
    fields: list[str] = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        fields.append(".".join(location) or "body")
    description = "Invalid property: " + ", ".join(fields) if fields else "Invalid request body"
    return description, fields


def install_error_handlers(app: FastAPI) -> None:
    """Render every error (ours, routing's, validation's) in Partner Center's shape."""

    async def partner_center_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PartnerCenterError)
        return exc.response()

    async def validation_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        description, fields = _describe_validation(exc)
        return invalid_property(description, *fields).response()

    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return not_found("The requested resource was not found.").response()
        if exc.status_code == 405:
            return method_not_allowed().response()
        return PartnerCenterError(exc.status_code, exc.status_code, str(exc.detail)).response()

    async def throttled(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Throttled)
        return throttled_response(exc.retry_after)

    app.add_exception_handler(PartnerCenterError, partner_center_error)
    app.add_exception_handler(Throttled, throttled)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
