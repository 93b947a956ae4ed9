"""A page of the organization list is read from an index in order, never by sorting every row the
caller may see: the query plans of the list and its search, on SQLite and PostgreSQL, over a
platform of 3,000 organizations with fresh statistics."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.models import Organization, OrganizationKind, OrganizationStatus, utcnow
from tenantry.organizations import list_rows, listing
from tenantry.organizations.filters import OrganizationFilter
from tenantry.pagination import encode_cursor
from tenantry.registration import storefront
from tenantry.security import Actor
from tests.factories import World
from tests.query_plans import Step, plan_of

CUSTOMERS_PER_RESELLER = 1500


async def _seed(session: AsyncSession, world: World) -> None:
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(), "kind": OrganizationKind.CUSTOMER,
            "platform_id": world.platform.id, "parent_id": reseller.id,
            "status": OrganizationStatus.ACTIVE, "legal_name": f"Customer {n:05d} ApS",
            "display_name": f"Customer {n:05d}", "address_line1": "Vestergade 1",
            "address_city": "Aarhus", "address_country": "DK", "contact_name": "Carl",
            "contact_email": f"it{n}@example.com", "preferred_currency": "DKK",
            "custom_properties": {}, "version": 1, "created_at": now, "updated_at": now,
        }
        for reseller in (world.reseller_a, world.reseller_b)
        for n in range(CUSTOMERS_PER_RESELLER)
    ]  # fmt: skip
    await session.execute(sa.insert(Organization), rows)


@pytest.fixture
async def analysed(database: Database, world: World) -> World:
    async with database.transaction() as session:
        await _seed(session, world)
    async with database.engine.connect() as connection:
        await connection.execute(sa.text("ANALYZE"))
        await connection.commit()
    return world


def _assert_read_in_index_order(dialect: str, plan: list[Step], *, search: bool) -> None:
    """No sort at all, and every organization read through an index. A search looks for a
    substring of names, domains and ERP IDs, which no index finds: PostgreSQL may then read the
    caller's rows and sort the few that match, never every row."""
    text = "\n".join(map(str, plan))
    if dialect == "sqlite":
        assert "TEMP B-TREE" not in text, text
        reads = [step for step in plan if "organizations" in step.what]
        assert reads and all("USING" in step.what for step in reads), text
        return
    sorts = [step for step in plan if step.what in ("Sort", "Incremental Sort")]
    if search:
        assert all(step.rows <= 100 for step in sorts), text
        return
    assert not sorts, text
    assert not any(step.what == "Seq Scan organizations" for step in plan), text


def _assert_organizations_read_by_index(dialect: str, plan: list[Step]) -> None:
    reads = [step.what for step in plan if "organizations" in step.what]
    assert reads, plan
    if dialect == "sqlite":
        assert all("USING" in what for what in reads), plan
    else:
        assert "Seq Scan organizations" not in reads, plan


def _page(actor: Actor, filters: OrganizationFilter, cursor: str | None) -> sa.Select[Any]:
    """The part of the list query that reads organizations, with the values of one request."""
    page = listing.page_rows(
        listing.Shape.of(actor, filters, cursor), tuple(listing.organizations.c)
    )
    return sa.select(page).params(listing.values(actor, filters, cursor, 51))


def _actor(world: World, kind: str) -> Actor:
    party = {"platform": world.platform, "reseller": world.reseller_a}[kind]
    return party.actor


CASES = {
    "a page": OrganizationFilter(),
    "active only": OrganizationFilter(status=OrganizationStatus.ACTIVE),
    "search": OrganizationFilter(q="01234"),
}


@pytest.mark.parametrize("caller", ["platform", "reseller"])
@pytest.mark.parametrize("case", list(CASES))
async def test_a_page_is_read_from_an_index_in_order(
    database: Database, analysed: World, caller: str, case: str
) -> None:
    actor = _actor(analysed, caller)
    for cursor in (None, encode_cursor("Customer 00700 ApS", uuid.UUID(int=0))):
        dialect, plan = await plan_of(database, _page(actor, CASES[case], cursor))
        _assert_read_in_index_order(dialect, plan, search=case == "search")


async def test_customers_of_one_reseller_are_read_from_an_index_in_order(
    database: Database, analysed: World
) -> None:
    filters = OrganizationFilter(reseller_id=analysed.reseller_b.id)
    dialect, plan = await plan_of(database, _page(analysed.platform.actor, filters, None))
    _assert_read_in_index_order(dialect, plan, search=False)


async def test_the_whole_api_query_reads_no_organization_without_an_index(
    database: Database, analysed: World
) -> None:
    actor, filters = analysed.reseller_a.actor, OrganizationFilter()
    shape = listing.Shape.of(actor, filters, None)
    query = list_rows.api_page_query(shape, database.engine.dialect.name)
    query = query.params(listing.values(actor, filters, None, 51))
    dialect, plan = await plan_of(database, query)
    _assert_organizations_read_by_index(dialect, plan)


async def test_the_storefront_finds_the_platform_owner_by_index(
    database: Database, analysed: World
) -> None:
    query = storefront.platform_owners_query()
    dialect, plan = await plan_of(database, query)
    _assert_organizations_read_by_index(dialect, plan)
