"""The job that delivers a queued email (kind ``notifications.email``)."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.notifications import config, messages, service
from tenantry.notifications.mailer import MailNotSent
from tenantry.notifications.messages import QueuedEmail

log = structlog.get_logger("tenantry.notifications")


@jobs.handler(service.KIND)
async def deliver(session: AsyncSession, payload: dict[str, Any]) -> None:
    """Render and send one email. A temporary failure raises, and the outbox retries it with
    backoff; a permanent refusal ends the row failed with the server's reply kept.

    The row is marked done in this transaction, after the server accepted the message; a worker
    dying in between means one more delivery, with the same ``Message-ID``.
    """
    mail = config.current()
    email = QueuedEmail.from_payload(payload)
    message = messages.compose(email, settings=mail.settings)
    try:
        refused = await mail.mailer.send(message)
    except MailNotSent as exc:
        if exc.permanent:
            raise jobs.PermanentFailure(str(exc)) from exc
        raise
    bound = log.bind(template=email.template, message_id=email.message_id)
    if refused:
        bound.warning(
            "email accepted for some recipients only; the others are queued again",
            accepted=len(email.recipients) - len(refused),
            refusals=[f"{r.code} {r.reply}" for r in refused],
        )
        await service.send_again_to(session, email, [r.recipient for r in refused])
    else:
        bound.info("email sent", recipients=len(email.recipients))
