"""TENANTRY_SMTP_URL: where mail goes, how the connection is secured, who signs in."""

from __future__ import annotations

import pytest

from tenantry.notifications.mailer import SmtpMailer, SmtpServer
from tenantry.settings import Settings


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:8025", SmtpServer("127.0.0.1", 8025)),
        ("smtp://mail.example.com", SmtpServer("mail.example.com", 25)),
        ("smtp+starttls://mail.example.com", SmtpServer("mail.example.com", 587, start_tls=True)),
        ("SMTPS://mail.example.com", SmtpServer("mail.example.com", 465, use_tls=True)),
        (
            "smtps://apikey:s%40cret%3A%2F@smtp.example.com:2465",
            SmtpServer(
                "smtp.example.com", 2465, use_tls=True, username="apikey", password="s@cret:/"
            ),
        ),
        ("smtp://[::1]:2525", SmtpServer("::1", 2525)),
    ],
)
def test_the_url_names_host_port_security_and_credentials(url: str, expected: SmtpServer) -> None:
    assert SmtpServer.from_url(url) == expected


@pytest.mark.parametrize(
    "url", ["http://mail.example.com", "mail.example.com:25", "smtp://", "smtp://host:99999"]
)
def test_a_url_that_is_not_an_smtp_server_is_refused_naming_the_setting(url: str) -> None:
    with pytest.raises(ValueError, match="TENANTRY_SMTP_URL"):
        SmtpServer.from_url(url)


def test_the_password_never_shows_in_a_representation() -> None:
    mailer = SmtpMailer.from_settings(
        Settings(smtp_url="smtps://apikey:hunter2@smtp.example.com", smtp_timeout_seconds=7)
    )

    assert "hunter2" not in repr(mailer.server)
    assert mailer.server.password == "hunter2"
    assert mailer.timeout == 7
