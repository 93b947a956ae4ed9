"""Helpers of the login-on-behalf tests: opening a customer, reading the banner, the window's
state in the database."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update

from tenantry.db import Database
from tenantry.models import AuthSession, utcnow
from tests.identity.factories import audit_events
from tests.web.conftest import post_form
from tests.web.html import Page

__all__ = ["audit_events", "banner", "expire_window", "open_as", "refused", "window_until"]


async def open_as(client: httpx.AsyncClient, organization_id: object) -> httpx.Response:
    """Choose "Open as this customer" (the form's post, with the session's token)."""
    return await post_form(client, f"/on-behalf/{organization_id}")


async def refused(database: Database, response: httpx.Response, status: int, words: str) -> None:
    """The attempt to open a customer was answered ``status``, saying ``words``, and opened none."""
    assert response.status_code == status, response.text
    assert words in Page(response.text).by_id("main").text
    assert await audit_events(database, "on_behalf.started") == []


def banner(response: httpx.Response) -> str:
    """The banner's words on a page, or "" when there is none."""
    page = Page(response.text)
    found = page.find_all(id="on-behalf")
    return found[0].text if found else ""


async def window_until(database: Database) -> datetime:
    """When the one open window ends."""
    async with database.transaction(write=False) as session:
        until = (
            await session.execute(
                select(AuthSession.on_behalf_expires_at).where(
                    AuthSession.on_behalf_organization_id.is_not(None)
                )
            )
        ).scalar_one()
    assert until is not None
    return until


async def expire_window(database: Database, *, session_too: bool = False) -> datetime:
    """Let every open window run out a minute ago (and the sessions too); returns when."""
    past = utcnow() - timedelta(minutes=1)
    values = {"on_behalf_expires_at": past} | ({"expires_at": past} if session_too else {})
    async with database.transaction() as session:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.on_behalf_organization_id.is_not(None))
            .values(**values)
        )
    return past
