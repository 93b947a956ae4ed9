"""Sending email: a row in the caller's transaction, delivered by a worker after the commit."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.models import OutboxItem
from tenantry.notifications import config, messages
from tenantry.notifications.messages import QueuedEmail

KIND = "notifications.email"
# Outbox keys are shared by every kind of job; ours live under this prefix.
KEY_PREFIX = "email:"
MAX_RECIPIENTS = 50


async def send_email(
    session: AsyncSession,
    *,
    to: str | Sequence[str],
    template: str,
    context: Mapping[str, Any],
    idempotency_key: str,
) -> OutboxItem:
    """Send the email ``template`` to ``to`` once the caller's transaction commits.

    Nothing is sent if the transaction rolls back. ``context`` holds plain JSON values (UUIDs
    become strings), captured now: the email describes things as they were when it was written.
    ``idempotency_key`` names this email (``f"organization_registered:{organization.id}"``): the
    same key again, in this transaction or any later one, returns the existing row and sends
    nothing more. Bad arguments raise ``ValueError`` (or ``TypeError`` for a value that is not
    plain JSON) here, in the caller, rather than in a worker later.
    """
    if template not in messages.template_names():
        raise ValueError(f"there is no email template {template!r}")
    # Render once now, so a value the template needs and the context lacks fails the caller
    # instead of every attempt of the job.
    messages.render(template, context, base_url="")
    settings = config.current().settings
    key = f"{KEY_PREFIX}{idempotency_key}"
    email = QueuedEmail(
        recipients=recipients(to),
        template=template,
        context=dict(context),
        message_id=messages.message_id(key, mail_from=settings.mail_from),
    )
    return await enqueue(session, email, key)


async def enqueue(session: AsyncSession, email: QueuedEmail, key: str) -> OutboxItem:
    return await jobs.enqueue(session, kind=KIND, payload=email.as_payload(), idempotency_key=key)


async def send_again_to(
    session: AsyncSession, email: QueuedEmail, addresses: Sequence[str]
) -> None:
    """Queue ``email`` once more for the recipients the server refused while it took others.

    Sending the whole message again would give the accepted recipients a second copy; this row
    retries only the refused ones (and ends failed, its error kept, if they are refused for
    good). Its key follows from the message and the addresses, so a handler that runs twice
    queues it once.
    """
    refused = tuple(sorted(addresses))
    digest = hashlib.sha256("\n".join((email.message_id, *refused)).encode()).hexdigest()
    again = QueuedEmail(refused, email.template, email.context, email.message_id)
    await enqueue(session, again, f"{KEY_PREFIX}refused:{digest}")


def recipients(to: str | Sequence[str]) -> tuple[str, ...]:
    """Valid, normalised, each once, in the order given."""
    addresses = [to] if isinstance(to, str) else list(to)
    if not 1 <= len(addresses) <= MAX_RECIPIENTS:
        raise ValueError(f"an email goes to 1 to {MAX_RECIPIENTS} recipients")
    normalised: dict[str, None] = {}
    for address in addresses:
        try:
            valid = validate_email(address, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValueError(f"{address!r} is not an email address: {exc}") from None
        normalised[valid.normalized] = None
    return tuple(normalised)
