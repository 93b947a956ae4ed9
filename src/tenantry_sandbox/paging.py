"""Seek paging, one implementation for every seek-based collection (customers, users).

First page: ``GET ...?size=N[&filter=...]``. The answer carries a top-level ``continuationToken``
and ``links.next`` (``?seekOperation=Next`` plus an ``MS-ContinuationToken`` header) while more
rows remain. The next call sends only ``seekOperation=Next`` and the header, as the .NET SDK does,
so the token itself remembers the page size, the filter and the last key seen.

Tokens are opaque to clients, signed (HMAC-SHA256) and bound to the collection and the partner, so
a forged or foreign token is refused with 400.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from tenantry_sandbox.errors import invalid_property
from tenantry_sandbox.resources import Collection, Link, LinkHeader, Links, attributes

R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class Cursor:
    scope: str
    size: int
    after: int = 0
    filter: str | None = None


class PageTokens:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"continuation:" + secret.encode()).digest()

    def _sign(self, payload: bytes) -> str:
        digest = hmac.new(self._key, payload, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()

    def encode(self, cursor: Cursor) -> str:
        payload = json.dumps(
            {"s": cursor.scope, "n": cursor.size, "k": cursor.after, "f": cursor.filter},
            separators=(",", ":"),
        ).encode()
        return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + self._sign(payload)

    def decode(self, token: str, scope: str) -> Cursor:
        try:
            body, signature = token.strip().rsplit(".", 1)
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            if not hmac.compare_digest(signature, self._sign(payload)):
                raise ValueError("bad signature")
            data = json.loads(payload)
            cursor = Cursor(
                scope=str(data["s"]), size=int(data["n"]), after=int(data["k"]), filter=data["f"]
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise invalid_property(
                "The continuation token is not valid.", "MS-ContinuationToken"
            ) from exc
        if cursor.scope != scope:
            raise invalid_property(
                "The continuation token belongs to another collection.", "MS-ContinuationToken"
            )
        return cursor


@dataclass(frozen=True)
class SeekRequest:
    """What a seek-paged call asked for; ``cursor()`` resolves it for one collection."""

    tokens: PageTokens
    size: int
    filter: str | None
    next_token: str | None

    def cursor(self, scope: str) -> Cursor:
        if self.next_token is not None:
            return self.tokens.decode(self.next_token, scope)
        return Cursor(scope=scope, size=self.size, filter=self.filter)


@dataclass(frozen=True)
class Page(Generic[R]):
    rows: list[R]
    next_token: str | None


def cut(tokens: PageTokens, cursor: Cursor, rows: list[R], key: Callable[[R], int]) -> Page[R]:
    """Turn ``size + 1`` fetched rows into a page and, when more remain, the next token."""
    if len(rows) <= cursor.size:
        return Page(rows, None)
    kept = rows[: cursor.size]
    return Page(kept, tokens.encode(replace(cursor, after=key(kept[-1]))))


def seek_collection(items: list[T], next_token: str | None, *, self_uri: str) -> Collection[T]:
    """A seek-based ``Collection``: ``continuationToken`` and ``links.next`` while more remain."""
    path = self_uri.split("?", 1)[0]
    # The next link is followed as is, so it always carries the version segment.
    path = path if path.startswith("/v1/") else "/v1" + path
    next_link = (
        Link(
            uri=f"{path}?seekOperation=Next",
            headers=[LinkHeader(key="MS-ContinuationToken", value=next_token)],
        )
        if next_token
        else None
    )
    return Collection[T](
        continuation_token=next_token,
        total_count=len(items),
        items=items,
        links=Links(self_=Link(uri=self_uri), next=next_link),
        attributes=attributes("Collection"),
    )


def slice_page(tokens: PageTokens, cursor: Cursor, rows: list[R]) -> Page[R]:
    """A page of a list computed whole (the catalog's listings): ``cursor.after`` is the offset
    of the page's first row, and the next token points past its last."""
    end = cursor.after + cursor.size
    if end >= len(rows):
        return Page(rows[cursor.after :], None)
    return Page(rows[cursor.after : end], tokens.encode(replace(cursor, after=end)))


def linked_collection(items: list[T], next_token: str | None, *, self_uri: str) -> Collection[T]:
    """A paged catalog ``Collection``: while more remain, ``links.next`` repeats the query (country,
    target view) with ``seekOperation=Next`` and carries the token in its ``MS-ContinuationToken``
    header, so a client can follow the link as it is or send the token with its own query."""
    separator = "&" if "?" in self_uri else "?"
    next_link = (
        Link(
            uri=f"{self_uri}{separator}seekOperation=Next",
            headers=[LinkHeader(key="MS-ContinuationToken", value=next_token)],
        )
        if next_token
        else None
    )
    return Collection[T](
        total_count=len(items),
        items=items,
        links=Links(self_=Link(uri=self_uri), next=next_link),
        attributes=attributes("Collection"),
    )
