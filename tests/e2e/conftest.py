"""Browser journeys: a real uvicorn server on a free local port, driven by headless Chromium.

The server runs in a thread with its own event loop, on a SQLite database built by the
migrations. Playwright never downloads a browser: it drives Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.identity.service import add_membership, create_user
from tenantry.models import Role
from tenantry.settings import Settings
from tests.e2e.timing import ACTION_TIMEOUT_MS
from tests.factories import World, make_world
from tests.threaded_servers import free_listener, served

expect.set_options(timeout=ACTION_TIMEOUT_MS)

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
PASSWORD = "correct horse battery staple"


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

    listener = free_listener()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    async with served(create_app(settings), listener):
        yield LiveServer(
            url=url,
            world=world,
            admin_email=admin_email,
            settings=settings,
            database_url=settings.database_url,
        )


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
