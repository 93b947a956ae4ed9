"""Reviewing match proposals: the list in scope, linking an account, dismissing, and looking for
duplicate organizations."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import (
    AuditEvent,
    LinkMethod,
    MatchStatus,
    MicrosoftTenant,
    Organization,
    PartnerCenterAccount,
)
from tenantry.sync.matching import propose_for_account
from tests.factories import World, make_organization
from tests.sync.factories import make_account

MATCHES = "/api/v1/sync/matches"


async def _proposed(database: Database, world: World) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A customer of reseller A without a tenant, and a Partner Center customer of reseller A
    with the same domain and a name differing only by its legal form."""
    reseller_tenant = uuid.uuid4()
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        reseller = await session.get(Organization, world.reseller_a.id)
        assert platform is not None and reseller is not None
        reseller.tenant_id = reseller_tenant
        organization = await make_organization(
            session, platform, parent=reseller, legal_name="Fabrikam ApS",
            domain="fabrikam.example",
        )  # fmt: skip
        account = await make_account(
            session, world.platform.id, company_name="Fabrikam A/S",
            default_domain="fabrikam.example", reseller_tenant_id=reseller_tenant,
        )  # fmt: skip
        assert await propose_for_account(session, account) == 1
        return organization.id, account.id, account.tenant_id


async def test_staff_link_a_proposed_account(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    organization_id, account_id, tenant_id = await _proposed(database, world)
    listed = await client.get(MATCHES, headers=world.reseller_a.headers)
    assert listed.status_code == 200, listed.text
    [match] = listed.json()["items"]
    assert match["organization"]["id"] == str(organization_id)
    assert match["account"]["tenant_id"] == str(tenant_id)
    assert [e["rule"] for e in match["evidence"]] == ["domain", "name"]
    # Reseller B sees neither side.
    assert (await client.get(MATCHES, headers=world.reseller_b.headers)).json()["items"] == []
    foreign = await client.post(f"{MATCHES}/{match['id']}/link", headers=world.reseller_b.headers)
    assert foreign.status_code == 404

    linked = await client.post(f"{MATCHES}/{match['id']}/link", headers=world.reseller_a.headers)
    assert linked.status_code == 200, linked.text
    assert linked.json()["status"] == "linked"
    again = await client.post(f"{MATCHES}/{match['id']}/dismiss", headers=world.reseller_a.headers)
    assert again.status_code == 409
    assert again.json()["errors"][0]["rule"] == "not_open"
    async with database.transaction(write=False) as session:
        organization = await session.get(Organization, organization_id)
        account = await session.get(PartnerCenterAccount, account_id)
        tenant = await session.get(MicrosoftTenant, organization_id)
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "sync.match_linked")
        )
    assert organization is not None and organization.tenant_id == tenant_id
    assert account is not None and account.organization_id == organization_id
    assert tenant is not None and tenant.link_method is LinkMethod.SYNCED
    assert tenant.relationship == "indirect" and tenant.reseller_id == world.reseller_a.id
    assert event is not None and event.organization_id == organization_id
    assert (await client.get(MATCHES, headers=world.platform.headers)).json()["items"] == []


async def test_dismissed_and_decided_matches_leave_the_list(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await _proposed(database, world)
    [match] = (await client.get(MATCHES, headers=world.platform.headers)).json()["items"]
    dismissed = await client.post(
        f"{MATCHES}/{match['id']}/dismiss", headers=world.platform.headers
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert (await client.get(MATCHES, headers=world.platform.headers)).json()["items"] == []
    everything = await client.get(
        MATCHES, params={"status": "dismissed"}, headers=world.platform.headers
    )
    assert [m["id"] for m in everything.json()["items"]] == [match["id"]]


async def test_customers_may_not_review_matches(client: httpx.AsyncClient, world: World) -> None:
    assert (await client.get(MATCHES, headers=world.customer_a.headers)).status_code == 403


async def test_a_scan_lists_duplicate_organizations_to_merge(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        assert platform is not None
        first = await make_organization(session, platform, legal_name="Wingtip Toys Ltd")
        second = await make_organization(session, platform, legal_name="WINGTIP TOYS LIMITED")
    scanned = await client.post(f"{MATCHES}/scan", headers=world.platform.headers)
    assert scanned.status_code == 200, scanned.text
    assert scanned.json()["created"] == 1
    [match] = scanned.json()["items"]
    assert {match["organization"]["id"], match["other_organization"]["id"]} == {
        str(first.id), str(second.id)
    }  # fmt: skip
    link = await client.post(f"{MATCHES}/{match['id']}/link", headers=world.platform.headers)
    assert link.status_code == 409
    merged = await client.post(
        f"/api/v1/organizations/{first.id}/merge", json={"merge_id": str(second.id)},
        headers=world.platform.headers,
    )  # fmt: skip
    assert merged.status_code == 200, merged.text
    closed = await client.get(MATCHES, params={"status": "merged"}, headers=world.platform.headers)
    assert [m["id"] for m in closed.json()["items"]] == [match["id"]]
    assert closed.json()["items"][0]["status"] == MatchStatus.MERGED.value
