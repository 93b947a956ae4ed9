"""Registration from a storefront, page by page: the app's mail goes to a local SMTP server,
the outbox's jobs run when a test says so (``deliver``), and Microsoft is the sandbox."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import Organization, PlatformConfig, User
from tenantry.settings import Settings
from tests.factories import World
from tests.identity_flows.conftest import deliver, link_in, mails_to, page_text
from tests.jobs.conftest import clock, job_queue  # noqa: F401  (fixtures used here)
from tests.notifications.conftest import (  # noqa: F401  (fixtures used here)
    mail_settings,
    smtp_server,
)
from tests.sandbox.conftest import BASE_URL as SANDBOX_URL
from tests.sandbox.conftest import Sandbox, sqlite_sandbox  # noqa: F401  (fixture used here)
from tests.web.html import Page

__all__ = ["Sandbox", "deliver", "link_in", "mails_to", "page_text"]
PASSWORD = "violet staple orbit lantern"
SELLER_CC = "sales-desk@northwind.example"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"partner_center_api_url": SANDBOX_URL, "partner_center_login_url": SANDBOX_URL}


@pytest.fixture
async def platform_rules(database: Database, world: World) -> World:
    """The platform allows EUR and USD and copies its sales desk on registration emails."""
    async with database.transaction() as session:
        await session.execute(
            update(PlatformConfig)
            .where(PlatformConfig.platform_id == world.platform.id)
            .values(allowed_currencies=["EUR", "USD"], notification_cc=[SELLER_CC])
        )
    return world


@pytest.fixture
def app(
    mail_settings: Settings,  # noqa: F811  (the imported fixture, as a parameter)
    database: Database,
    job_queue: JobQueue,  # noqa: F811
    sqlite_sandbox: Sandbox,  # noqa: F811
    platform_rules: World,
) -> FastAPI:
    return create_app(
        mail_settings, database=database, queue=job_queue,
        http_transport=httpx.ASGITransport(app=sqlite_sandbox.app),
    )  # fmt: skip


def form_token(response: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert match, response.text
    return match.group(1)


def hidden(response: httpx.Response, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', response.text)
    assert match, response.text
    return match.group(1)


@dataclass(frozen=True)
class Registrant:
    email: str
    full_name: str


async def sign_up(
    client: httpx.AsyncClient,
    email: str = "erin@fabrikam.example",
    *,
    next_path: str = "/store",
    **overrides: str,
) -> httpx.Response:
    page = await client.get(f"/register?next={next_path}")
    data = {
        "csrf_token": form_token(page), "next": next_path, "full_name": "Erin Example",
        "email": email, "password": PASSWORD, "password_confirmation": PASSWORD,
    } | overrides  # fmt: skip
    return await client.post("/register", data=data)


def organization_form(**overrides: str) -> dict[str, str]:
    return {
        "legal_name": "Fabrikam ApS", "industry": "retail", "registration_number": "13585628",
        "vat_id": "DK13585628", "domain": "fabrikam.example", "address.line1": "Nørregade 1",
        "address.city": "Copenhagen", "address.postal_code": "1165", "address.country": "DK",
        "primary_contact.name": "Erin Example", "primary_contact.email": "erin@fabrikam.example",
        "preferred_currency": "EUR",
    } | overrides  # fmt: skip


async def register_organization(
    client: httpx.AsyncClient, *, next_path: str = "/store", key: str | None = None,
    **overrides: str,
) -> httpx.Response:  # fmt: skip
    page = await client.get(f"/register/organization?next={next_path}")
    assert page.status_code == 200, page.text
    data = {
        "csrf_token": form_token(page), "next": next_path,
        "registration_key": key or hidden(page, "registration_key"),
    } | organization_form(**overrides)  # fmt: skip
    return await client.post("/register/organization", data=data)


async def registered(database: Database, legal_name: str = "Fabrikam ApS") -> Organization | None:
    async with database.transaction() as session:
        return (
            await session.execute(select(Organization).where(Organization.legal_name == legal_name))
        ).scalar_one_or_none()


async def verify_email_directly(database: Database, email: str) -> None:
    from tenantry.models import utcnow

    async with database.transaction() as session:
        await session.execute(
            update(User).where(User.email == email).values(email_verified_at=utcnow())
        )


def text_of(response: httpx.Response) -> str:
    return " ".join(Page(response.text).text.split())
