"""Resetting a forgotten password by an emailed link, without telling who has an account."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy import select

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import AuditEvent, User
from tests.identity_flows.conftest import (
    EMAIL,
    PASSWORD,
    REQUESTS_PER_HOUR,
    deliver,
    expire_links,
    link_in,
    page_text,
    sign_in,
)
from tests.notifications.local_smtp import LocalSmtpServer
from tests.web.html import Page

NEW_PASSWORD = "a kettle of purple owls"


async def ask_for_reset(client: httpx.AsyncClient, email: str) -> httpx.Response:
    form = Page((await client.get("/forgot-password")).text)
    return await client.post(
        "/forgot-password", data={"csrf_token": form.field("csrf_token")["value"], "email": email}
    )


async def reset_link(
    client: httpx.AsyncClient, job_queue: JobQueue, smtp_server: LocalSmtpServer
) -> str:
    assert (await ask_for_reset(client, EMAIL)).status_code == 200
    await deliver(job_queue)
    mail = smtp_server.mailbox.received[-1]
    assert mail.subject == "Reset your Tenantry password"
    return link_in(mail.part("plain"), "/reset-password")


async def choose(
    client: httpx.AsyncClient, link: str, password: str, confirmation: str | None = None
) -> httpx.Response:
    form = await client.get(link)
    assert form.status_code == 200, page_text(form)
    page = Page(form.text)
    return await client.post(
        "/reset-password",
        data={
            "csrf_token": page.field("csrf_token")["value"],
            "token": page.field("token")["value"],
            "password": password,
            "password_confirmation": password if confirmation is None else confirmation,
        },
    )


async def test_the_sign_in_page_links_to_the_forgotten_password_form(
    client: httpx.AsyncClient,
) -> None:
    page = Page((await client.get("/sign-in")).text)
    assert page.find("a", href="/forgot-password").text == "Forgot your password?"


async def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client: httpx.AsyncClient, job_queue: JobQueue, smtp_server: LocalSmtpServer, erin: User
) -> None:
    known = await ask_for_reset(client, EMAIL)
    unknown = await ask_for_reset(client, "nobody@fabrikam.example")
    assert known.status_code == unknown.status_code == 200
    assert page_text(known).replace(EMAIL, "X") == page_text(unknown).replace(
        "nobody@fabrikam.example", "X"
    )
    assert "If an account exists for nobody@fabrikam.example, we sent it a link" in page_text(
        unknown
    )
    await deliver(job_queue)
    assert [m.recipients for m in smtp_server.mailbox.received] == [[EMAIL]]


async def test_the_link_sets_a_new_password_once_and_ends_every_session(
    client: httpx.AsyncClient,
    client_from: Callable[[str], httpx.AsyncClient],
    database: Database,
    job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
    erin: User,
) -> None:
    async with client_from("192.0.2.10") as elsewhere:
        assert (await sign_in(elsewhere, EMAIL)).status_code == 303
        assert (await elsewhere.get("/organizations")).status_code == 200
        link = await reset_link(client, job_queue, smtp_server)

        weak = await choose(client, link, "password1234")
        assert weak.status_code == 422
        assert "among the most used" in Page(weak.text).by_id("f-password-error").text
        differ = await choose(client, link, NEW_PASSWORD, "a kettle of purple owl")
        assert differ.status_code == 422
        assert "differ" in Page(differ.text).by_id("f-password_confirmation-error").text

        changed = await choose(client, link, NEW_PASSWORD)
        assert changed.status_code == 200
        assert "Your password was changed" in page_text(changed)
        # The session signed in elsewhere with the old password is over.
        assert (await elsewhere.get("/organizations")).status_code == 303

    used = await client.get(link)
    assert used.status_code == 410
    assert "This link was used already" in page_text(used)
    assert (await sign_in(client, EMAIL, PASSWORD)).status_code == 401
    assert (await sign_in(client, EMAIL, NEW_PASSWORD)).status_code == 303

    await deliver(job_queue)
    assert smtp_server.mailbox.received[-1].subject == "Your Tenantry password was changed"
    async with database.transaction(write=False) as session:
        user = (await session.execute(select(User).where(User.email == EMAIL))).scalar_one()
        assert user.email_verified_at is not None  # the link proved the address too
        actions = (
            await session.execute(
                select(AuditEvent.action).where(AuditEvent.target_id == str(user.id))
            )
        ).scalars()
        assert "user.password_reset" in list(actions)


async def test_an_expired_link_is_refused_and_the_password_stays(
    client: httpx.AsyncClient,
    database: Database,
    job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
    erin: User,
) -> None:
    link = await reset_link(client, job_queue, smtp_server)
    await expire_links(database)
    refused = await client.get(link)
    assert refused.status_code == 410
    assert "This link has expired" in page_text(refused)
    assert Page(refused.text).find("a", href="/forgot-password")
    assert (await sign_in(client, EMAIL, PASSWORD)).status_code == 303


async def test_a_newer_link_replaces_the_older_one(
    client: httpx.AsyncClient, job_queue: JobQueue, smtp_server: LocalSmtpServer, erin: User
) -> None:
    first = await reset_link(client, job_queue, smtp_server)
    second = await reset_link(client, job_queue, smtp_server)
    assert (await client.get(first)).status_code == 410
    assert (await client.get(second)).status_code == 200


async def test_both_forms_need_their_csrf_token(
    client: httpx.AsyncClient, job_queue: JobQueue, smtp_server: LocalSmtpServer, erin: User
) -> None:
    forged = await client.post("/forgot-password", data={"csrf_token": "forged", "email": EMAIL})
    assert forged.status_code == 403
    await deliver(job_queue)
    assert smtp_server.mailbox.received == []

    link = await reset_link(client, job_queue, smtp_server)
    token = link.split("token=", 1)[1]
    refused = await client.post(
        "/reset-password",
        data={"token": token, "password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
    )
    assert refused.status_code == 403
    assert (await client.get(link)).status_code == 200  # still unused
    assert (await sign_in(client, EMAIL, PASSWORD)).status_code == 303


async def test_requests_for_one_address_are_throttled_whether_or_not_it_has_an_account(
    client: httpx.AsyncClient, job_queue: JobQueue, smtp_server: LocalSmtpServer, erin: User
) -> None:
    for email in (EMAIL, "nobody@fabrikam.example"):
        answers = [(await ask_for_reset(client, email)) for _ in range(REQUESTS_PER_HOUR + 1)]
        assert [a.status_code for a in answers] == [200] * REQUESTS_PER_HOUR + [429]
        assert int(answers[-1].headers["Retry-After"]) > 0
        assert "too many requests for this address" in page_text(answers[-1]).lower()
    await deliver(job_queue)
    assert len(smtp_server.mailbox.received) == REQUESTS_PER_HOUR
    # Sign-in is not held back by reset requests.
    assert (await sign_in(client, EMAIL, PASSWORD)).status_code == 303
