"""Writes are idempotent per ``MS-RequestId``: a retry replays the first answer.

Microsoft: "If there's a timeout, the retry call should include the same value. Upon receiving a
response (success or business failure), the value should be reset for the next call." So the
sandbox keeps the answer to every write that carried an ``MS-RequestId`` and reached a verdict
(2xx, or a 4xx business failure) and answers a repeat from the store without acting again. Answers
a client should retry (401, 408, 429, 5xx) are not kept. Keys are scoped to the calling partner,
method and path; a repeat arriving while the first is still being processed waits for it.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from sqlalchemy import delete
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenantry_sandbox.state import SandboxState
from tenantry_sandbox.store.idempotency import StoredResponse
from tenantry_sandbox.tokens import InvalidToken

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRYABLE = frozenset({401, 408, 429})


def _keeps(status: int) -> bool:
    return status < 500 and status not in RETRYABLE


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in WRITE_METHODS
            or not scope["path"].startswith("/v1/")
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = headers.get("ms-requestid")
        state: SandboxState = scope["app"].state.sandbox
        partner = await self._partner_of(state, headers.get("authorization", ""))
        if not request_id or partner is None:
            await self.app(scope, receive, send)
            return
        key = (partner, request_id[:128], scope["method"], scope["path"][:512])
        async with state.write_locks.hold(key):
            async with state.db.sessionmaker() as session:
                stored = await session.get(StoredResponse, key)
                expiry = state.clock.now() - timedelta(
                    seconds=state.settings.idempotency_ttl_seconds
                )
                if stored is not None and stored.created_at > expiry:
                    await self._replay(stored, send)
                    return
            await self._run_and_keep(scope, receive, send, state, key)

    @staticmethod
    async def _partner_of(state: SandboxState, authorization: str) -> uuid.UUID | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            caller = await state.tokens.verify(token.strip(), state.db.sessionmaker)
        except InvalidToken:
            return None
        return caller.tenant_id

    @staticmethod
    async def _replay(stored: StoredResponse, send: Send) -> None:
        raw_headers = [
            (name.encode(), value.encode()) for name, value in json.loads(stored.headers)
        ]
        await send({"type": "http.response.start", "status": stored.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": stored.body, "more_body": False})

    async def _run_and_keep(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        state: SandboxState,
        key: tuple[uuid.UUID, str, str, str],
    ) -> None:
        status = 0
        kept_headers: list[list[str]] = []
        body = bytearray()

        async def capture(message: Message) -> None:
            nonlocal status, kept_headers
            if message["type"] == "http.response.start":
                status = int(message["status"])
                kept_headers = [
                    [name.decode("latin-1"), value.decode("latin-1")]
                    for name, value in message.get("headers", [])
                ]
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if not _keeps(status):
            return
        partner, request_id, method, path = key
        async with state.db.sessionmaker() as session, session.begin():
            await session.execute(
                delete(StoredResponse).where(
                    StoredResponse.partner_tenant_id == partner,
                    StoredResponse.request_id == request_id,
                    StoredResponse.method == method,
                    StoredResponse.path == path,
                )
            )
            session.add(
                StoredResponse(
                    partner_tenant_id=partner,
                    request_id=request_id,
                    method=method,
                    path=path,
                    status=status,
                    headers=json.dumps(kept_headers),
                    body=bytes(body),
                    created_at=state.clock.now(),
                )
            )
