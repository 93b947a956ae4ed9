"""Per-request facts (request id, client address) that logs and the audit trail need."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str | None = None
    ip: str | None = None


_NO_REQUEST = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("tenantry_request", default=None)


def current_request() -> RequestContext:
    return _current.get() or _NO_REQUEST


def set_current_request(context: RequestContext) -> None:
    _current.set(context)
