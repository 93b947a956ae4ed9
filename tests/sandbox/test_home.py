"""The sandbox's home page: the address ``tenantry serve`` prints leads somewhere useful."""

from __future__ import annotations

import re

import httpx

from tenantry.server import sandbox_server
from tenantry.settings import Settings
from tests.offline_docs import assert_served_locally
from tests.sandbox.conftest import Sandbox


async def test_the_home_page_links_the_mailbox_the_admin_center_and_the_control_api(
    sandbox: Sandbox,
) -> None:
    home = await sandbox.client.get("/")

    assert home.status_code == 200
    assert home.headers["content-type"].startswith("text/html")
    links = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', home.text))
    assert links == {
        "/_sandbox/mailbox": "Mailbox",
        "/AdminPortal/Home": "Microsoft 365 admin center",
        "/_sandbox/docs": "Control API",
    }
    for path in links:
        answer = await sandbox.client.get(path)
        # The admin center sends a visitor who is not signed in to the sign-in page.
        assert answer.status_code in (200, 302, 303), (path, answer.status_code)


async def test_the_banner_names_the_home_page(sandbox: Sandbox) -> None:
    settings = Settings(
        environment="test",
        database_url="sqlite+aiosqlite:///unused.db",
        sandbox_port=8171,
        sandbox_database_url="sqlite+aiosqlite:///unused-sandbox.db",
    )
    _, part = sandbox_server(settings)

    url = part.state.split()[0]
    assert url == "http://127.0.0.1:8171/"
    answer = await sandbox.client.get(httpx.URL(url).path)
    assert answer.status_code == 200
    assert "/_sandbox/mailbox" in answer.text


async def test_the_api_documentation_needs_no_internet(sandbox: Sandbox) -> None:
    await assert_served_locally(sandbox.client, "/_sandbox/docs")
