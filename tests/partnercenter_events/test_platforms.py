"""Each event belongs to the platform whose Partner Center account sent it; staff of another
platform see none of it, in the API or on the page."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tenantry.bootstrap import create_platform
from tenantry.db import Database
from tenantry.models import Role
from tenantry.partnercenter_events import service
from tenantry.settings import Settings
from tests.factories import Party, World, make_token, make_user
from tests.partnercenter_events.conftest import Signer, event_body, post_event
from tests.partnercenter_events.test_receiving import recorded
from tests.web.conftest import sign_in

PASSWORD = "correct horse battery staple"

API = "/api/v1/partner-center/events"


async def another_platform(database: Database, *, tenant_id: uuid.UUID | None = None) -> Party:
    async with database.transaction() as session:
        platform = await create_platform(
            session, legal_name="Fabrikam Cloud Ltd", tenant_id=tenant_id, country="GB",
            city="London", postal_code="EC1A 1BB",
        )  # fmt: skip
        return Party(platform, await make_token(session, platform, Role.PLATFORM_ADMIN))


@pytest.fixture
async def fabrikam(database: Database, settings: Settings) -> Party:
    """A second platform that is the Partner Center account this process speaks for."""
    return await another_platform(database, tenant_id=uuid.UUID(settings.partner_center_tenant_id))


async def test_an_event_goes_to_the_platform_of_the_partner_center_account(
    client: httpx.AsyncClient, signer: Signer, world: World, fabrikam: Party
) -> None:
    body = event_body("brand-new-event")
    assert (await post_event(client, body, signer.headers(body))).status_code == 202

    own = (await client.get(API, headers=fabrikam.headers)).json()["items"]
    assert [e["event_name"] for e in own] == ["brand-new-event"]
    assert (await client.get(API, headers=world.platform.headers)).json() == {
        "items": [],
        "next_cursor": None,
    }
    filtered = await client.get(
        API, params={"event_name": "brand-new-event"}, headers=world.platform.headers
    )
    assert filtered.json()["items"] == []


async def test_another_platforms_staff_do_not_see_the_event_on_the_page(
    client: httpx.AsyncClient, database: Database, signer: Signer, world: World, fabrikam: Party
) -> None:
    body = event_body("brand-new-event")
    assert (await post_event(client, body, signer.headers(body))).status_code == 202
    async with database.transaction() as session:
        theirs = await make_user(session, world.platform.organization, Role.PLATFORM_STAFF)
        own = await make_user(session, fabrikam.organization, Role.PLATFORM_STAFF)
    seen = {}
    for user in (theirs, own):
        client.cookies.clear()
        await sign_in(client, user.email, PASSWORD)
        page = await client.get("/partner-center/events")
        assert page.status_code == 200
        seen[user.email] = "<code>brand-new-event</code>" in page.text
    assert seen == {theirs.email: False, own.email: True}


async def test_with_several_platforms_and_none_the_account_nothing_is_recorded(
    client: httpx.AsyncClient, database: Database, signer: Signer, world: World
) -> None:
    await another_platform(database)
    body = event_body()
    refused = await post_event(client, body, signer.headers(body))
    assert refused.status_code == 503
    assert "TENANTRY_PARTNER_CENTER_TENANT_ID" in refused.json()["detail"]
    assert await recorded(database) == (0, 0)


async def test_an_event_is_recorded_once_per_platform(
    database: Database, world: World, fabrikam: Party
) -> None:
    parsed = service.parse(event_body())
    async with database.transaction() as session:
        first, created = await service.record(session, world.platform.id, parsed)
        again, created_again = await service.record(session, world.platform.id, parsed)
        other, created_other = await service.record(session, fabrikam.id, parsed)
    assert created and not created_again and again.id == first.id
    assert created_other and other.id != first.id
    assert await recorded(database) == (2, 2)


async def test_another_platforms_staff_cannot_read_an_event_by_id(
    database: Database, world: World, fabrikam: Party
) -> None:
    from tenantry.errors import NotFound
    from tenantry.security import Actor

    async with database.transaction() as session:
        event, _ = await service.record(session, fabrikam.id, service.parse(event_body()))
        stranger = Actor(
            organization_id=world.platform.id, platform_id=world.platform.id, label="staff",
            role=Role.PLATFORM_ADMIN, organization_kind=world.platform.organization.kind,
        )  # fmt: skip
        with pytest.raises(NotFound):
            await service.get(session, stranger, event.id)
