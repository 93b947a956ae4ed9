"""The interactive API documentation works without internet: every asset it loads is ours."""

from __future__ import annotations

import re

import httpx


async def assert_served_locally(client: httpx.AsyncClient, docs_path: str) -> None:
    """The page at ``docs_path`` loads its scripts, styles and icon from the same server."""
    page = await client.get(docs_path)
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', page.text)
    assert assets, page.text
    for url in assets:
        assert url.startswith("/"), f"{docs_path} loads {url} from another server"
        answer = await client.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
        assert len(answer.content) > 1000, url
    assert any(url.endswith(".js") for url in assets)
    assert any(url.endswith(".css") for url in assets)
