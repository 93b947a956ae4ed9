"""The mail port (:class:`Mailer`) and its adapter over SMTP (:class:`SmtpMailer`).

The port tells its caller what happened in terms the outbox can act on: the message was accepted
(perhaps with some recipients refused), or nothing was sent and trying again later may help
(:class:`MailNotSent`) or cannot help (``MailNotSent.permanent``: the server refused the message
or every recipient with a 5xx reply). Everything else that goes wrong on the way (connection
refused, timeout, 4xx reply, failed sign-in, a sender the server will not take) is temporary:
the outbox retries it with backoff and the operator can fix the configuration meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from tenantry.settings import Settings

# Scheme -> (default port, TLS from the first byte, STARTTLS required).
_SCHEMES: dict[str, tuple[int, bool, bool]] = {
    "smtp": (25, False, False),
    "smtp+starttls": (587, False, True),
    "smtps": (465, True, False),
}


@dataclass(frozen=True)
class Refusal:
    """One recipient the server would not take, with its reply."""

    recipient: str
    code: int
    reply: str

    @property
    def permanent(self) -> bool:
        return self.code >= 500

    def __str__(self) -> str:
        return f"{self.recipient}: {self.code} {self.reply}"


class MailNotSent(Exception):
    """Nothing was delivered. ``permanent`` when the server refused for good (a 5xx reply to the
    message or to every recipient), so sending the same message again cannot succeed."""

    def __init__(
        self, reason: str, *, permanent: bool = False, refusals: Sequence[Refusal] = ()
    ) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.refusals = tuple(refusals)


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> list[Refusal]:
        """Hand ``message`` to the mail system; return the recipients refused while others
        were accepted (empty when all were), or raise :class:`MailNotSent`."""
        ...


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect, parsed from ``TENANTRY_SMTP_URL``."""

    hostname: str
    port: int
    use_tls: bool = False
    start_tls: bool = False
    username: str | None = None
    # Kept out of repr so the settings never reach a log through this object.
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """``smtp://host:port``, ``smtp+starttls://...`` or ``smtps://...``, with optional
        ``user:password@`` (percent-encoded)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _SCHEMES or not parts.hostname:
            raise ValueError(
                f"TENANTRY_SMTP_URL {url!r} is not an SMTP server address; use "
                "smtp://host:port, smtp+starttls://host:587 or smtps://host:465, "
                "with user:password@ before the host when the server asks for a sign-in"
            )
        default_port, use_tls, start_tls = _SCHEMES[scheme]
        try:
            port = parts.port or default_port
        except ValueError as exc:
            raise ValueError(f"TENANTRY_SMTP_URL has an invalid port: {exc}") from None
        return cls(
            hostname=parts.hostname,
            port=port,
            use_tls=use_tls,
            start_tls=start_tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
        )


class SmtpMailer:
    """Sends each message over a connection of its own (notifications are few; a pool would
    only hold connections the server times out anyway)."""

    def __init__(self, server: SmtpServer, *, timeout: float) -> None:
        self.server = server
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer:
        return cls(SmtpServer.from_url(settings.smtp_url), timeout=settings.smtp_timeout_seconds)

    async def send(self, message: EmailMessage) -> list[Refusal]:
        server = self.server
        try:
            refused, _reply = await aiosmtplib.send(
                message,
                hostname=server.hostname,
                port=server.port,
                use_tls=server.use_tls,
                # False rather than aiosmtplib's "upgrade when offered": smtp:// means plain.
                start_tls=server.start_tls,
                username=server.username,
                password=server.password,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refusals = [Refusal(r.recipient, r.code, r.message) for r in exc.recipients]
            raise MailNotSent(
                "the SMTP server refused every recipient: " + "; ".join(map(str, refusals)),
                permanent=all(r.permanent for r in refusals),
                refusals=refusals,
            ) from exc
        except aiosmtplib.SMTPDataError as exc:
            raise MailNotSent(
                f"the SMTP server refused the message: {exc.code} {exc.message}",
                permanent=exc.code >= 500,
            ) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailNotSent(
                f"could not hand the message to {server.hostname}:{server.port}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        return [Refusal(address, r.code, r.message) for address, r in refused.items()]
