"""Emails from templates: what the outbox stores, and the MIME message made from it.

Each email is three files in ``templates/``: ``<name>.subject.txt``, ``<name>.txt`` (the text
part) and ``<name>.html`` (the HTML part, autoescaped; it may extend ``layout.html``). They get
the context the sender stored plus ``base_url`` (``TENANTRY_BASE_URL`` without a trailing slash)
for links. A value the template names but the context lacks is an error, not an empty string.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, UndefinedError, select_autoescape

from tenantry.models import utcnow
from tenantry.settings import Settings

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_PARTS = (".subject.txt", ".txt", ".html")

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def template_names() -> list[str]:
    """Every email that has its three files."""
    names = {path.name.removesuffix(".subject.txt") for path in TEMPLATES_DIR.glob("*.subject.txt")}
    return sorted(
        n for n in names if all((TEMPLATES_DIR / f"{n}{part}").is_file() for part in _PARTS)
    )


@dataclass(frozen=True)
class QueuedEmail:
    """One email as the outbox payload holds it: plain JSON, rendered only when it is sent."""

    recipients: tuple[str, ...]
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    message_id: str = ""

    def as_payload(self) -> dict[str, Any]:
        return {
            "recipients": list(self.recipients),
            "template": self.template,
            "context": self.context,
            "message_id": self.message_id,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> QueuedEmail:
        return cls(
            recipients=tuple(payload["recipients"]),
            template=payload["template"],
            context=dict(payload["context"]),
            message_id=payload["message_id"],
        )


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(template: str, context: Mapping[str, Any], *, base_url: str) -> Rendered:
    values = {**context, "base_url": base_url.rstrip("/")}
    try:
        subject, text, html = (
            _environment.get_template(f"{template}{part}").render(values) for part in _PARTS
        )
    except UndefinedError as exc:
        raise ValueError(f"the email template {template!r} needs a value: {exc.message}") from exc
    # One line, whatever the template or the values in it contain: a line break in a header
    # would start a new header.
    subject = " ".join(subject.split())
    if not subject:
        raise ValueError(f"the email template {template!r} rendered an empty subject")
    return Rendered(subject=subject, text=text, html=html)


def message_id(key: str, *, mail_from: str) -> str:
    """The same ``Message-ID`` for the same idempotency key, so that a message sent again after
    a worker died between sending and recording it is recognisable as the same message."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "tenantry.invalid"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def compose(email: QueuedEmail, *, settings: Settings) -> EmailMessage:
    """The multipart (text, then HTML) message for ``email``, from ``TENANTRY_MAIL_FROM``."""
    rendered = render(email.template, email.context, base_url=settings.base_url)
    message = EmailMessage()
    # The email library refuses CR or LF in any header value, so nothing here can add a header.
    message["From"] = settings.mail_from
    message["To"] = ", ".join(email.recipients)
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = email.message_id
    # RFC 3834: out-of-office and other robots should not answer.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
