"""Page tests of emailed links: the app's mail goes to a local SMTP server, and the outbox's jobs
run when a test says so (``deliver``)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.identity import tasks as _identity_tasks  # noqa: F401  (registers the handler)
from tenantry.identity.passwords.hashing import hash_password
from tenantry.identity.service import add_membership, create_user
from tenantry.jobs.queue import JobQueue
from tenantry.models import EmailToken, Role, User, utcnow
from tenantry.settings import Settings
from tests.factories import World
from tests.jobs.conftest import clock, job_queue, run_queued  # noqa: F401  (fixtures used here)
from tests.notifications.conftest import (  # noqa: F401  (fixtures used here)
    BASE_URL,
    mail_settings,
    smtp_server,
)
from tests.notifications.local_smtp import LocalSmtpServer
from tests.web.conftest import PASSWORD, client_from, sign_in
from tests.web.html import Page

__all__ = ["PASSWORD", "client_from", "sign_in"]
EMAIL = "erin@fabrikam.example"
# Low, so the throttle on reset requests is reached in a few requests.
REQUESTS_PER_HOUR = 3
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"login_attempts_per_hour": REQUESTS_PER_HOUR}


@pytest.fixture
def app(
    mail_settings: Settings,  # noqa: F811  (the imported fixture, as a parameter)
    database: Database,
    job_queue: JobQueue,  # noqa: F811
) -> FastAPI:
    return create_app(mail_settings, database=database, queue=job_queue)


@pytest.fixture
async def erin(database: Database, world: World) -> User:
    """A customer admin whose email address is not confirmed yet."""
    async with database.transaction() as session:
        user = await create_user(session, email=EMAIL, full_name="Erin Example", password=None)
        user.password_hash = _PASSWORD_HASH
        await add_membership(
            session, None, user, world.customer_a.organization, Role.CUSTOMER_ADMIN
        )
        return user


async def deliver(queue: JobQueue) -> None:
    """Run the outbox's jobs until none is left (a job may queue an email)."""
    for _ in range(5):
        if await run_queued(queue) == 0:
            return
    raise AssertionError("jobs kept queueing more jobs")


def link_in(mail_text: str, path: str) -> str:
    """The path and query of the link to ``path`` in an email's text part."""
    match = re.search(rf"{re.escape(BASE_URL)}({re.escape(path)}\?token=\S+)", mail_text)
    assert match, mail_text
    return match.group(1)


def mails_to(server: LocalSmtpServer, address: str) -> list[str]:
    """The subjects of the emails received for ``address``."""
    return [m.subject for m in server.mailbox.received if address in m.recipients]


async def expire_links(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(update(EmailToken).values(expires_at=utcnow() - timedelta(seconds=1)))


def page_text(response: httpx.Response) -> str:
    return " ".join(Page(response.text).text.split())
