"""The sandbox's mailbox: messages sent over SMTP, read back from the API and the pages."""

from __future__ import annotations

import socket
from email.message import EmailMessage

import aiosmtplib

from tenantry_sandbox.background import background_services
from tenantry_sandbox.mailbox import start_smtp_server
from tests.sandbox.conftest import Sandbox
from tests.sandbox.outside_world import database_url  # noqa: F401

LINK = "http://127.0.0.1:8000/register/confirm?token=abc123&step=2"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def invitation(to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Tenantry <no-reply@tenantry.local>"
    message["To"] = to
    message["Subject"] = "Confirm your organization"
    message.set_content(f"Hello,\n\nConfirm here: {LINK}\n\nThe Tenantry team")
    message.add_alternative(
        f'<p>Hello,</p><p><a href="{LINK.replace("&", "&amp;")}">Confirm</a> your organization.</p>',
        subtype="html",
    )
    return message


async def test_messages_sent_over_smtp_are_kept_and_shown(sandbox: Sandbox) -> None:
    port = free_port()
    server = await start_smtp_server(sandbox.state, "127.0.0.1", port)
    try:
        await aiosmtplib.send(invitation("gena@contoso.example"), hostname="127.0.0.1", port=port)
        await aiosmtplib.send(
            invitation("tom@fabrikam.example"),
            hostname="127.0.0.1",
            port=port,
            username="tenantry",
            password="any",
            start_tls=False,
        )
    finally:
        server.close()
        await server.wait_closed()

    listed = await sandbox.control(
        "GET", "/mailbox/messages", params={"to": "gena@contoso.example"}
    )
    assert [m["subject"] for m in listed["items"]] == ["Confirm your organization"]
    assert listed["items"][0]["recipients"] == ["gena@contoso.example"]
    message = await sandbox.control("GET", f"/mailbox/messages/{listed['items'][0]['id']}")
    assert message["links"] == [LINK]
    assert LINK in message["text"] and 'href="http' in message["html"]
    assert message["from"] == "Tenantry <no-reply@tenantry.local>"
    everything = await sandbox.control("GET", "/mailbox/messages")
    assert everything["totalCount"] == 2

    page = await sandbox.client.get(f"/_sandbox/mailbox/{message['id']}")
    assert page.status_code == 200
    assert f'<a href="{LINK.replace("&", "&amp;")}"' in page.text
    assert "srcdoc=" in page.text
    index = await sandbox.client.get("/_sandbox/mailbox")
    assert f"/_sandbox/mailbox/{message['id']}" in index.text
    raw = await sandbox.client.get(f"/_sandbox/mailbox/messages/{message['id']}/raw")
    assert b"Subject: Confirm your organization" in raw.content

    await sandbox.control("DELETE", "/mailbox/messages")
    assert (await sandbox.control("GET", "/mailbox/messages"))["items"] == []


async def test_the_sandbox_serves_smtp_while_it_runs(sandbox: Sandbox) -> None:
    sandbox.settings.smtp_port = free_port()

    async with background_services(sandbox.state):
        await aiosmtplib.send(
            invitation("priya@northwind.example"),
            hostname="127.0.0.1",
            port=sandbox.settings.smtp_port,
        )

    listed = await sandbox.control("GET", "/mailbox/messages")
    assert [m["recipients"] for m in listed["items"]] == [["priya@northwind.example"]]
