"""The mailbox: an SMTP server that keeps every message in the sandbox's database.

aiosmtpd's protocol runs in the sandbox's own event loop (not aiosmtpd's thread-based
``Controller``), so storing a message uses the same async engine as the HTTP app. Any sender and
any recipient are accepted, AUTH with any credentials too (without TLS), so the product can be
pointed at it with whatever ``TENANTRY_SMTP_URL`` it uses. Messages are parsed once, on receipt,
into subject, headers, text and HTML parts; the pages and the JSON API read those.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session
from markupsafe import Markup, escape

from tenantry_sandbox.store.mailbox import MailMessage

if TYPE_CHECKING:
    from tenantry_sandbox.state import SandboxState

URL = re.compile(r"https?://[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]")


@dataclass(frozen=True)
class ParsedMessage:
    subject: str
    from_header: str
    to_header: str
    message_id: str | None
    text: str | None
    html: str | None


def _part_text(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or not isinstance(part, EmailMessage):
        return None
    content = part.get_content()
    return content if isinstance(content, str) else None


def parse(raw: bytes) -> ParsedMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return ParsedMessage(
        subject=str(message.get("Subject", "")),
        from_header=str(message.get("From", "")),
        to_header=str(message.get("To", "")),
        message_id=str(message["Message-ID"]) if message["Message-ID"] else None,
        text=_part_text(message, "plain"),
        html=_part_text(message, "html"),
    )


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def links(message: MailMessage) -> list[str]:
    """Every http(s) link of the message, HTML anchors first, each once."""
    anchors = _Anchors()
    anchors.feed(message.html_body or "")
    found = [href for href in anchors.hrefs if href.startswith(("http://", "https://"))]
    found += URL.findall(message.text_body or "")
    return list(dict.fromkeys(found))


def linkify(text: str) -> Markup:
    """Plain text, escaped, with its URLs as links (for the message page)."""
    pieces: list[str] = []
    position = 0
    for match in URL.finditer(text):
        pieces.append(str(escape(text[position : match.start()])))
        url = escape(match.group(0))
        pieces.append(f'<a href="{url}" rel="noreferrer">{url}</a>')
        position = match.end()
    pieces.append(str(escape(text[position:])))
    return Markup("".join(pieces))  # noqa: S704 - every piece above is escaped


class MailboxHandler:
    """aiosmtpd handler: store the message, answer 250."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode()
        await store(self.state, raw, str(envelope.mail_from or ""), list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


async def store(state: SandboxState, raw: bytes, mail_from: str, rcpt_tos: list[str]) -> uuid.UUID:
    parsed = parse(raw)
    message_id = uuid.uuid4()
    async with state.db.sessionmaker() as session, session.begin():
        session.add(
            MailMessage(
                id=message_id,
                envelope_from=mail_from[:320],
                envelope_to=",".join(address.lower() for address in rcpt_tos),
                subject=parsed.subject,
                from_header=parsed.from_header,
                to_header=parsed.to_header,
                message_id=parsed.message_id,
                text_body=parsed.text,
                html_body=parsed.html,
                raw=raw,
                received_at=state.clock.now(),
            )
        )
    return message_id


def _accept_any_credentials(*_args: Any) -> AuthResult:
    return AuthResult(success=True)


async def start_smtp_server(state: SandboxState, host: str, port: int) -> asyncio.Server:
    """Listen for SMTP on ``host:port`` in the running loop; close the returned server to stop."""
    handler = MailboxHandler(state)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(
            handler,
            hostname="mailbox.sandbox.tenantry.local",
            enable_SMTPUTF8=True,
            auth_require_tls=False,
            authenticator=_accept_any_credentials,
        ),
        host=host,
        port=port,
    )
