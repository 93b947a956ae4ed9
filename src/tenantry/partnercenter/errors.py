"""One error hierarchy for everything the Partner Center client can raise.

Every error carries the HTTP status, Microsoft's ``code`` (always a string: Microsoft documents a
string but sends numbers) and ``description``, and the ``MS-RequestId`` of the call so support
cases can quote it. Classes are chosen first by Microsoft's code (per operation, then globally),
then by HTTP status.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar


class PartnerCenterError(Exception):
    """Base of every client error. ``outcome`` is the metrics label of the class."""

    outcome: ClassVar[str] = "error"

    def __init__(
        self,
        description: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        data: list[Any] | None = None,
        source: str | None = None,
        request_id: str | None = None,
        correlation_id: str | None = None,
        operation: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(description)
        self.description = description
        self.status = status
        self.code = code
        self.data = data or []
        self.source = source
        self.request_id = request_id
        self.correlation_id = correlation_id
        self.operation = operation
        self.retry_after = retry_after

    def __str__(self) -> str:
        parts = [self.operation or "partner center"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(f"code {self.code}")
        text = ", ".join(parts) + f": {self.description or type(self).__name__}"
        if self.request_id:
            text += f" (MS-RequestId {self.request_id})"
        return text


class PartnerCenterConfigurationError(PartnerCenterError):
    """The client lacks a setting the call needs (for example the refresh token)."""

    outcome = "configuration_error"


class TransportFailure(PartnerCenterError):
    """Timeouts or dropped connections outlasted the retries."""

    outcome = "transport_error"


class UnexpectedResponse(PartnerCenterError):
    """A success status whose body does not match the documented shape."""

    outcome = "unexpected_response"


class BadRequest(PartnerCenterError):
    outcome = "bad_request"


class Unauthorized(PartnerCenterError):
    outcome = "unauthorized"


class AuthenticationFailed(Unauthorized):
    """Microsoft Entra refused to issue a token (wrong secret, expired refresh token...)."""

    outcome = "authentication_failed"


class Forbidden(PartnerCenterError):
    outcome = "forbidden"


class NotFound(PartnerCenterError):
    outcome = "not_found"


class Conflict(PartnerCenterError):
    outcome = "conflict"


class PreconditionFailed(PartnerCenterError):
    outcome = "precondition_failed"


class Throttled(PartnerCenterError):
    """HTTP 429 outlasted the retries; ``retry_after`` holds the last advised wait."""

    outcome = "throttled"


class ServerError(PartnerCenterError):
    outcome = "server_error"


class DomainTaken(Conflict):
    """Create customer: the requested ``*.onmicrosoft.com`` domain already belongs to a tenant."""

    outcome = "domain_taken"


class RelationshipMissing(Forbidden):
    """Code 20002: the partner has no commerce relationship with the customer."""

    outcome = "relationship_missing"


class AgreementRequired(Forbidden):
    """Code 13605: no Microsoft Customer Agreement attestation for the customer."""

    outcome = "agreement_required"


class ResellerMpaNotAccepted(Forbidden):
    """Code 900123: the indirect reseller on the order has not accepted the MPA."""

    outcome = "reseller_mpa_not_accepted"


class AccessBlocked(Forbidden):
    """Codes 900308/900309: missing privileges or blocked by Conditional Access."""

    outcome = "access_blocked"


class TokenKindNotAllowed(PartnerCenterError):
    """Codes 900316/900329: the operation needs the other kind of token (app+user vs app-only)."""

    outcome = "token_kind_not_allowed"


class PartnerIdOnRecordInvalid(NotFound):
    """Code 2072: the PartnerID of record on an order is not a valid indirect reseller."""

    outcome = "partner_id_on_record_invalid"


class EtagMismatch(PreconditionFailed):
    """Code 2055 or HTTP 412: the resource changed since its ETag was read."""

    outcome = "etag_mismatch"


class LicensesExhausted(BadRequest):
    """Code 60012: no license of the SKU is left to assign."""

    outcome = "licenses_exhausted"


class MpnNotFound(NotFound):
    """Partner profile lookup: no partner has this PartnerID (MPN ID)."""

    outcome = "mpn_not_found"


class MpaStatusError(BadRequest):
    """Base of the errors of the indirect reseller MPA status check (codes 2000-2206)."""

    outcome = "mpa_status_error"


class InvalidPartnerIdentifier(MpaStatusError):
    """Codes 2000/2001: the MPN ID or tenant id is malformed, missing, or both were passed."""

    outcome = "invalid_partner_identifier"


class MpnInvalid(MpaStatusError):
    """Codes 2200/2205: the PartnerID is invalid or does not exist in Partner Center."""

    outcome = "mpn_invalid"


class MpaRegionMismatch(MpaStatusError):
    """Code 2201: the reseller is not in a CSP region the indirect provider serves."""

    outcome = "mpa_region_mismatch"


class MpaNotSigned(MpaStatusError):
    """Codes 2203/2206: the reseller has not signed the Microsoft Partner Agreement."""

    outcome = "mpa_not_signed"


class NotIndirectReseller(MpaStatusError):
    """Code 2204: the PartnerID is not enrolled as a CSP indirect reseller."""

    outcome = "not_indirect_reseller"


@dataclass(frozen=True, slots=True)
class ErrorRules:
    """Operation-specific mapping, consulted before the global one."""

    by_code: Mapping[str, type[PartnerCenterError]] = field(default_factory=dict)
    by_status: Mapping[int, type[PartnerCenterError]] = field(default_factory=dict)


GLOBAL_ERROR_CODES: Mapping[str, type[PartnerCenterError]] = {
    "20002": RelationshipMissing,
    "13605": AgreementRequired,
    "900123": ResellerMpaNotAccepted,
    "900308": AccessBlocked,
    "900309": AccessBlocked,
    "900316": TokenKindNotAllowed,
    "900329": TokenKindNotAllowed,
    "2072": PartnerIdOnRecordInvalid,
    "2055": EtagMismatch,
    "60012": LicensesExhausted,
}

STATUS_ERRORS: Mapping[int, type[PartnerCenterError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: EtagMismatch,
    429: Throttled,
}

MPA_STATUS_RULES = ErrorRules(
    by_code={
        "2000": InvalidPartnerIdentifier,
        "2001": InvalidPartnerIdentifier,
        "2200": MpnInvalid,
        "2205": MpnInvalid,
        "2201": MpaRegionMismatch,
        "2203": MpaNotSigned,
        "2206": MpaNotSigned,
        "2204": NotIndirectReseller,
    }
)
MPN_PROFILE_RULES = ErrorRules(by_status={404: MpnNotFound})
CREATE_CUSTOMER_RULES = ErrorRules(by_status={409: DomainTaken})
TOKEN_RULES = ErrorRules(by_status={400: AuthenticationFailed, 401: AuthenticationFailed})


@dataclass(frozen=True, slots=True)
class _Fault:
    code: str | None = None
    description: str = ""
    data: list[Any] = field(default_factory=list)
    source: str | None = None


def _parse_fault(content: bytes) -> _Fault:
    """Read any of the error shapes Microsoft sends.

    Partner Center: ``{code, description, data, source}``; Microsoft Graph:
    ``{"error": {code, message}}``; Microsoft Entra (OAuth): ``{error, error_description}``;
    the throttling gateway: ``{statusCode, message}``.
    """
    try:
        body = json.loads(content) if content else None
    except ValueError:
        return _Fault(description=content.decode("utf-8", "replace")[:1024])
    if not isinstance(body, dict):
        return _Fault(description="" if body is None else str(body)[:1024])
    error = body.get("error")
    if isinstance(error, dict):
        return _Fault(code=_code(error.get("code")), description=str(error.get("message") or ""))
    if isinstance(error, str):
        return _Fault(code=error, description=str(body.get("error_description") or ""))
    data = body.get("data")
    return _Fault(
        code=_code(body.get("code")),
        description=str(body.get("description") or body.get("message") or ""),
        data=list(data) if isinstance(data, list) else [],
        source=body.get("source") if isinstance(body.get("source"), str) else None,
    )


def _code(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_from_response(
    status: int,
    content: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    operation: str | None = None,
    request_id: str | None = None,
    correlation_id: str | None = None,
    rules: ErrorRules | None = None,
) -> PartnerCenterError:
    """Turn a failed HTTP answer into the most specific error class."""
    fault = _parse_fault(content)
    rules = rules or ErrorRules()
    cls: type[PartnerCenterError] | None = None
    if fault.code is not None:
        cls = rules.by_code.get(fault.code) or GLOBAL_ERROR_CODES.get(fault.code)
    if cls is None:
        cls = rules.by_status.get(status) or STATUS_ERRORS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else PartnerCenterError
    retry_after = parse_retry_after((headers or {}).get("Retry-After"))
    return cls(
        fault.description,
        status=status,
        code=fault.code,
        data=fault.data,
        source=fault.source,
        request_id=request_id,
        correlation_id=correlation_id,
        operation=operation,
        retry_after=retry_after,
    )
