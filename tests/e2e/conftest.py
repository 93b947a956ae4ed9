"""Browser journeys: a real uvicorn server on a free local port, driven by headless Chromium.

The server runs in a thread with its own event loop, on a SQLite database built by the
migrations. Playwright never downloads a browser: it drives Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.identity.service import add_membership, create_user
from tenantry.models import Role
from tenantry.settings import Settings
from tests.e2e.timing import ACTION_TIMEOUT_MS
from tests.factories import World, make_world

expect.set_options(timeout=ACTION_TIMEOUT_MS)

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
PASSWORD = "correct horse battery staple"
# A ceiling for the poll, not a wait: a server is ready in well under a second on a quiet machine,
# but a 2-core CI host running two test workers and the databases has been seen to take over 20 s.
STARTUP_DEADLINE_SECONDS = 60


@dataclass(frozen=True)
class LiveServer:
    url: str
    world: World
    admin_email: str  # a platform admin of the seeded platform
    settings: Settings | None = None  # the server's, for tests that seed more
    database_url: str = ""  # the server's database, for a test to put rows in it


async def _seed(settings: Settings) -> tuple[World, str]:
    database = Database(settings)
    try:
        world = await make_world(database)
        async with database.transaction() as session:
            user = await create_user(
                session, email="operations@northwind.example", full_name="Olivia Operations",
                password=PASSWORD, verified=True,
            )  # fmt: skip
            await add_membership(
                session, None, user, world.platform.organization, Role.PLATFORM_ADMIN
            )
        return world, user.email
    finally:
        await database.dispose()


async def _wait_until_ready(url: str, thread: threading.Thread, path: str = "/healthz") -> None:
    """Poll ``path`` until it answers 200, failing at the deadline or if the server died."""
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            assert thread.is_alive(), "the server thread stopped during startup"
            try:
                if (await client.get(f"{url}{path}")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            # Not ready yet: wait briefly on the server thread (returns at once if it died).
            await asyncio.to_thread(thread.join, 0.05)
    pytest.fail(
        f"the server at {url} was not ready within {STARTUP_DEADLINE_SECONDS} s; "
        f"its thread was at:\n{_stack_of(thread)}"
    )


def _stack_of(thread: threading.Thread) -> str:
    """Where ``thread`` is now, so a server that never became ready says what it waited on."""
    frame = sys._current_frames().get(thread.ident or -1)
    return "".join(traceback.format_stack(frame)) if frame else "(the thread has ended)"


@pytest.fixture(scope="module")
async def live_server(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveServer]:
    path = tmp_path_factory.mktemp("e2e") / "tenantry.db"
    shutil.copyfile(sqlite_template, path)
    settings = Settings(
        environment="test",
        database_url=f"sqlite+aiosqlite:///{path}",
        queue_url="memory://",
        log_json=False,
        log_level="WARNING",
        smtp_url="smtp://127.0.0.1:1",
    )
    world, admin_email = await _seed(settings)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # a free port, held from now on: no race for it
    listener.listen(64)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="e2e-server", daemon=True
    )
    thread.start()
    try:
        await _wait_until_ready(url, thread)
        yield LiveServer(
            url=url,
            world=world,
            admin_email=admin_email,
            settings=settings,
            database_url=settings.database_url,
        )
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 10)
        listener.close()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.skip(f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser, live_server: LiveServer) -> AsyncIterator[Page]:
    context = await browser.new_context(base_url=live_server.url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    opened = await context.new_page()
    yield opened
    await context.close()
