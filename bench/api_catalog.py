"""The storefront's catalog for bench/api.py, so that the store page lists what a real one does:
the catalog read from the Partner Center sandbox (in a process of its own) by the same code a
catalog refresh runs, and the demo's price list in the platform's currency."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import select

from tenantry.db import Database
from tenantry.demo.catalog import price_list
from tenantry.models import Organization, OrganizationKind, Role, utcnow
from tenantry.orders.catalog import prices
from tenantry.orders.catalog.listing import read_catalog
from tenantry.orders.catalog.refresh import apply_listing
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.security import Actor
from tenantry.settings import Settings


async def seed_catalog(url: str) -> int:
    """The catalog and prices for the database's one platform; how many products it lists."""
    from api_serve import stop_server

    from sync import start_sandbox  # imported here: sync imports api, which imports this module

    with tempfile.TemporaryDirectory(prefix="tenantry-bench-sandbox-") as directory:
        sandbox, sandbox_url = start_sandbox(Path(directory))
        try:
            settings = Settings(
                database_url=url, environment="test", partner_center_api_url=sandbox_url,
                partner_center_login_url=sandbox_url,
            )  # fmt: skip
            database = Database(settings)
            try:
                async with database.transaction() as session:
                    platform = (
                        await session.scalars(
                            select(Organization).where(
                                Organization.kind == OrganizationKind.PLATFORM
                            )
                        )
                    ).one()
                    async with PartnerCenterAccess(settings).client() as client:
                        listing = await read_catalog(client, platform.address_country)
                    await apply_listing(session, platform.id, listing, utcnow())
                    admin = Actor(
                        platform_id=platform.id, organization_id=platform.id,
                        organization_kind=OrganizationKind.PLATFORM, role=Role.PLATFORM_ADMIN,
                        label="bench/api.py",
                    )  # fmt: skip
                    await prices.set_prices(
                        session, admin, price_list([platform.preferred_currency]), source="bench"
                    )
            finally:
                await database.dispose()
        finally:
            stop_server(sandbox)
    return len(listing.products)
