"""Partner Center's response headers on every answer, and the last word on unexpected errors.

``MS-CorrelationId`` and ``MS-RequestId`` are echoed (or generated when the caller sent none, as
the service does), ``MS-CV`` and ``MS-ServerId`` added. An exception no handler caught becomes a
500 in Partner Center's error shape here, inside the header logic, so it carries the headers too.
"""

from __future__ import annotations

import base64
import logging
import secrets
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantry_sandbox.errors import server_error
from tenantry_sandbox.faults import ConnectionDropped

logger = logging.getLogger("tenantry_sandbox")


def _correlation_vector() -> str:
    return base64.b64encode(secrets.token_bytes(12)).decode()[:16] + ".0"


class PartnerCenterHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state.sandbox
        await state.ensure_started()
        request_headers = Headers(scope=scope)
        echo = {
            "MS-CorrelationId": request_headers.get("ms-correlationid") or str(uuid.uuid4()),
            "MS-RequestId": request_headers.get("ms-requestid") or str(uuid.uuid4()),
            "MS-CV": request_headers.get("ms-cv") or _correlation_vector(),
            "MS-ServerId": state.settings.server_id,
        }
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in echo.items():
                    headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except ConnectionDropped:
            raise
        except Exception:
            logger.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if started:
                raise
            await server_error(500).response()(scope, receive, send_with_headers)
