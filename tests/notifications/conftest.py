"""A local SMTP server, the app's mail pointed at it, and the hand-driven queue of tests/jobs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import OutboxItem
from tenantry.notifications import config, send_email
from tenantry.notifications import tasks as _tasks  # noqa: F401  (registers the handler, as consumers do)
from tenantry.notifications.service import KIND
from tenantry.settings import Settings
from tests.jobs.conftest import clock, job_queue  # noqa: F401  (fixtures used here)
from tests.notifications.local_smtp import LocalSmtpServer

BASE_URL = "https://csp.example.com"
MAIL_FROM = "Tenantry <no-reply@csp.example.com>"

ORGANIZATION_REGISTERED = {
    "organization_id": "5f0c1e3a-9a43-4c39-9a51-1b0f6f2f7d11",
    "organization_name": "Fabrikam",
    "legal_name": "Fabrikam Retail Ltd",
    "organization_kind": "customer",
    "registered_by": "Contoso Reseller",
    "contact_name": "Ann Contact",
    "contact_email": "ann@fabrikam.example",
}


@pytest.fixture
def smtp_server() -> Iterator[LocalSmtpServer]:
    server = LocalSmtpServer()
    server.start()
    yield server
    if server.running:
        server.stop()


@pytest.fixture
def mail_settings(settings: Settings, smtp_server: LocalSmtpServer) -> Iterator[Settings]:
    """The app's settings with mail going to ``smtp_server``, used by whoever sends."""
    mail = settings.model_copy(
        update={
            "smtp_url": smtp_server.url,
            "base_url": BASE_URL,
            "mail_from": MAIL_FROM,
            "smtp_timeout_seconds": 5.0,
        }
    )
    config.configure(mail)
    yield mail
    config.reset()


async def commit_email(
    database: Database,
    *,
    to: str | Sequence[str] = "admin@contoso.example",
    template: str = "organization_registered",
    context: Mapping[str, Any] = ORGANIZATION_REGISTERED,
    key: str = "organization_registered:fabrikam",
) -> OutboxItem:
    """Write one email in a transaction of its own and commit it."""
    async with database.transaction() as session:
        return await send_email(
            session, to=to, template=template, context=context, idempotency_key=key
        )


async def email_rows(database: Database) -> list[OutboxItem]:
    """Every outbox row of an email, oldest first."""
    async with database.transaction(write=False) as session:
        found = await session.execute(
            select(OutboxItem).where(OutboxItem.kind == KIND).order_by(OutboxItem.created_at)
        )
        return list(found.scalars())
