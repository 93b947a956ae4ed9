"""Before a reseller's customer orders: its reseller's MPN ID has passed the check, and, when the
platform asks for it, its billing address is complete by its country's rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from tenantry.db import Database
from tenantry.models import AuditEvent, Organization, PlatformConfig
from tenantry.resellers.checkout import reseller_blockers
from tests.factories import World


async def blockers_of(database: Database, party_id: Any) -> dict[str, str]:
    async with database.transaction() as session:
        organization = await session.get(Organization, party_id)
        assert organization is not None
        found = await reseller_blockers(session, organization)
        return {b.code: b.message + (f" -> {b.link}" if b.link else "") for b in found}


async def set_values(database: Database, party_id: Any, **values: Any) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(Organization).where(Organization.id == party_id).values(**values)
        )


async def require_billing_address(client: httpx.AsyncClient, world: World) -> None:
    response = await client.patch(
        "/api/v1/platform/config",
        json={"billing_address_required": True},
        headers=world.platform.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["billing_address_required"] is True


async def test_a_reseller_whose_mpn_id_failed_holds_its_customers_back(
    database: Database, world: World
) -> None:
    assert await blockers_of(database, world.customer_a.id) == {}
    await set_values(database, world.reseller_a.id, mpn_status="mpa_not_signed")
    found = await blockers_of(database, world.customer_a.id)
    assert (
        "Alpha Reseller cannot take orders through Microsoft yet" in found["reseller_mpn_invalid"]
    )
    assert await blockers_of(database, world.direct_customer.id) == {}


async def test_the_setting_is_audited(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await require_billing_address(client, world)
    async with database.transaction() as session:
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "platform.configured")
        )
    assert event is not None
    assert "billing_address_required" in str(event.changes)


@pytest.mark.parametrize(
    ("address", "missing"),
    [
        ({"address_country": "US", "address_region": None, "address_postal_code": "98052"},
         "a state or province is required in US"),
        ({"address_country": "CA", "address_region": None, "address_postal_code": "K1A 0B1"},
         "a state or province is required in CA"),
        ({"address_country": "DK", "address_postal_code": None}, "a postal code is required in DK"),
        ({"address_country": "US", "address_region": "WA", "address_postal_code": "9805"},
         "'9805' is not a postal code of US"),
        ({"address_city": " "}, "the city is missing"),
    ],
)  # fmt: skip
async def test_an_incomplete_billing_address_is_named_with_a_link_to_fix_it(
    client: httpx.AsyncClient, database: Database, world: World,
    address: dict[str, Any], missing: str,
) -> None:  # fmt: skip
    await require_billing_address(client, world)
    await set_values(database, world.customer_a.id, **address)
    found = await blockers_of(database, world.customer_a.id)
    message = found["billing_address_incomplete"]
    assert message.startswith("Complete the billing address of Alpha Customer first:")
    assert missing in message
    assert message.endswith(f"-> /organizations/{world.customer_a.id}#profile-title")


async def test_complete_addresses_and_countries_without_postal_codes_pass(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await require_billing_address(client, world)
    assert await blockers_of(database, world.customer_a.id) == {}  # DK with a postal code
    await set_values(database, world.customer_a.id, address_country="HK", address_postal_code=None)
    assert await blockers_of(database, world.customer_a.id) == {}


async def test_without_the_setting_or_for_direct_customers_nothing_is_asked(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await set_values(database, world.customer_a.id, address_postal_code=None)
    assert await blockers_of(database, world.customer_a.id) == {}
    await require_billing_address(client, world)
    await set_values(database, world.direct_customer.id, address_postal_code=None)
    assert await blockers_of(database, world.direct_customer.id) == {}
    async with database.transaction() as session:
        config = await session.get(PlatformConfig, world.platform.id)
        assert config is not None and config.billing_address_required
