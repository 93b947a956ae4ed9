"""The one-time link to a new tenant's administrator sign-in: shown once, then gone; expired,
erased; and the password in no page after that, log, email, audit record or outbox row."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import AuditEvent, NewTenantCredentials, OutboxItem, utcnow
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.settings import Settings
from tenantry.tenants.new_tenant import credentials
from tests.factories import World
from tests.notifications.local_smtp import LocalSmtpServer
from tests.tenants.new_tenant.conftest import (
    create,
    credentials_rows,
    delivered,
    hold_prefix,
    link_in,
)

pytestmark = pytest.mark.usefixtures("network")

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def emailed_link(
    database: Database, world: World, settings: Settings, client: PartnerCenterClient,
    queue: JobQueue, smtp: LocalSmtpServer, prefix: str = "linkco",
) -> tuple[str, str]:  # fmt: skip
    """Create the tenant; the link from the email and (read from the sealed row, as only a test
    may) the password it leads to."""
    customer = world.direct_customer.organization
    await hold_prefix(database, customer, prefix)
    await create(database, settings, client, customer)
    [message] = await delivered(queue, smtp)
    [row] = await credentials_rows(database)
    assert row.sealed is not None
    return link_in(message), credentials.unseal(settings, row.sealed).password


async def press_show(client: httpx.AsyncClient, link: str) -> httpx.Response:
    page = await client.get(link)
    assert page.status_code == 200, page.text
    token = link.split("token=", 1)[1]
    form_token = FORM_TOKEN.search(page.text)
    assert form_token, page.text
    return await client.post(
        "/new-tenant/credentials", data={"csrf_token": form_token.group(1), "token": token}
    )


async def test_the_link_shows_the_sign_in_once_and_erases_it(
    client: httpx.AsyncClient, database: Database, world: World, mail_settings: Settings,
    partner_center: PartnerCenterClient, job_queue: JobQueue, smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    link, password = await emailed_link(
        database, world, mail_settings, partner_center, job_queue, smtp_server
    )

    page = await client.get(link)
    assert page.status_code == 200
    assert "Show the sign-in" in page.text and password not in page.text
    assert page.headers["cache-control"] == "no-store"
    form_token = FORM_TOKEN.search(page.text)
    assert form_token

    shown = await press_show(client, link)
    assert shown.status_code == 200, shown.text
    assert password in shown.text
    assert "admin@linkco.onmicrosoft.com" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    assert shown.headers["referrer-policy"] == "no-referrer"
    [row] = await credentials_rows(database)
    assert row.sealed is None and row.opened_at is not None
    assert row.erased_because is not None and row.erased_because.value == "opened"

    again = await client.get(link)
    assert again.status_code == 410
    assert "used already" in again.text and password not in again.text
    token = link.split("token=", 1)[1]
    pressed_again = await client.post(
        "/new-tenant/credentials", data={"csrf_token": form_token.group(1), "token": token}
    )
    assert pressed_again.status_code == 410 and password not in pressed_again.text


async def test_a_press_from_another_site_shows_nothing(
    client: httpx.AsyncClient, database: Database, world: World, mail_settings: Settings,
    partner_center: PartnerCenterClient, job_queue: JobQueue, smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    link, password = await emailed_link(
        database, world, mail_settings, partner_center, job_queue, smtp_server
    )
    token = link.split("token=", 1)[1]

    forged = await client.post(
        "/new-tenant/credentials", data={"csrf_token": "forged", "token": token}
    )

    assert forged.status_code == 403 and password not in forged.text
    [row] = await credentials_rows(database)
    assert row.sealed is not None  # still there for the real press


async def test_an_expired_link_shows_nothing_and_its_sign_in_is_erased(
    client: httpx.AsyncClient, database: Database, world: World, mail_settings: Settings,
    partner_center: PartnerCenterClient, job_queue: JobQueue, smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    link, password = await emailed_link(
        database, world, mail_settings, partner_center, job_queue, smtp_server
    )
    [row] = await credentials_rows(database)
    hours = mail_settings.credentials_link_hours
    assert row.expires_at - row.created_at == timedelta(hours=hours)
    async with database.transaction() as session:
        await session.execute(
            update(NewTenantCredentials).values(expires_at=utcnow() - timedelta(seconds=1))
        )

    page = await client.get(link)
    assert page.status_code == 410 and "expired" in page.text and password not in page.text
    async with database.transaction() as session:
        assert await credentials.erase_expired(session) == 1
    [row] = await credentials_rows(database)
    assert row.sealed is None and row.erased_because is not None
    assert row.erased_because.value == "expired"


async def test_an_unknown_link_is_refused(client: httpx.AsyncClient) -> None:
    page = await client.get("/new-tenant/credentials", params={"token": "tnc_made-up"})
    assert page.status_code == 410 and "not valid" in page.text


async def test_the_password_is_in_no_log_email_audit_record_or_outbox_row(
    client: httpx.AsyncClient, database: Database, world: World, mail_settings: Settings,
    partner_center: PartnerCenterClient, job_queue: JobQueue, smtp_server: LocalSmtpServer,
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    link, password = await emailed_link(
        database, world, mail_settings, partner_center, job_queue, smtp_server
    )
    await press_show(client, link)
    await client.get(link)

    assert password not in caplog.text
    captured = capsys.readouterr()
    assert password not in captured.out and password not in captured.err
    for message in smtp_server.mailbox.received:
        assert password not in message.message.as_string()
    async with database.transaction(write=False) as session:
        audit = list(await session.scalars(select(AuditEvent)))
        outbox = list(await session.scalars(select(OutboxItem)))
        rows = list(await session.scalars(select(NewTenantCredentials)))
    assert {"tenant.created", "tenant.credentials_link_sent", "tenant.credentials_link_opened"} <= {
        event.action for event in audit
    }
    for event in audit:
        assert password not in json.dumps(event.changes)
    for item in outbox:
        assert password not in json.dumps(item.payload)
    assert all(row.sealed is None for row in rows)
