"""``/api/docs`` works on a machine without internet access."""

from __future__ import annotations

import httpx

from tests.offline_docs import assert_served_locally


async def test_the_api_documentation_needs_no_internet(client: httpx.AsyncClient) -> None:
    await assert_served_locally(client, "/api/docs")
