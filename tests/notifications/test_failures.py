"""Retried on failure, never lost, never sent twice; a permanent refusal ends failed, kept."""

from __future__ import annotations

from datetime import timedelta

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import OutboxStatus
from tenantry.settings import Settings
from tests.jobs.conftest import ManualClock, load, run_queued, sweep
from tests.notifications.conftest import commit_email, email_rows
from tests.notifications.local_smtp import LocalSmtpServer

FIRST_PAUSE = 10  # seconds before the outbox's first retry
SLACK = timedelta(seconds=2)


async def settle(queue: JobQueue, clock: ManualClock) -> None:
    """Let an hour pass with the sweeper running: anything still owed would run now."""
    clock.advance(3600)
    await sweep(queue)
    await run_queued(queue)


async def test_mail_written_while_the_server_is_down_arrives_once_it_is_back(
    database: Database,
    job_queue: JobQueue,
    clock: ManualClock,
    mail_settings: Settings,
    smtp_server: LocalSmtpServer,
) -> None:
    smtp_server.stop()
    item = await commit_email(database)
    before = clock.now

    await run_queued(job_queue)

    waiting = await load(database, item.id)
    assert (waiting.status, waiting.attempts) == (OutboxStatus.PENDING, 1)
    assert "could not hand the message to 127.0.0.1" in (waiting.last_error or "")
    assert waiting.available_at - before >= timedelta(seconds=FIRST_PAUSE)
    assert waiting.available_at - before <= timedelta(seconds=FIRST_PAUSE) + SLACK

    smtp_server.start()
    await run_queued(job_queue)
    assert smtp_server.mailbox.received == []  # not before the pause is over

    clock.advance(FIRST_PAUSE)
    await run_queued(job_queue)
    await settle(job_queue, clock)

    assert len(smtp_server.mailbox.received) == 1
    done = await load(database, item.id)
    assert (done.status, done.attempts) == (OutboxStatus.DONE, 2)


async def test_a_temporary_4xx_refusal_is_retried_until_the_server_accepts(
    database: Database,
    job_queue: JobQueue,
    clock: ManualClock,
    mail_settings: Settings,
    smtp_server: LocalSmtpServer,
) -> None:
    smtp_server.mailbox.refuse_data = "451 4.3.0 Mailbox busy, try again later"
    item = await commit_email(database)

    for attempt, pause in ((1, 10), (2, 20)):
        await run_queued(job_queue)
        waiting = await load(database, item.id)
        assert (waiting.status, waiting.attempts) == (OutboxStatus.PENDING, attempt)
        assert "451 4.3.0 Mailbox busy" in (waiting.last_error or "")
        clock.advance(pause)

    smtp_server.mailbox.refuse_data = None
    await run_queued(job_queue)
    await settle(job_queue, clock)

    [mail] = smtp_server.mailbox.received
    assert mail.recipients == ["admin@contoso.example"]
    assert (await load(database, item.id)).status == OutboxStatus.DONE


async def test_a_permanent_5xx_refusal_ends_failed_with_the_reply_kept_and_is_not_retried(
    database: Database,
    job_queue: JobQueue,
    clock: ManualClock,
    mail_settings: Settings,
    smtp_server: LocalSmtpServer,
) -> None:
    smtp_server.mailbox.refuse_recipients["gone@contoso.example"] = "550 5.1.1 No such user here"
    item = await commit_email(database, to="gone@contoso.example")

    await run_queued(job_queue)
    await settle(job_queue, clock)

    failed = await load(database, item.id)
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 1)
    assert failed.finished_at is not None
    assert "PermanentFailure" in (failed.last_error or "")
    assert "gone@contoso.example: 550 5.1.1 No such user here" in (failed.last_error or "")
    assert smtp_server.mailbox.received == []


async def test_recipients_refused_for_now_get_the_message_later_and_the_others_only_once(
    database: Database,
    job_queue: JobQueue,
    clock: ManualClock,
    mail_settings: Settings,
    smtp_server: LocalSmtpServer,
) -> None:
    refusals = smtp_server.mailbox.refuse_recipients
    refusals["busy@contoso.example"] = "452 4.2.2 Mailbox full, try later"
    item = await commit_email(database, to=["admin@contoso.example", "busy@contoso.example"])

    await run_queued(job_queue)

    [first] = smtp_server.mailbox.received
    assert first.recipients == ["admin@contoso.example"]
    original, again = await email_rows(database)
    assert (original.id, original.status) == (item.id, OutboxStatus.DONE)
    assert again.payload["recipients"] == ["busy@contoso.example"]
    assert (again.status, again.attempts) == (OutboxStatus.PENDING, 1)
    assert "452 4.2.2 Mailbox full" in (again.last_error or "")

    del refusals["busy@contoso.example"]
    clock.advance(FIRST_PAUSE)
    await run_queued(job_queue)
    await settle(job_queue, clock)

    first, second = smtp_server.mailbox.received
    assert second.recipients == ["busy@contoso.example"]
    # The same message (one Message-ID), now addressed to the one who had not got it.
    assert second.message["Message-ID"] == first.message["Message-ID"]
    assert second.message["To"] == "busy@contoso.example"
    assert second.subject == first.subject
    assert [row.status for row in await email_rows(database)] == [OutboxStatus.DONE] * 2


async def test_a_recipient_refused_for_good_ends_failed_while_the_others_get_it_once(
    database: Database,
    job_queue: JobQueue,
    clock: ManualClock,
    mail_settings: Settings,
    smtp_server: LocalSmtpServer,
) -> None:
    smtp_server.mailbox.refuse_recipients["gone@contoso.example"] = "550 5.1.1 No such user here"
    await commit_email(database, to=["admin@contoso.example", "gone@contoso.example"])

    await run_queued(job_queue)
    await settle(job_queue, clock)

    [mail] = smtp_server.mailbox.received
    assert mail.recipients == ["admin@contoso.example"]
    original, again = await email_rows(database)
    assert original.status == OutboxStatus.DONE
    assert again.payload["recipients"] == ["gone@contoso.example"]
    assert (again.status, again.attempts) == (OutboxStatus.FAILED, 1)
    assert "550 5.1.1 No such user here" in (again.last_error or "")
