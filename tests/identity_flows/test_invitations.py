"""Inviting a person by email: the answer reveals nothing about accounts outside the inviter's
scope, and only the invited address joins, once, from the emailed link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from tenantry.db import Database
from tenantry.identity.service import add_membership, create_user
from tenantry.jobs.queue import JobQueue
from tenantry.models import AuditEvent, Invitation, Membership, Role, User, utcnow
from tests.factories import World
from tests.identity.factories import invitations_url
from tests.identity_flows.conftest import _PASSWORD_HASH, deliver, link_in, page_text
from tests.notifications.local_smtp import LocalSmtpServer
from tests.web.conftest import sign_in
from tests.web.html import Page

FRANK = "frank@northwind.example"
UNKNOWN = "nobody.here@example.com"


async def frank_of_another_organization(database: Database, world: World) -> User:
    """A person with a password, who signed in before, in an organization customer A cannot see."""
    async with database.transaction() as session:
        user = await create_user(session, email=FRANK, full_name="Frank Secret", password=None)
        user.password_hash = _PASSWORD_HASH
        user.last_login_at = utcnow() - timedelta(days=2)
        await add_membership(
            session, None, user, world.customer_b.organization, Role.CUSTOMER_ADMIN
        )
        return user


async def invite(
    client: httpx.AsyncClient, world: World, email: str, role: str = "customer_user"
) -> httpx.Response:
    return await client.post(
        invitations_url(world.customer_a.id),
        json={"email": email, "role": role},
        headers=world.customer_a.headers,
    )


async def emailed_link(
    client: httpx.AsyncClient, world: World, queue: JobQueue, server: LocalSmtpServer,
    email: str, role: str = "customer_user",
) -> str:  # fmt: skip
    """Invite ``email``, deliver the email, and return the path of its link."""
    assert (await invite(client, world, email, role=role)).status_code == 202
    await deliver(queue)
    [mail] = [m for m in server.mailbox.received if email in m.recipients]
    assert mail.subject == "You are invited to join Alpha Customer on Tenantry"
    return link_in(mail.part("plain"), "/invitations/accept")


def shape(body: dict[str, Any]) -> dict[str, Any]:
    """The answer without what differs by design (ids, times, the address asked about)."""
    varying = {"id", "email", "created_at", "expires_at"}
    return {k: v for k, v in body.items() if k not in varying}


async def members_of(database: Database, world: World) -> dict[str, Role]:
    async with database.transaction(write=False) as session:
        rows = await session.execute(
            select(User.email, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == world.customer_a.id)
        )
        return {email: role for email, role in rows}


async def actions(database: Database) -> list[str]:
    async with database.transaction(write=False) as session:
        rows = await session.execute(select(AuditEvent.action).order_by(AuditEvent.occurred_at))
        return list(rows.scalars())


async def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    await frank_of_another_organization(database, world)

    known = await invite(client, world, FRANK)
    unknown = await invite(client, world, UNKNOWN)

    assert (known.status_code, unknown.status_code) == (202, 202), known.text
    assert known.headers["content-type"] == unknown.headers["content-type"]
    assert shape(known.json()) == shape(unknown.json())
    assert set(known.json()) == set(unknown.json())
    assert "Frank Secret" not in known.text
    assert "last_login_at" not in known.text and "user_id" not in known.text
    assert known.json()["status"] == "pending"
    # Nobody joined: an invitation is not a membership.
    assert FRANK not in await members_of(database, world)
    assert UNKNOWN not in await members_of(database, world)


async def test_the_invited_person_joins_from_the_emailed_link_once(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
) -> None:
    await frank_of_another_organization(database, world)
    link = await emailed_link(client, world, job_queue, smtp_server, FRANK, "customer_admin")

    signed_out = await client.get(link)
    assert signed_out.status_code == 200
    assert f"Sign in with {FRANK}" in page_text(signed_out)

    assert (await sign_in(client, FRANK)).status_code == 303
    page = await client.get(link)
    assert "Join Alpha Customer" in page_text(page)
    form = Page(page.text)
    joined = await client.post(
        "/invitations/accept",
        data={
            "csrf_token": form.field("csrf_token")["value"],
            "token": form.field("token")["value"],
        },
    )

    assert joined.status_code == 303, joined.text
    assert (await members_of(database, world))[FRANK] is Role.CUSTOMER_ADMIN
    again = await client.get(link)
    assert again.status_code == 410
    assert "accepted already" in page_text(again)
    events = await actions(database)
    assert {"invitation.sent", "membership.added", "invitation.accepted"} <= set(events)


async def test_someone_else_signed_in_cannot_use_the_link(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
) -> None:
    await frank_of_another_organization(database, world)
    link = await emailed_link(client, world, job_queue, smtp_server, UNKNOWN)

    assert (await sign_in(client, FRANK)).status_code == 303
    page = await client.get(link)
    assert f"You are signed in as {FRANK}" in page_text(page)
    csrf = Page((await client.get("/select-organization")).text).field("csrf_token")["value"]
    refused = await client.post(
        "/invitations/accept", data={"csrf_token": csrf, "token": link.split("token=")[1]}
    )

    assert refused.status_code == 403
    assert FRANK not in await members_of(database, world)


async def test_resending_replaces_the_link_and_revoking_ends_it(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
) -> None:
    invitation = (await invite(client, world, UNKNOWN)).json()
    url = invitations_url(world.customer_a.id, invitation["id"])
    resent = await client.post(f"{url}/resend", headers=world.customer_a.headers)
    await deliver(job_queue)
    first, second = [
        link_in(m.part("plain"), "/invitations/accept")
        for m in smtp_server.mailbox.received
        if UNKNOWN in m.recipients
    ]

    assert resent.status_code == 200, resent.text
    assert resent.json()["sent_count"] == 2
    assert (await client.get(first)).status_code == 410
    assert (await client.get(second)).status_code == 200
    listed = await client.get(
        invitations_url(world.customer_a.id), headers=world.customer_a.headers
    )
    assert [i["email"] for i in listed.json()["items"]] == [UNKNOWN]

    revoked = await client.delete(url, headers=world.customer_a.headers)
    twice = await client.delete(url, headers=world.customer_a.headers)

    assert (revoked.status_code, twice.status_code) == (204, 204)
    assert (await client.get(second)).status_code == 410
    listed = await client.get(
        invitations_url(world.customer_a.id), headers=world.customer_a.headers
    )
    assert listed.json()["items"] == []
    events = await actions(database)
    assert events.count("invitation.revoked") == 1
    assert "invitation.resent" in events


async def test_an_expired_link_does_not_work(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
) -> None:
    link = await emailed_link(client, world, job_queue, smtp_server, UNKNOWN)
    async with database.transaction() as session:
        await session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))

    expired = await client.get(link)

    assert expired.status_code == 410
    assert "expired" in page_text(expired)


async def test_inviting_a_member_or_a_role_above_ones_own_is_refused_by_field(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        member = await create_user(session, email="m@example.com", full_name="M", password=None)
        await add_membership(
            session, None, member, world.customer_a.organization, Role.CUSTOMER_USER
        )

    again = await invite(client, world, "M@Example.com")
    wrong_kind = await invite(client, world, UNKNOWN, role="reseller_admin")

    assert again.status_code == 409
    assert again.json()["errors"][0]["rule"] == "already_member"
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["errors"][0]["field"] == "role"
