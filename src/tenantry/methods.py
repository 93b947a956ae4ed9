"""The ``Allow`` header of every 405 answer, API and pages alike.

Starlette answers 405 from the first route whose path matched, so ``Allow`` named only that
route's methods: ``OPTIONS /api/v1/organizations`` said ``GET`` though ``POST`` is routed there
too. This middleware asks the whole router instead, which also covers the page routes' error
pages (they do not carry the exception's headers).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Message, Receive, Scope, Send

from tenantry.http_middleware import HttpMiddleware

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """The methods some route would take at ``scope``'s path (mounted apps, which take every
    method and answer for themselves, are left out)."""
    return [
        method
        for method in METHODS
        if any(
            not isinstance(route, Mount)
            and route.matches({**scope, "method": method})[0] is Match.FULL
            for route in routes
        )
    ]


class AllowHeaderMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed_methods(scope["app"].router.routes, scope)
                if methods:
                    headers = [
                        (k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"
                    ]
                    message["headers"] = [*headers, (b"allow", ", ".join(methods).encode())]
            await send(message)

        await self.app(scope, receive, send_with_allow)
