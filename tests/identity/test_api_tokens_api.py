"""API tokens: made per organization and role, shown once, kept hashed, revocable, expiring."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update

from tenantry.db import Database
from tenantry.models import ApiToken, AuditEvent, Role, utcnow
from tenantry.security import hash_secret
from tests.factories import World
from tests.identity.factories import People, bearer, make_api_token, sign_in

# The pool's wait for a free connection is 30 s: a burst answered well within that never waited.
BURST_DEADLINE_SECONDS = 20


def tokens_url(organization_id: object, token_id: object | None = None) -> str:
    base = f"/api/v1/organizations/{organization_id}/api-tokens"
    return f"{base}/{token_id}" if token_id else base


async def create(
    client: httpx.AsyncClient, organization_id: object, headers: dict[str, str], **body: object
) -> httpx.Response:
    payload = {"name": "ERP integration", "role": "customer_user", "expires_in_days": 30} | body
    return await client.post(tokens_url(organization_id), json=payload, headers=headers)


async def actions(database: Database, target_id: object) -> list[AuditEvent]:
    async with database.transaction(write=False) as session:
        rows = await session.execute(
            select(AuditEvent)
            .where(AuditEvent.target_id == str(target_id))
            .order_by(AuditEvent.occurred_at)
        )
        return list(rows.scalars())


async def test_a_new_token_is_shown_once_and_works(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    response = await create(client, world.customer_a.id, world.customer_a.headers)

    assert response.status_code == 201, response.text
    issued = response.json()
    assert issued["secret"].startswith(issued["prefix"])
    assert issued["status"] == "active"
    assert issued["role"] == "customer_user"
    me = await client.get("/api/v1/me", headers=bearer(issued["secret"]))
    assert me.status_code == 200
    assert me.json()["role"] == "customer_user"
    assert me.json()["api_token"]["id"] == issued["id"]
    listing = await client.get(tokens_url(world.customer_a.id), headers=world.customer_a.headers)
    assert issued["secret"] not in listing.text
    listed = {t["id"]: t for t in listing.json()["items"]}
    assert listed[issued["id"]]["prefix"] == issued["prefix"]
    assert "secret" not in listed[issued["id"]]


async def test_only_the_hash_of_the_secret_is_kept(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    issued = (await create(client, world.customer_a.id, world.customer_a.headers)).json()

    async with database.transaction(write=False) as session:
        token = await session.get(ApiToken, uuid.UUID(issued["id"]))
    assert token is not None
    assert token.token_hash == hash_secret(issued["secret"])
    stored = [str(v) for v in vars(token).values()]
    assert not any(issued["secret"] in value for value in stored)
    [event] = await actions(database, issued["id"])
    assert event.action == "api_token.issued"
    assert issued["secret"] not in str(event.changes)
    assert event.changes["after"]["role"] == "customer_user"


async def test_the_token_expires_after_the_days_asked_for(
    client: httpx.AsyncClient, world: World
) -> None:
    before = utcnow()
    issued = (
        await create(client, world.customer_a.id, world.customer_a.headers, expires_in_days=7)
    ).json()

    delta = datetime.fromisoformat(issued["expires_at"]) - before
    assert timedelta(days=7) <= delta < timedelta(days=7, minutes=1)


@pytest.mark.parametrize("days", [0, 366, "soon"])
async def test_expiry_is_between_one_day_and_a_year(
    client: httpx.AsyncClient, world: World, days: object
) -> None:
    response = await create(
        client, world.customer_a.id, world.customer_a.headers, expires_in_days=days
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "expires_in_days"


async def test_a_customer_admin_cannot_mint_a_platform_role(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await create(
        client, world.customer_a.id, world.customer_a.headers, role="platform_admin"
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "role"


async def test_reseller_staff_cannot_mint_a_reseller_admin(
    client: httpx.AsyncClient, world: World, people: People, database: Database
) -> None:
    async with database.transaction() as session:
        headers = await sign_in(session, people.reseller_staff, world.reseller_a.organization)

    response = await create(client, world.reseller_a.id, headers, role="reseller_admin")

    assert response.status_code == 403


async def test_a_reseller_admin_mints_tokens_for_its_customers(
    client: httpx.AsyncClient, world: World, people: People, database: Database
) -> None:
    async with database.transaction() as session:
        headers = await sign_in(session, people.reseller_admin, world.reseller_a.organization)

    response = await create(client, world.customer_a.id, headers, role="customer_admin")

    assert response.status_code == 201, response.text
    assert response.json()["created_by_id"] == str(people.reseller_admin.id)
    assert response.json()["organization_id"] == str(world.customer_a.id)


async def test_another_organizations_tokens_are_not_found(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    for response in [
        await client.get(tokens_url(world.reseller_a.id), headers=world.reseller_b.headers),
        await create(client, world.customer_a.id, world.reseller_b.headers),
        await client.delete(
            tokens_url(world.reseller_a.id, people.reseller_token.id),
            headers=world.reseller_b.headers,
        ),
        # Naming its own organization does not reach another organization's token either.
        await client.delete(
            tokens_url(world.reseller_b.id, people.reseller_token.id),
            headers=world.reseller_b.headers,
        ),
    ]:
        assert response.status_code == 404, response.text
    still_works = await client.get("/api/v1/me", headers=bearer(people.reseller_token_secret))
    assert still_works.status_code == 200


async def test_revoking_is_recorded_once_and_the_token_stops_working(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    issued = (await create(client, world.customer_a.id, world.customer_a.headers)).json()
    url = tokens_url(world.customer_a.id, issued["id"])

    first = await client.delete(url, headers=world.customer_a.headers)
    again = await client.delete(url, headers=world.customer_a.headers)

    assert (first.status_code, again.status_code) == (204, 204)
    refused = await client.get("/api/v1/me", headers=bearer(issued["secret"]))
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "the API token was revoked"
    events = await actions(database, issued["id"])
    assert [e.action for e in events] == ["api_token.issued", "api_token.revoked"]
    assert events[1].changes["before"] == {"revoked_at": None}
    assert events[1].changes["after"]["revoked_at"] is not None
    listing = await client.get(tokens_url(world.customer_a.id), headers=world.customer_a.headers)
    listed = {t["id"]: t for t in listing.json()["items"]}
    assert listed[issued["id"]]["status"] == "revoked"


async def test_a_token_may_revoke_itself(client: httpx.AsyncClient, world: World) -> None:
    issued = (
        await create(client, world.customer_a.id, world.customer_a.headers, role="customer_admin")
    ).json()
    own = bearer(issued["secret"])

    response = await client.delete(tokens_url(world.customer_a.id, issued["id"]), headers=own)

    assert response.status_code == 204
    assert (await client.get("/api/v1/me", headers=own)).status_code == 401


async def test_an_expired_token_is_refused_with_a_clear_problem(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    async with database.transaction() as session:
        token, secret = await make_api_token(
            session, world.customer_a.organization, Role.CUSTOMER_USER
        )
        await session.execute(
            update(ApiToken)
            .where(ApiToken.id == token.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

    response = await client.get("/api/v1/me", headers=bearer(secret))
    listing = await client.get(tokens_url(world.customer_a.id), headers=world.customer_a.headers)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.json()["detail"] == "the API token has expired"
    assert {t["id"]: t["status"] for t in listing.json()["items"]}[str(token.id)] == "expired"


async def test_an_unknown_token_is_refused(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/api/v1/me", headers=bearer("tny_made-up"))

    assert response.status_code == 401
    assert response.json()["detail"] == "the API token is not valid"


async def test_using_a_token_shows_when_it_was_last_used(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    await client.get("/api/v1/me", headers=bearer(people.reseller_token_secret))

    listing = await client.get(tokens_url(world.reseller_a.id), headers=world.reseller_a.headers)

    listed = {t["id"]: t for t in listing.json()["items"]}
    assert listed[str(people.reseller_token.id)]["last_used_at"] is not None


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api-tokens", 403),  # a route the token's role may not use
        ("PATCH", "", 422),  # a write with a body the route refuses
    ],
)
async def test_a_call_that_is_refused_still_shows_the_token_as_used(
    client: httpx.AsyncClient, world: World, people: People, method: str, path: str, status: int
) -> None:
    """An integration whose calls all fail is still using its token: the token shows it, so
    nobody revokes it as unused while looking for why the calls fail."""
    refused = await client.request(
        method,
        f"/api/v1/organizations/{world.reseller_a.id}{path}",
        headers=bearer(people.reseller_token_secret),
        json={"display_name": ""},
    )
    assert refused.status_code == status, refused.text

    listing = await client.get(tokens_url(world.reseller_a.id), headers=world.reseller_a.headers)

    listed = {t["id"]: t for t in listing.json()["items"]}
    assert listed[str(people.reseller_token.id)]["last_used_at"] is not None


async def test_a_burst_of_reads_with_a_token_unused_for_a_while_is_answered_at_once(
    client: httpx.AsyncClient, database: Database, people: People
) -> None:
    """Each read with a token not used for 5 minutes notes its use. Noting it while the read
    still held its connection made a burst of such reads (an integration starting its morning
    run) each wait for a second connection: the pool ran dry and every read stalled 30 s."""
    headers = bearer(people.reseller_token_secret)
    burst = 3 * database.engine.pool.size()  # type: ignore[attr-defined]

    answers = await asyncio.wait_for(
        asyncio.gather(*(client.get("/api/v1/me", headers=headers) for _ in range(burst))),
        timeout=BURST_DEADLINE_SECONDS,
    )

    assert [answer.status_code for answer in answers] == [200] * burst
    async with database.transaction(write=False) as session:
        token = await session.get(ApiToken, people.reseller_token.id)
        assert token is not None and token.last_used_at is not None


async def test_roles_without_api_tokens_manage_see_no_tokens(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    staff = bearer(people.reseller_token_secret)  # a reseller staff token

    listing = await client.get(tokens_url(world.reseller_a.id), headers=staff)
    revoking = await client.delete(
        tokens_url(world.reseller_a.id, people.reseller_token.id), headers=staff
    )

    assert listing.status_code == 403
    assert revoking.status_code == 403
    assert "api_tokens.manage" in listing.json()["detail"]
