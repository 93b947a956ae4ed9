"""Composing an email: HTML escaped, text as written, one-line subject, stable Message-ID."""

from __future__ import annotations

from email.message import EmailMessage

from tenantry.notifications import messages
from tenantry.notifications.messages import QueuedEmail
from tenantry.settings import Settings
from tests.notifications.conftest import BASE_URL, ORGANIZATION_REGISTERED


def compose(**context: str) -> EmailMessage:
    email = QueuedEmail(
        recipients=("admin@contoso.example",),
        template="organization_registered",
        context={**ORGANIZATION_REGISTERED, **context},
        message_id=messages.message_id("email:k", mail_from="no-reply@csp.example.com"),
    )
    return messages.compose(email, settings=Settings(base_url=f"{BASE_URL}/"))


def part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    assert isinstance(body, EmailMessage)
    content = body.get_content()
    assert isinstance(content, str)
    return content


def test_values_are_escaped_in_the_html_part_and_left_as_written_in_the_text_part() -> None:
    message = compose(organization_name="Fabrikam <Retail> & Co", organization_id="a b/c")

    assert "Fabrikam &lt;Retail&gt; &amp; Co" in part(message, "html")
    assert "<Retail>" not in part(message, "html")
    assert "Organization:  Fabrikam <Retail> & Co" in part(message, "plain")
    # The base URL loses its trailing slash; the id is quoted into the path.
    assert f"{BASE_URL}/organizations/a%20b/c" in part(message, "plain")


def test_the_subject_is_one_line_whatever_the_values_hold() -> None:
    message = compose(organization_name="Fabrikam\r\n\tTo: thief@evil.example")

    assert message["Subject"] == (
        "New organization registered - approval pending: Fabrikam To: thief@evil.example"
    )
    assert message.get_all("To") == ["admin@contoso.example"]


def test_the_message_id_follows_from_the_key_and_the_sender_domain() -> None:
    one = messages.message_id("email:organization_registered:1", mail_from="Tenantry <a@b.example>")

    assert one == messages.message_id("email:organization_registered:1", mail_from="x@b.example")
    assert one != messages.message_id("email:organization_registered:2", mail_from="x@b.example")
    assert one.startswith("<") and one.endswith("@b.example>")


def test_organization_registered_is_a_known_template() -> None:
    assert "organization_registered" in messages.template_names()
    assert "layout" not in messages.template_names()
