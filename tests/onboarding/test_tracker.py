"""The onboarding tracker of a customer organization, in the API: each step's state, when, by
whom and the next action, for every combination of what the other features recorded."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tenantry.db import Database
from tenantry.models import (
    GdapRelationship,
    GdapStatus,
    LinkMethod,
    Order,
    OrderStatus,
    Organization,
    OrganizationStatus,
    Role,
    ServiceDetails,
    ServiceDetailsStatus,
    TenantChoice,
    utcnow,
)
from tenantry.tenants.linking import TenantFacts, link_tenant
from tests.factories import Party, World, make_organization, make_token

TENANT = uuid.UUID("6a4c2f0e-9d1b-4c47-8e3a-0f5b2d7c9a11")
STEPS = [
    "created", "approved", "tenant", "relationship", "reseller_mpn", "gdap", "agreement",
    "first_order",
]  # fmt: skip


async def onboarding(client: httpx.AsyncClient, who: Party, org: Party | Organization) -> Any:
    organization_id = org.id
    response = await client.get(
        f"/api/v1/organizations/{organization_id}/onboarding", headers=who.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def step(body: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in body["steps"] if s["key"] == key)


async def change(database: Database, organization_id: uuid.UUID, **values: Any) -> None:
    async with database.transaction() as session:
        organization = await session.get(Organization, organization_id)
        assert organization is not None
        for name, value in values.items():
            setattr(organization, name, value)


async def link(database: Database, organization_id: uuid.UUID, method: LinkMethod) -> None:
    async with database.transaction() as session:
        organization = await session.get(Organization, organization_id)
        assert organization is not None
        facts = TenantFacts(
            TENANT, company_name="Alpha Customer", initial_domain="alpha.onmicrosoft.com",
            default_domain="alpha.example", verified_domains=["alpha.example"],
            relationship="indirect",
        )  # fmt: skip
        await link_tenant(session, None, organization, facts, method)


async def test_a_new_customer_is_told_to_choose_its_service_details(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await onboarding(client, world.customer_a, world.customer_a)

    assert [s["key"] for s in body["steps"]] == STEPS
    assert step(body, "created")["state"] == "done"
    assert step(body, "approved")["state"] == "done"
    tenant = step(body, "tenant")
    assert tenant["state"] == "waiting"
    assert tenant["state_words"] == "Waiting"
    assert tenant["next_action"] == {
        "label": "Choose the Service Details",
        "href": "/service-details",
    }
    assert step(body, "relationship")["state"] == "waiting"
    agreement = step(body, "agreement")
    assert (agreement["state"], agreement["state_words"]) == ("waiting", "Waiting")
    assert agreement["detail"].startswith("Not accepted: Microsoft accepts no purchases")
    first_order = step(body, "first_order")
    assert (first_order["state"], first_order["next_action"]["href"]) == ("waiting", "/cart")
    assert body["next_step"] == "tenant"
    assert body["tenant"] is None


async def test_the_seller_is_offered_to_open_tenantry_as_the_customer(
    client: httpx.AsyncClient, world: World
) -> None:
    body = await onboarding(client, world.reseller_a, world.customer_a)

    action = step(body, "tenant")["next_action"]
    assert action["label"] == "Open as this customer"
    assert action["href"] == f"/organizations/{world.customer_a.id}#on-behalf-title"


async def test_a_pending_customer_waits_for_approval_and_a_rejected_one_is_blocked(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await change(
        database, world.customer_a.id, status=OrganizationStatus.PENDING_APPROVAL, approved_at=None
    )
    approved = step(await onboarding(client, world.reseller_a, world.customer_a), "approved")
    assert approved["state"] == "waiting"
    assert approved["next_action"]["href"] == f"/organizations/{world.customer_a.id}#status-title"

    await change(database, world.customer_a.id, status=OrganizationStatus.REJECTED)
    approved = step(await onboarding(client, world.reseller_a, world.customer_a), "approved")
    assert approved["state"] == "blocked"
    assert "rejected" in approved["detail"]


async def _details(database: Database, world: World, **values: Any) -> None:
    async with database.transaction() as session:
        session.add(
            ServiceDetails(
                organization_id=world.customer_a.id, platform_id=world.platform.id, **values
            )
        )


async def test_an_authorization_link_out_waits_for_the_global_administrator(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await _details(
        database, world, choice=TenantChoice.EXISTING,
        status=ServiceDetailsStatus.AWAITING_AUTHORIZATION, customer_domain="alpha.example",
    )  # fmt: skip
    tenant = step(await onboarding(client, world.customer_a, world.customer_a), "tenant")

    assert tenant["state"] == "waiting"
    assert "alpha.example" in tenant["detail"]
    assert "Global Administrator" in tenant["detail"]
    assert tenant["next_action"]["label"] == "Verify the authorization"


async def test_a_new_tenant_is_held_until_the_order_is_provisioned(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await _details(
        database, world, choice=TenantChoice.NEW, status=ServiceDetailsStatus.HELD,
        domain_prefix="alphaltd",
    )  # fmt: skip
    tenant = step(await onboarding(client, world.customer_a, world.customer_a), "tenant")

    assert tenant["state"] == "waiting"
    assert "alphaltd.onmicrosoft.com" in tenant["detail"]


@pytest.mark.parametrize("method", list(LinkMethod))
async def test_a_linked_tenant_shows_how_when_and_by_whom(
    client: httpx.AsyncClient, database: Database, world: World, method: LinkMethod
) -> None:
    await link(database, world.customer_a.id, method)
    body = await onboarding(client, world.reseller_a, world.customer_a)

    for key in ("tenant", "relationship"):
        assert step(body, key)["state"] == "done"
        assert step(body, key)["at"] is not None
        assert step(body, key)["by"] == "Partner Center"
    assert body["tenant"]["tenant_id"] == str(TENANT)
    assert body["tenant"]["initial_domain"] == "alpha.onmicrosoft.com"
    assert body["tenant"]["default_domain"] == "alpha.example"
    assert body["tenant"]["link_method"] == method.value
    assert body["tenant"]["linked_by"] == "Partner Center"


async def test_a_tenant_typed_by_staff_counts_as_linked_but_not_verified(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await change(database, world.customer_a.id, tenant_id=TENANT)
    body = await onboarding(client, world.platform, world.customer_a)

    assert step(body, "tenant")["state"] == "done"
    assert "Entered by staff" in step(body, "tenant")["detail"]
    assert step(body, "relationship")["state"] == "waiting"
    assert body["tenant"]["how_linked"] == "Entered by staff"
    assert body["tenant"]["link_method"] is None


@pytest.mark.parametrize(
    ("status", "state", "words"),
    [
        (None, "waiting", "not been checked"),
        ("valid", "done", "confirmed"),
        ("mpa_not_signed", "blocked", "Microsoft Partner Agreement"),
        ("partner_center_unavailable", "waiting", "could not be reached"),
        ("some_new_code", "blocked", "some_new_code"),
    ],
)
async def test_the_resellers_mpn_id_is_checked_for_its_customers(
    client: httpx.AsyncClient,
    database: Database,
    world: World,
    status: str | None,
    state: str,
    words: str,
) -> None:
    await change(database, world.reseller_a.id, mpn_status=status, mpn_checked_at=utcnow())
    mpn = step(await onboarding(client, world.reseller_a, world.customer_a), "reseller_mpn")

    assert mpn["state"] == state
    assert words in mpn["detail"]
    assert "Alpha Reseller" in mpn["detail"]
    fix = f"/organizations/{world.reseller_a.id}#basic-title"
    assert (mpn["next_action"] or {}).get("href") == (None if state == "done" else fix)


async def test_the_customer_is_not_told_its_resellers_page(
    client: httpx.AsyncClient, world: World
) -> None:
    mpn = step(await onboarding(client, world.customer_a, world.customer_a), "reseller_mpn")
    assert mpn["next_action"] is None
    assert "Alpha Reseller" not in mpn["detail"]


async def test_a_direct_customer_needs_no_reseller_mpn_id(
    client: httpx.AsyncClient, world: World
) -> None:
    mpn = step(await onboarding(client, world.platform, world.direct_customer), "reseller_mpn")
    assert (mpn["state"], mpn["state_words"]) == ("not_needed", "Not needed")


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (GdapStatus.APPROVAL_PENDING, "waiting"),
        (GdapStatus.ACTIVE, "done"),
        (GdapStatus.EXPIRING, "done"),
        (GdapStatus.EXPIRED, "blocked"),
        (GdapStatus.TERMINATED, "blocked"),
    ],
)
async def test_gdap_follows_the_relationship_asked_for(
    client: httpx.AsyncClient, database: Database, world: World, status: GdapStatus, state: str
) -> None:
    await link(database, world.customer_a.id, LinkMethod.VERIFIED)
    before = step(await onboarding(client, world.reseller_a, world.customer_a), "gdap")
    assert before["state"] == "waiting"
    assert before["next_action"]["href"] == f"/organizations/{world.customer_a.id}#gdap"
    async with database.transaction() as session:
        session.add(
            GdapRelationship(
                platform_id=world.platform.id, organization_id=world.customer_a.id,
                requested_by_organization_id=world.reseller_a.id, tenant_id=TENANT,
                display_name="Alpha helpdesk", template="helpdesk", duration_days=730,
                status=status, activated_at=utcnow(), end_at=utcnow() + timedelta(days=700),
            )
        )  # fmt: skip
    gdap = step(await onboarding(client, world.reseller_a, world.customer_a), "gdap")
    assert gdap["state"] == state
    assert "Alpha helpdesk" in gdap["detail"]


async def test_an_active_gdap_relationship_wins_over_a_newer_pending_one(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        for name, status in (("Old", GdapStatus.ACTIVE), ("New", GdapStatus.APPROVAL_PENDING)):
            session.add(
                GdapRelationship(
                    platform_id=world.platform.id, organization_id=world.customer_a.id,
                    requested_by_organization_id=world.reseller_a.id, tenant_id=TENANT,
                    display_name=name, template="helpdesk", duration_days=730, status=status,
                )
            )  # fmt: skip
            await session.flush()
    gdap = step(await onboarding(client, world.reseller_a, world.customer_a), "gdap")
    assert (gdap["state"], gdap["detail"].split()[0]) == ("done", "Old")


async def test_the_first_order_is_done_once_an_order_is_placed(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        session.add(
            Order(
                platform_id=world.platform.id, organization_id=world.customer_a.id,
                status=OrderStatus.PENDING_PAYMENT, currency="EUR", total=Decimal("120.00"), lines=[],
            )
        )  # fmt: skip
    first = step(await onboarding(client, world.customer_a, world.customer_a), "first_order")

    assert first["state"] == "done"
    assert first["detail"].startswith("Order placed")
    assert first["at"] is not None


async def test_who_did_it_is_shown_only_to_those_who_may_read_the_audit_log(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await link(database, world.customer_a.id, LinkMethod.WEBHOOK)
    async with database.transaction() as session:
        organization = await session.get(Organization, world.customer_a.id)
        assert organization is not None
        reader = Party(organization, await make_token(session, organization, Role.CUSTOMER_USER))
    body = await onboarding(client, reader, world.customer_a)

    assert step(body, "tenant")["state"] == "done"
    assert step(body, "tenant")["by"] is None
    assert body["tenant"]["linked_by"] is None


async def test_a_reseller_has_no_onboarding_steps(client: httpx.AsyncClient, world: World) -> None:
    body = await onboarding(client, world.platform, world.reseller_a)
    assert (body["steps"], body["next_step"]) == ([], None)


async def test_out_of_scope_organizations_are_not_found(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    for who, organization_id in (
        (world.reseller_b, world.customer_a.id),
        (world.customer_b, world.customer_a.id),
        (world.customer_a, world.reseller_a.id),
        (world.platform, uuid.uuid4()),
    ):
        response = await client.get(
            f"/api/v1/organizations/{organization_id}/onboarding", headers=who.headers
        )
        assert response.status_code == 404, (who.organization.display_name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_reseller_sees_its_new_customers_onboarding(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        reseller = await session.get(Organization, world.reseller_a.id)
        assert platform is not None and reseller is not None
        newcomer = await make_organization(session, platform, parent=reseller)
    body = await onboarding(client, world.reseller_a, newcomer)
    assert body["organization_id"] == str(newcomer.id)
