"""Signing up with an email address and a password, on the way to registering an organization."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import AuditEvent, User
from tests.notifications.local_smtp import LocalSmtpServer
from tests.registration.conftest import PASSWORD, deliver, link_in, mails_to, sign_up, text_of


async def test_sign_up_emails_a_confirmation_link_and_goes_on_to_the_organization(
    client: httpx.AsyncClient, database: Database, job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    response = await sign_up(client, next_path="/store/offers/CFQ7TTC0LH18-0001")
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/register/organization?next=/store/offers/CFQ7TTC0LH18-0001"
    )
    form = await client.get(response.headers["location"])
    assert form.status_code == 200
    assert "Register your organization" in text_of(form)
    assert "Confirm your email address: we sent a link to erin@fabrikam.example" in text_of(form)

    await deliver(job_queue)
    assert mails_to(smtp_server, "erin@fabrikam.example") == [
        "Confirm your email address for Tenantry"
    ]
    link = link_in(smtp_server.mailbox.received[-1].part("plain"), "/verify-email")
    assert (await client.get(link)).status_code == 200
    async with database.transaction() as session:
        user = (
            await session.execute(select(User).where(User.email == "erin@fabrikam.example"))
        ).scalar_one()
        assert user.email_verified_at is not None
        assert user.password_hash and user.password_hash.startswith("$argon2id$")
        actions = (
            (
                await session.execute(
                    select(AuditEvent.action).where(AuditEvent.target_id == str(user.id))
                )
            )
            .scalars()
            .all()
        )
    assert "user.signed_up" in actions and "user.email_verified" in actions


async def test_every_broken_rule_is_named_and_what_was_typed_is_kept(
    client: httpx.AsyncClient, database: Database
) -> None:
    response = await sign_up(
        client,
        "not-an-address",
        full_name="",
        password="password123",
        password_confirmation="something else",
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "Your name: Enter your name" in page
    assert "Email address: Enter a valid email address" in page
    assert "Password: Use at least 12 characters" in page
    assert "Password again: The passwords do not match" in page
    assert 'value="not-an-address"' in response.text
    assert PASSWORD not in response.text  # passwords are never sent back
    async with database.transaction() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(User).where(User.email == "not-an-address")
            )
            == 0
        )


async def test_a_common_password_is_refused(client: httpx.AsyncClient) -> None:
    response = await sign_up(client, password="password1234", password_confirmation="password1234")
    assert response.status_code == 422
    assert "among the most used ones" in text_of(response)


async def test_an_address_with_an_account_is_told_to_sign_in_instead(
    client: httpx.AsyncClient,
) -> None:
    assert (await sign_up(client)).status_code == 303
    client.cookies.clear()
    again = await sign_up(client)
    assert again.status_code == 409
    assert "exists already; sign in, or reset its password" in text_of(again)


async def test_a_form_posted_from_elsewhere_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/register",
        data={"full_name": "Mallory", "email": "m@evil.example", "password": PASSWORD,
              "password_confirmation": PASSWORD},
    )  # fmt: skip
    assert response.status_code == 403
    assert "This form has expired" in text_of(response)


async def test_a_person_without_an_organization_signs_in_and_is_sent_to_register_one(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    client.cookies.clear()
    page = await client.get("/sign-in")
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = await client.post(
        "/sign-in",
        data={"csrf_token": token.group(1), "email": "erin@fabrikam.example",
              "password": PASSWORD, "next": "/cart"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/register/organization?next=/cart"
