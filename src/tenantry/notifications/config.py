"""Which settings and which mailer this process's notifications use.

Job handlers get a session and a payload, not the process's settings, so the mail side of a
process is configured here. Unconfigured, it follows the environment (``get_settings()``) and
sends over SMTP, which is what ``tenantry serve`` and ``tenantry worker`` want: every process
reads the same ``TENANTRY_*`` variables. Tests, or an embedding application, call
:func:`configure` with settings of their own and, if they like, another :class:`Mailer`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from tenantry.notifications.mailer import Mailer, SmtpMailer
from tenantry.settings import Settings, get_settings


@dataclass(frozen=True)
class MailConfig:
    settings: Settings
    mailer: Mailer


_lock = threading.Lock()
_configured: MailConfig | None = None


def configure(settings: Settings, mailer: Mailer | None = None) -> MailConfig:
    """Send with ``settings`` (sender, links, SMTP server) through ``mailer`` (SMTP by default)."""
    global _configured
    config = MailConfig(settings, mailer or SmtpMailer.from_settings(settings))
    with _lock:
        _configured = config
    return config


def reset() -> None:
    """Go back to following the environment."""
    global _configured
    with _lock:
        _configured = None


def current() -> MailConfig:
    with _lock:
        if _configured is not None:
            return _configured
    return configure(get_settings())
