"""The sandbox's card stand-in for tests: Tenantry's card adapter calls it over its ASGI
transport, and it posts its signed events to the app's card webhook the same way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tenantry.orders.payments import card
from tenantry.settings import CARD_WEBHOOK_PATH, Settings
from tenantry_sandbox import SandboxSettings, create_app

CARD_API = "http://card.test"
CARD_SETTINGS = {"payment_providers": "manual,card", "card_api_url": CARD_API}


@pytest.fixture
async def card_service(app: FastAPI, settings: Settings, tmp_path: Path) -> AsyncIterator[
    httpx.AsyncClient
]:  # fmt: skip
    """The sandbox's card stand-in: the app calls it, it posts its events to the app."""
    sandbox = create_app(
        SandboxSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'card-sandbox.db'}",
            base_url=CARD_API,
            smtp_port=0,
            card_webhook_url=f"http://testserver{CARD_WEBHOOK_PATH}",
            card_secret_key=settings.card_secret_key,
            card_webhook_secret=settings.card_webhook_secret,
        )
    )
    await sandbox.state.sandbox.ensure_started()
    sandbox.state.sandbox.webhook_transport = httpx.ASGITransport(app=app)
    card.configure(settings, httpx.ASGITransport(app=sandbox))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox), base_url=CARD_API
    ) as browser:
        yield browser
    await sandbox.state.sandbox.close()
