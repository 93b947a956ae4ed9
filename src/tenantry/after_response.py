"""Work a request leaves for after its answer: run once the response is sent and the request's
transaction has ended, whether the endpoint answered or failed.

FastAPI's background tasks belong to the response they were added to, so an endpoint that raised
(its error then answered by an exception handler with a response of its own) dropped them: an
API token used only for calls that were refused never showed as used.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

from tenantry.http_middleware import HttpMiddleware

Work = Callable[[], Awaitable[None]]
_KEY = "tenantry.after_response"

log = structlog.get_logger(__name__)


def after_response(connection: HTTPConnection, work: Work) -> None:
    """Run ``work`` after this request's response (see the module's docstring)."""
    pending: list[Work] | None = connection.scope.get("state", {}).get(_KEY)
    if pending is None:
        raise RuntimeError(
            "AfterResponseMiddleware is not installed: create the app with tenantry.app"
        )
    pending.append(work)


class AfterResponseMiddleware(HttpMiddleware):
    """Runs what :func:`after_response` was given, in order, once the app has answered. Installed
    outermost, so the request's transaction has ended (its connection back in the pool) and the
    request's log line and metrics have been written without this time in them."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        pending: list[Work] = []
        scope.setdefault("state", {})[_KEY] = pending
        try:
            await self.app(scope, receive, send)
        finally:
            for work in pending:
                try:
                    await work()
                except Exception:
                    log.exception("work left for after the response failed", work=repr(work))
