"""Helpers of the tests of the sandbox's outside world: sign-in, admin center, webhooks, mailbox.

- ``database_url``: the conftest's fixture, but PostgreSQL runs use ``sandbox_world_test`` (created
  when missing) so these tests never share a database with others running at the same time.
  Test modules import it, which makes it their fixture.
- ``Browser``: follows a person through the sandbox's pages (redirects, the sign-in form).
- ``Receiver``: a real HTTP server on 127.0.0.1 in a thread, recording what is posted to it.
- ``eventually``: poll a condition with a deadline instead of sleeping a fixed time.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.sandbox.conftest import BACKENDS, Sandbox, reachable_postgres_url, sqlite_url

T = TypeVar("T")
WORLD_DATABASE = "sandbox_world_test"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return reachable_postgres_url(WORLD_DATABASE)


async def eventually(
    check: Callable[[], Awaitable[T | None]], *, within: float = 10.0, interval: float = 0.05
) -> T:
    """The first truthy result of ``check``, polling until ``within`` seconds have passed."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(interval)


class _Forms(HTMLParser):
    """The first form of a page: its action and the values a browser would post."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action, self._in_form = values.get("action", ""), True
        elif tag == "input" and self._in_form and values.get("type") == "hidden":
            self.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def first_form(html: str) -> tuple[str, dict[str, str]]:
    parser = _Forms()
    parser.feed(html)
    assert parser.action is not None, "the page has no form"
    return parser.action, parser.fields


@dataclass
class Browser:
    """A person at the sandbox's pages: one cookie jar, redirects followed one by one.

    URLs stay absolute, so one browser can walk between the sandbox and a relying party when
    its client routes hosts to different apps (see ``Hosts``).
    """

    client: httpx.AsyncClient

    async def open(self, url: str, *, sign_in_as: str | None = None) -> httpx.Response:
        """GET ``url``; when the sign-in page comes up, sign in as ``sign_in_as`` and go on."""
        response = await self.client.get(url)
        for _ in range(12):
            if response.is_redirect:
                response = await self.client.get(response.url.join(response.headers["location"]))
            elif sign_in_as and "/oauth2/v2.0/authorize" in response.url.path:
                response = await self.sign_in(response, sign_in_as)
                sign_in_as = None
            else:
                return response
        raise AssertionError("too many redirects")

    async def sign_in(self, page: httpx.Response, username: str, **extra: str) -> httpx.Response:
        """Post the sign-in form as a person would, picking ``username``."""
        assert page.status_code == 200, page.text
        _, fields = first_form(page.text)
        data = {**fields, "username": username, "action": "accept", **extra}
        return await self.client.post(page.url, data=data)

    async def submit(self, page: httpx.Response, **values: str) -> httpx.Response:
        """Post the page's first form with its hidden fields plus ``values``; follow redirects."""
        action, fields = first_form(page.text)
        response = await self.client.post(page.url.join(action), data={**fields, **values})
        while response.is_redirect:
            response = await self.client.get(response.url.join(response.headers["location"]))
        return response


class Hosts(httpx.AsyncBaseTransport):
    """Route each host to its own in-process app (the sandbox, a relying party...)."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.transports = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transports[request.url.host].handle_async_request(request)


def query_of(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    return {key: values[0] for key, values in parse_qs(parts.query or parts.fragment).items()}


async def graph_headers(sandbox: Sandbox, tenant: str | None = None) -> dict[str, str]:
    """An App+User Microsoft Graph token of the distributor's admin (or of ``tenant``)."""
    refresh = await sandbox.refresh_token(None if tenant is None else uuid.UUID(tenant))
    response = await sandbox.token_response(
        tenant, grant_type="refresh_token", refresh_token=refresh, scope=GRAPH_SCOPE
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@dataclass
class Delivery:
    """One post the receiver got; header names lower-cased."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver: answers with ``statuses`` in turn (then 200), records every post."""

    url: str
    received: list[Delivery] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    """A ``Receiver`` listening on a free port of 127.0.0.1 for the test's duration."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/partner-center/events")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                headers = {name.lower(): value for name, value in self.headers.items()}
                state.received.append(Delivery(self.path, headers, body))
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
