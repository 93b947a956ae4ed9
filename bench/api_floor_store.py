"""The store floor: what the app's GET /store (``orders.pages.platform_store``, an anonymous
visitor) cannot avoid doing, captured from the app itself once, at start.

The app is asked for /store in this process (``api_capture``: its statements recorded as they
reach the driver), and the ``http.response.debug`` ASGI extension (Starlette's templates announce their template and
context through it, as its test client uses) hands over the template and the context the page
was rendered with. The floor then, per request, runs the same statements through the raw driver
in one transaction and renders the same template with the same context: the app's Python work
between the rows and the context (the ORM, pricing, the storefront's rules) is what it skips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from api_capture import Exchange
from jinja2 import Template

# Headers the app's middleware adds per request; everything else the page answers with is kept.
PER_REQUEST_HEADERS = frozenset({b"content-length", b"x-request-id"})
# Values in a page that differ per request by design, blanked before two pages are compared.
PER_REQUEST_VALUES = re.compile(r'((?:nonce|name="csrf_token" value|csrf-token" content)=)"[^"]*"')

Statement = tuple[str, tuple[Any, ...]]


@dataclass(frozen=True)
class StorePage:
    statements: list[Statement]
    template: Template
    context: dict[str, Any]
    headers: list[tuple[bytes, bytes]]
    body: bytes  # the app's own answer when captured, to check the floor's rendering against

    def render(self) -> bytes:
        # What Starlette's TemplateResponse does with the template and its context.
        return self.template.render(self.context).encode()


def normalised(html: str) -> str:
    """``html`` with its per-request values (CSP nonces, CSRF tokens) blanked."""
    return PER_REQUEST_VALUES.sub(r'\1""', html)


def store_page(exchange: Exchange) -> StorePage:
    """The floor's store page from the app's answer to GET /store (``api_capture``)."""
    by_type = {m["type"]: m for m in exchange.messages}
    start = exchange.start
    if start["status"] != 200 or "http.response.debug" not in by_type:
        raise SystemExit(f"the app's GET /store answered {start['status']} without a template")
    info = by_type["http.response.debug"]["info"]
    return StorePage(
        statements=[(s.sql, s.parameters) for s in exchange.reads("/store")],
        template=info["template"],
        context=dict(info["context"]),
        headers=[(k, v) for k, v in start["headers"] if k.lower() not in PER_REQUEST_HEADERS],
        body=exchange.body,
    )
