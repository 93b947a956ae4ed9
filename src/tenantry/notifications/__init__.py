"""Email to people, written in the transaction that causes it and delivered by the outbox.

``send_email(session, to=..., template=..., context=..., idempotency_key=...)`` is all a service
needs; docs/notifications.md describes templates, delivery and the guarantees.
"""

from tenantry.notifications.mailer import Mailer, MailNotSent, Refusal, SmtpMailer
from tenantry.notifications.service import send_email

__all__ = ["MailNotSent", "Mailer", "Refusal", "SmtpMailer", "send_email"]
