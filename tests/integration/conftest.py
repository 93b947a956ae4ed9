"""The product's Partner Center client against the sandbox over real HTTP.

The sandbox runs under uvicorn in a thread of its own (its own event loop) on a free 127.0.0.1
port and a SQLite database in a temporary directory: one server per test module, emptied with
``POST /_sandbox/reset`` before each test. The client is configured the way the product
configures it, ``PartnerCenterConfig.from_settings(Settings(...))``, with only the two URLs set:
every identity setting is the product's default.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from tenantry.partnercenter import PartnerCenterClient, PartnerCenterConfig, TokenBucket
from tenantry.settings import Settings
from tenantry_sandbox import SandboxSettings, create_app
from tests.threaded_servers import STARTUP_DEADLINE_SECONDS, ThreadServer, free_listener


@dataclass
class LiveServer:
    """A sandbox served by uvicorn on a real socket, in a background thread
    (``tests.threaded_servers``: a failed test's report shows where it was)."""

    url: str
    settings: SandboxSettings
    server: ThreadServer

    @classmethod
    def start(cls, database: Path) -> LiveServer:
        listener = free_listener()
        port = listener.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        settings = SandboxSettings(
            database_url=f"sqlite+aiosqlite:///{database}",
            host="127.0.0.1",
            port=port,
            base_url=url,
            smtp_port=0,
        )
        server = ThreadServer.launch(
            create_app(settings), listener, "sandbox", log_config=None, access_log=False
        )
        live = cls(url, settings, server)
        live.wait_until_started()
        return live

    def wait_until_started(self) -> None:
        thread = self.server.thread
        assert thread is not None
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while not self.server.started:
            assert thread.is_alive(), "the sandbox server stopped during startup"
            assert time.monotonic() < deadline, "the sandbox server did not start in time"
            # Waits on the server thread: returns at once should it die.
            thread.join(0.02)

    def stop(self) -> None:
        self.server.halt(STARTUP_DEADLINE_SECONDS)
        assert self.server.thread is not None
        assert not self.server.thread.is_alive(), "the sandbox server did not stop"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer.start(tmp_path_factory.mktemp("sandbox") / "sandbox.db")
    yield live
    live.stop()


@dataclass
class Recorder:
    """Every request the client put on the wire (an httpx request hook)."""

    requests: list[httpx.Request] = field(default_factory=list)

    async def __call__(self, request: httpx.Request) -> None:
        self.requests.append(request)

    def grants(self) -> list[str]:
        """The ``grant_type`` of each token request, in order."""
        return [
            parse_qs(request.content.decode())["grant_type"][0]
            for request in self.requests
            if request.url.path.endswith("/oauth2/v2.0/token")
        ]

    def token_kinds(self, path_prefix: str) -> set[str]:
        """The ``idtyp`` claim (``app`` or ``user``) of the bearer tokens sent under a path."""
        return {
            jwt_claims(request.headers["Authorization"].removeprefix("Bearer "))["idtyp"]
            for request in self.requests
            if request.url.path.startswith(path_prefix) and "Authorization" in request.headers
        }


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


@dataclass
class Sandbox:
    """The live sandbox of a test: its control API and clients of the product configured for it."""

    live: LiveServer
    control_client: httpx.AsyncClient
    _http_clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.live.url

    @property
    def settings(self) -> SandboxSettings:
        return self.live.settings

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.control_client.request(method, f"/_sandbox{path}", **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def product_settings(self) -> Settings:
        """The product's settings with only the two URLs pointed at this sandbox."""
        return Settings(partner_center_api_url=self.url, partner_center_login_url=self.url)

    def config(self, **changes: Any) -> PartnerCenterConfig:
        """The product's config, with a short backoff so injected failures cost milliseconds."""
        config = PartnerCenterConfig.from_settings(self.product_settings())
        return dataclasses.replace(config, **{"backoff_base": 0.01, "backoff_max": 0.1, **changes})

    def client(
        self, config: PartnerCenterConfig | None = None, **options: Any
    ) -> tuple[PartnerCenterClient, Recorder]:
        """A client over a real HTTP connection pool, and what it sends.

        Its rate limiter is out of the way (it has tests of its own): with the production bucket
        a few hundred calls would spend most of the run pacing themselves.
        """
        recorder = Recorder()
        http = httpx.AsyncClient(timeout=30, event_hooks={"request": [recorder]})
        self._http_clients.append(http)
        options.setdefault("limiter", TokenBucket(1e6, 1e6))
        return PartnerCenterClient(config or self.config(), http=http, **options), recorder

    async def reseller(self, name: str, **fields: Any) -> dict[str, Any]:
        created: dict[str, Any] = await self.control(
            "POST", "/resellers", json={"name": name, **fields}
        )
        return created

    async def customer(self, **fields: Any) -> dict[str, Any]:
        created: dict[str, Any] = await self.control("POST", "/customers", json=fields)
        return created

    @property
    def partner_tenant_id(self) -> uuid.UUID:
        return self.settings.partner_tenant_id

    async def close(self) -> None:
        for http in self._http_clients:
            await http.aclose()


@pytest.fixture
async def sandbox(live_server: LiveServer) -> AsyncIterator[Sandbox]:
    async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as control_client:
        sandbox = Sandbox(live_server, control_client)
        await sandbox.control("POST", "/reset")
        try:
            yield sandbox
        finally:
            await sandbox.close()
