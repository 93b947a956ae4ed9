"""Confirming an email address by the emailed link, before the person may order."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from tenantry.db import Database
from tenantry.identity.email.verification import EmailNotVerified, require_verified_email
from tenantry.jobs.queue import JobQueue
from tenantry.models import AuditEvent, User
from tests.identity_flows.conftest import EMAIL, deliver, expire_links, link_in, page_text
from tests.notifications.local_smtp import LocalSmtpServer
from tests.web.conftest import csrf_token, sign_in


async def ask_for_link(client: httpx.AsyncClient, job_queue: JobQueue) -> httpx.Response:
    assert (await sign_in(client, EMAIL)).status_code == 303
    sent = await client.post("/verify-email/send", data={"csrf_token": await csrf_token(client)})
    await deliver(job_queue)
    return sent


async def load(database: Database, email: str = EMAIL) -> User:
    async with database.transaction(write=False) as session:
        return (await session.execute(select(User).where(User.email == email))).scalar_one()


async def test_the_link_confirms_the_address_once_and_then_ordering_is_allowed(
    client: httpx.AsyncClient,
    database: Database,
    job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
    erin: User,
) -> None:
    with pytest.raises(EmailNotVerified) as refused:
        require_verified_email(erin)
    assert (refused.value.status, refused.value.code) == (403, "email_not_verified")

    sent = await ask_for_link(client, job_queue)
    assert sent.status_code == 200
    assert f"We sent a link to {EMAIL}" in page_text(sent)
    [mail] = smtp_server.mailbox.received
    assert mail.recipients == [EMAIL]
    assert mail.subject == "Confirm your email address for Tenantry"
    link = link_in(mail.part("plain"), "/verify-email")

    confirmed = await client.get(link)
    assert confirmed.status_code == 200
    assert f"{EMAIL} is confirmed" in page_text(confirmed)
    user = await load(database)
    assert user.email_verified_at is not None
    require_verified_email(user)
    async with database.transaction(write=False) as session:
        actions = (
            await session.execute(
                select(AuditEvent.action).where(AuditEvent.target_id == str(user.id))
            )
        ).scalars()
        assert "user.email_verified" in list(actions)

    again = await client.get(link)
    assert again.status_code == 410
    assert "This link was used already" in page_text(again)


async def test_an_expired_link_is_refused_with_a_way_to_get_a_new_one(
    client: httpx.AsyncClient,
    database: Database,
    job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
    erin: User,
) -> None:
    await ask_for_link(client, job_queue)
    [mail] = smtp_server.mailbox.received
    await expire_links(database)

    refused = await client.get(link_in(mail.part("plain"), "/verify-email"))
    assert refused.status_code == 410
    assert "This link has expired" in page_text(refused)
    assert (await load(database)).email_verified_at is None

    # The page's button asks for a new link, with the signed-in person's CSRF token.
    resend = await client.post("/verify-email/send", data={"csrf_token": await csrf_token(client)})
    assert resend.status_code == 200
    await deliver(job_queue)
    newest = smtp_server.mailbox.received[-1]
    assert (await client.get(link_in(newest.part("plain"), "/verify-email"))).status_code == 200


async def test_a_made_up_link_is_refused(client: httpx.AsyncClient, erin: User) -> None:
    refused = await client.get("/verify-email?token=tve_made-up")
    assert refused.status_code == 410
    assert "This link is not valid" in page_text(refused)


async def test_asking_for_a_link_needs_the_form_s_csrf_token(
    client: httpx.AsyncClient, job_queue: JobQueue, smtp_server: LocalSmtpServer, erin: User
) -> None:
    assert (await sign_in(client, EMAIL)).status_code == 303
    refused = await client.post("/verify-email/send", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    await deliver(job_queue)
    assert smtp_server.mailbox.received == []
