"""A real SMTP server on a free local port that keeps what it receives and refuses on demand."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert isinstance(body, EmailMessage), f"no text/{subtype} part"
        content = body.get_content()
        assert isinstance(content, str)
        return content


class Mailbox:
    """The aiosmtpd handler: keeps every accepted message; answers with ``refuse_data`` to DATA
    and with ``refuse_recipients[address]`` to RCPT when they are set."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self.refuse_data: str | None = None
        self.refuse_recipients: dict[str, str] = {}

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        refusal = self.refuse_recipients.get(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.refuse_data is not None:
            return self.refuse_data
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or b"")
        assert isinstance(message, EmailMessage)
        received = Received(str(envelope.mail_from), list(envelope.rcpt_tos), message)
        with self._lock:
            self._received.append(received)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LocalSmtpServer:
    """``aiosmtpd``'s threaded ``Controller`` on 127.0.0.1; ``stop()`` and ``start()`` take it
    down and bring it back on the same port. With ``credentials`` it requires AUTH (over plain
    text: it is a test server)."""

    def __init__(self, *, credentials: tuple[str, str] | None = None) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.logins: list[str] = []
        self._options: dict[str, Any] = {}
        if credentials is not None:
            self._options = {
                "auth_required": True,
                "auth_require_tls": False,
                "authenticator": self._authenticator(credentials),
            }
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        # A stopped Controller has closed its loop; coming back takes a new one, same port.
        self._controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port, **self._options
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def _authenticator(self, credentials: tuple[str, str]) -> Any:
        def authenticate(
            server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
        ) -> AuthResult:
            login = (
                isinstance(data, LoginPassword)
                and (
                    data.login.decode(),
                    data.password.decode(),
                )
                == credentials
            )
            if login:
                self.logins.append(data.login.decode())
            return AuthResult(success=login)

        return authenticate
