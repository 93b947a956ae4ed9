"""The organization list encodes its trusted rows without validating them (``list_rows``): its
answer must be, byte for byte, what ``Page[OrganizationRead]`` writes of the same organizations,
so a field added to the model but not to the list's encoding fails here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.models import (
    LinkMethod,
    MicrosoftTenant,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Role,
    Segment,
    organization_segments,
)
from tenantry.organizations import listing, repository
from tenantry.organizations.filters import OrganizationFilter
from tenantry.organizations.schemas import MicrosoftTenantRead, OrganizationRead
from tenantry.schemas import Page
from tenantry.security import Actor
from tests.factories import World, make_organization, make_user

URL = "/api/v1/organizations"
LIMIT = 3
# A time with no fraction (the model writes none) and one with microseconds.
WHOLE_SECOND = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
FRACTION = datetime(2024, 5, 6, 7, 8, 9, 120_000, tzinfo=UTC)


def _linked(organization: Organization, **values: object) -> MicrosoftTenant:
    """A tenant linked to ``organization``: synced, direct, known by its id alone unless
    ``values`` say more."""
    defaults: dict[str, object] = {
        "tenant_id": uuid.uuid4(), "verified_domains": [], "relationship": "direct",
        "link_method": LinkMethod.SYNCED, "linked_at": WHOLE_SECOND,
    }  # fmt: skip
    return MicrosoftTenant(organization_id=organization.id, **(defaults | values))


async def _seed(database: Database, world: World) -> None:
    """Every kind of value the list shows: segments with and without a description, tenants
    with and without a reseller and a person who linked them, times with and without a
    fraction, optional fields set and empty, text beyond ASCII."""
    platform = world.platform.organization
    async with database.transaction() as session:
        zeta = Segment(platform_id=platform.id, name="Zeta", description='Ünïcode — "quoted"')
        alpha = Segment(platform_id=platform.id, name="Alpha")
        session.add_all([zeta, alpha])
        full = await make_organization(
            session, platform, parent=world.reseller_a.organization, legal_name="Ærø Fåborg ApS",
            status=OrganizationStatus.BLOCKED, status_reason="Unpaid <invoices> & more",
            registration_number="12345678", vat_id="DK12345678", domain="aero.example",
            industry="retail", address_line2="2. sal", address_region="Syddanmark",
            contact_phone="+45 12 34 56 78", erp_id="ERP-Æ1", tenant_id=uuid.uuid4(),
            mpn_checked_at=FRACTION,
        )  # fmt: skip
        full.display_name = "Ærø"
        full.custom_properties = {"cost_center": "Kø 42", "note": "\u2028 line"}
        full.approved_at = WHOLE_SECOND
        pending = await make_organization(
            session, platform, kind=OrganizationKind.RESELLER, legal_name="Pending Reseller",
            status=OrganizationStatus.PENDING_APPROVAL, mpn_status="not_found",
            mpn_checked_at=WHOLE_SECOND,
        )  # fmt: skip
        linker = await make_user(session, platform, Role.PLATFORM_ADMIN)
        await session.execute(
            insert(organization_segments),
            [
                {"organization_id": full.id, "segment_id": zeta.id},
                {"organization_id": full.id, "segment_id": alpha.id},
                {"organization_id": pending.id, "segment_id": zeta.id},
            ],
        )
        session.add_all(
            [
                _linked(full, reseller_id=world.reseller_a.id, linked_by_id=linker.id,
                        company_name="Ærø", initial_domain="aero.onmicrosoft.com",
                        default_domain="aero.example", verified_domains=["aero.example", "ærø.dk"],
                        relationship="indirect", link_method=LinkMethod.VERIFIED,
                        linked_at=FRACTION),
                _linked(world.direct_customer.organization),
            ]
        )  # fmt: skip


async def _model_page(
    session: AsyncSession, actor: Actor, cursor: str | None
) -> Page[OrganizationRead]:
    """The page as ``Page[OrganizationRead]``, from the ORM's organizations (what
    GET /organizations/{id} reads), each with its tenant."""
    found, next_cursor = await listing.orm_page(
        session, actor, OrganizationFilter(), cursor=cursor, limit=LIMIT
    )
    tenants = await repository.microsoft_tenants(session, [o.id for o in found])
    items = []
    for organization in found:
        item = OrganizationRead.model_validate(organization)
        if (tenant := tenants.get(organization.id)) is not None:
            item.microsoft_tenant = MicrosoftTenantRead.model_validate(tenant)
        items.append(item)
    return Page[OrganizationRead].model_validate({"items": items, "next_cursor": next_cursor})


async def test_the_page_is_what_the_model_writes_of_it(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    await _seed(database, world)
    cursor: str | None = None
    seen: list[dict[str, Any]] = []
    while True:
        params: dict[str, str | int] = {"limit": LIMIT} | ({"cursor": cursor} if cursor else {})
        response = await client.get(URL, params=params, headers=world.platform.headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        async with database.transaction() as session:
            expected = await _model_page(session, world.platform.actor, cursor)
        # The same values first (a readable difference), then the same bytes: key order and all.
        assert response.json() == expected.model_dump(mode="json")
        assert response.content == expected.model_dump_json().encode()
        # And what the model makes of the answer itself writes it back unchanged.
        again = Page[OrganizationRead].model_validate_json(response.content)
        assert again.model_dump_json().encode() == response.content
        page = response.json()
        seen += page["items"]
        if (cursor := page["next_cursor"]) is None:
            break
    by_name = {item["legal_name"]: item for item in seen}
    assert len(seen) == len(by_name) > LIMIT
    full = by_name["Ærø Fåborg ApS"]
    assert [s["name"] for s in full["segments"]] == ["Alpha", "Zeta"]
    assert full["microsoft_tenant"]["linked_at"] == "2024-05-06T07:08:09.120000Z"
    assert full["approved_at"] == "2024-05-06T07:08:09Z"
    assert by_name["Direct Customer"]["microsoft_tenant"]["reseller_id"] is None
    assert by_name["Pending Reseller"]["approved_at"] is None
