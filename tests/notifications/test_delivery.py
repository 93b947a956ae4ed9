"""An email written in a committed transaction reaches a real SMTP server once, as composed."""

from __future__ import annotations

import uuid

import pytest

from tenantry.db import Database
from tenantry.jobs import outbox
from tenantry.jobs.queue import JobQueue
from tenantry.models import OutboxStatus
from tenantry.notifications import send_email
from tenantry.settings import Settings
from tests.jobs.conftest import ManualClock, load, run_queued, sweep
from tests.notifications.conftest import (
    BASE_URL,
    ORGANIZATION_REGISTERED,
    commit_email,
    email_rows,
)
from tests.notifications.local_smtp import LocalSmtpServer

APPROVAL_LINK = f"{BASE_URL}/organizations/{ORGANIZATION_REGISTERED['organization_id']}"


async def test_the_organization_registered_email_arrives_with_both_parts_and_the_approval_link(
    database: Database,
    job_queue: JobQueue,
    mail_settings: Settings,
    smtp_server: LocalSmtpServer,
) -> None:
    organization_id = uuid.UUID(ORGANIZATION_REGISTERED["organization_id"])
    item = await commit_email(
        database,
        to=["admin@contoso.example", "Ops@Contoso.Example"],
        context={**ORGANIZATION_REGISTERED, "organization_id": organization_id},
    )
    assert item.payload["context"]["organization_id"] == str(organization_id)
    assert smtp_server.mailbox.received == []  # sent by the worker, not by the request

    await run_queued(job_queue)

    [mail] = smtp_server.mailbox.received
    assert mail.sender == "no-reply@csp.example.com"
    assert mail.recipients == ["admin@contoso.example", "Ops@contoso.example"]
    assert mail.message["To"] == "admin@contoso.example, Ops@contoso.example"
    assert mail.message["From"] == mail_settings.mail_from
    assert mail.subject == "New organization registered - approval pending: Fabrikam"
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert mail.message.get_content_type() == "multipart/alternative"
    text, html = mail.part("plain"), mail.part("html")
    assert "waiting for your approval" in text
    assert "Fabrikam Retail Ltd" in text
    assert "Contoso Reseller" in text
    assert APPROVAL_LINK in text
    assert f'href="{APPROVAL_LINK}"' in html
    assert "Fabrikam Retail Ltd" in html
    assert "<a href" not in text
    # The Message-ID is the stored one, so a repeated delivery carries the same id.
    assert mail.message["Message-ID"] == item.payload["message_id"]
    assert item.payload["message_id"].endswith("@csp.example.com>")
    done = await load(database, item.id)
    assert (done.status, done.attempts, done.last_error) == (OutboxStatus.DONE, 1, None)


async def register_then_fail(database: Database) -> None:
    async with database.transaction() as session:
        await send_email(
            session,
            to="admin@contoso.example",
            template="organization_registered",
            context=ORGANIZATION_REGISTERED,
            idempotency_key="organization_registered:rolled-back",
        )
        raise RuntimeError("the registration failed after the email was written")


async def test_an_email_written_in_a_rolled_back_transaction_is_never_sent(
    database: Database,
    job_queue: JobQueue,
    clock: ManualClock,
    mail_settings: Settings,
    smtp_server: LocalSmtpServer,
) -> None:
    with pytest.raises(RuntimeError, match="registration failed"):
        await register_then_fail(database)

    clock.advance(3600)
    assert await sweep(job_queue) == 0
    assert await run_queued(job_queue) == 0
    assert smtp_server.mailbox.received == []
    assert await email_rows(database) == []


async def test_the_same_idempotency_key_sends_once_even_when_delivered_twice(
    database: Database,
    job_queue: JobQueue,
    clock: ManualClock,
    mail_settings: Settings,
    smtp_server: LocalSmtpServer,
) -> None:
    first = await commit_email(database)
    renamed = {**ORGANIZATION_REGISTERED, "organization_name": "Fabrikam (renamed)"}
    second = await commit_email(database, context=renamed)
    assert second.id == first.id

    await run_queued(job_queue)
    # The row handed over again (a lost acknowledgement, a sweep), and an hour later.
    job_queue.dispatch([outbox.Dispatch(first.id, clock.now)])
    await run_queued(job_queue)
    clock.advance(3600)
    await sweep(job_queue)
    await run_queued(job_queue)

    [mail] = smtp_server.mailbox.received
    assert mail.subject == "New organization registered - approval pending: Fabrikam"
    assert [row.id for row in await email_rows(database)] == [first.id]
    assert (await load(database, first.id)).attempts == 1


async def test_line_breaks_in_values_cannot_add_headers_or_recipients(
    database: Database,
    job_queue: JobQueue,
    mail_settings: Settings,
    smtp_server: LocalSmtpServer,
) -> None:
    forged = "Fabrikam\r\nBcc: thief@evil.example\r\nX-Forged: yes\r\n\r\nforged body"
    await commit_email(database, context={**ORGANIZATION_REGISTERED, "organization_name": forged})

    await run_queued(job_queue)

    [mail] = smtp_server.mailbox.received
    assert mail.recipients == ["admin@contoso.example"]
    assert mail.message["Bcc"] is None
    assert mail.message["X-Forged"] is None
    assert mail.subject == (
        "New organization registered - approval pending: "
        "Fabrikam Bcc: thief@evil.example X-Forged: yes forged body"
    )


@pytest.mark.parametrize(
    "to",
    [
        "admin@contoso.example\r\nBcc: thief@evil.example",
        "admin@contoso.example\nBcc: thief@evil.example",
        "Admin <admin@contoso.example>, thief@evil.example",
    ],
)
async def test_a_recipient_that_is_not_one_plain_address_is_refused_before_anything_is_written(
    database: Database, mail_settings: Settings, to: str
) -> None:
    with pytest.raises(ValueError, match="is not an email address"):
        await commit_email(database, to=to)

    assert await email_rows(database) == []


async def test_a_value_the_template_needs_but_the_context_lacks_fails_the_caller(
    database: Database, mail_settings: Settings
) -> None:
    context = {k: v for k, v in ORGANIZATION_REGISTERED.items() if k != "contact_email"}

    with pytest.raises(ValueError, match="contact_email"):
        await commit_email(database, context=context)
    with pytest.raises(ValueError, match="no email template 'organization_deleted'"):
        await commit_email(database, template="organization_deleted")

    assert await email_rows(database) == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_credentials_in_the_smtp_url_sign_in_to_the_server(
    database: Database, job_queue: JobQueue, settings: Settings
) -> None:
    from tenantry.notifications import config

    server = LocalSmtpServer(credentials=("mailer", "p@ss:w/rd"))
    server.start()
    try:
        url = f"smtp://mailer:p%40ss%3Aw%2Frd@127.0.0.1:{server.port}"
        config.configure(settings.model_copy(update={"smtp_url": url}))
        await commit_email(database)

        await run_queued(job_queue)

        assert server.logins == ["mailer"]
        assert len(server.mailbox.received) == 1
    finally:
        config.reset()
        server.stop()
