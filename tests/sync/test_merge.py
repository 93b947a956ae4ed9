"""Merging two organizations through the API: field choices, the rules where rows collide, the
redirect, the audit trail, and the refusals."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import (
    AuditEvent,
    CartItem,
    MatchProposal,
    MatchStatus,
    Membership,
    MicrosoftTenant,
    Organization,
    OrganizationKind,
    OrganizationRedirect,
    Role,
)
from tests.factories import World, give_tenant, make_organization
from tests.identity.factories import make_person
from tests.sync.factories import make_proposal


def merge_url(keep_id: object) -> str:
    return f"/api/v1/organizations/{keep_id}/merge"


async def _pair(database: Database, world: World, **merged: Any) -> tuple[uuid.UUID, uuid.UUID]:
    """Two customers of reseller A: "Contoso ApS" (kept) and "CONTOSO A/S" (merged)."""
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        reseller = await session.get(Organization, world.reseller_a.id)
        assert platform is not None and reseller is not None
        keep = await make_organization(
            session, platform, parent=reseller, legal_name="Contoso ApS", erp_id="K-1",
            domain="contoso.example",
        )  # fmt: skip
        other = await make_organization(
            session, platform, parent=reseller, legal_name="CONTOSO A/S", erp_id="M-1",
            **merged,
        )  # fmt: skip
        return keep.id, other.id


async def test_the_chosen_fields_stay_and_the_merged_id_redirects(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    keep_id, merged_id = await _pair(database, world, vat_id="DK13585628")
    # Something in the merged organization's history, to find from the kept one.
    renamed = await client.patch(
        f"/api/v1/organizations/{merged_id}", json={"display_name": "Contoso (old)"},
        headers=world.platform.headers,
    )  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    response = await client.post(
        merge_url(keep_id),
        json={"merge_id": str(merged_id), "fields": {"vat_id": "merge", "erp_id": "merge"}},
        headers=world.platform.headers,
    )
    assert response.status_code == 200, response.text
    kept = response.json()["organization"]
    assert kept["id"] == str(keep_id)
    assert (kept["legal_name"], kept["vat_id"], kept["erp_id"]) == (
        "Contoso ApS", "DK13585628", "M-1"
    )  # fmt: skip
    assert response.headers["ETag"] == f'"{kept["version"]}"'

    moved = await client.get(f"/api/v1/organizations/{merged_id}", headers=world.platform.headers)
    assert moved.status_code == 308
    assert moved.headers["location"] == f"/api/v1/organizations/{keep_id}"
    for stranger in (world.reseller_b, world.customer_a):
        hidden = await client.get(f"/api/v1/organizations/{merged_id}", headers=stranger.headers)
        assert hidden.status_code == 404

    async with database.transaction(write=False) as session:
        redirect = await session.get(OrganizationRedirect, merged_id)
        assert redirect is not None and redirect.to_id == keep_id
        assert redirect.snapshot["erp_id"] == "M-1"
        assert redirect.snapshot["legal_name"] == "CONTOSO A/S"
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "organization.merged")
        )
    assert event is not None and event.organization_id == keep_id
    assert event.changes["choices"]["vat_id"] == "merge"
    assert event.changes["erp_id_discarded"] == "K-1"
    assert event.changes["merged"]["id"] == str(merged_id)

    # The kept organization's audit log lists the merged one's events too (reseller A sees them).
    log = await client.get(
        "/api/v1/audit-events", params={"organization_id": str(keep_id)},
        headers=world.reseller_a.headers,
    )  # fmt: skip
    assert log.status_code == 200, log.text
    actions = {e["action"] for e in log.json()["items"]}
    assert {"organization.merged", "organization.updated"} <= actions


async def test_people_carts_and_the_tenant_move_without_colliding(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    keep_id, merged_id = await _pair(database, world)
    async with database.transaction() as session:
        keep = await session.get(Organization, keep_id)
        merged = await session.get(Organization, merged_id)
        assert keep is not None and merged is not None
        both = await make_person(session, keep, Role.CUSTOMER_USER)
        session.add(
            Membership(user_id=both.id, organization_id=merged_id, role=Role.CUSTOMER_ADMIN)
        )
        only_merged = await make_person(session, merged, Role.CUSTOMER_USER)
        for organization_id, quantity in ((keep_id, 2), (merged_id, 3)):
            session.add(CartItem(organization_id=organization_id, offer_id="CFQ7TTC0LH18-0001",
                                 term="P1M", quantity=quantity))  # fmt: skip
        session.add(CartItem(organization_id=merged_id, offer_id="CFQ7TTC0LH18-0002",
                             term="P1Y", quantity=1))  # fmt: skip
        tenant_id = await give_tenant(session, merged)
        proposal = await make_proposal(session, world.platform.id, keep_id, other_id=merged_id)
    response = await client.post(
        merge_url(keep_id), json={"merge_id": str(merged_id)}, headers=world.reseller_a.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["organization"]["tenant_id"] == str(tenant_id)
    async with database.transaction(write=False) as session:
        roles = {
            m.user_id: m.role
            for m in await session.scalars(
                select(Membership).where(Membership.organization_id == keep_id)
            )
        }
        assert roles[both.id] is Role.CUSTOMER_ADMIN  # the higher of the two
        assert roles[only_merged.id] is Role.CUSTOMER_USER
        count = await session.scalar(
            select(func.count()).select_from(Membership).where(Membership.user_id == both.id)
        )
        assert count == 1
        cart = {
            (i.offer_id, i.term): i.quantity
            for i in await session.scalars(
                select(CartItem).where(CartItem.organization_id == keep_id)
            )
        }
        assert cart == {("CFQ7TTC0LH18-0001", "P1M"): 5, ("CFQ7TTC0LH18-0002", "P1Y"): 1}
        tenant = await session.get(MicrosoftTenant, keep_id)
        assert tenant is not None and tenant.tenant_id == tenant_id
        closed = await session.get(MatchProposal, proposal.id)
        assert closed is not None and closed.status is MatchStatus.MERGED
        assert (closed.organization_id, closed.other_organization_id) == (keep_id, None)


async def test_refusals_name_the_field_and_rule(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    keep_id, merged_id = await _pair(database, world)
    async with database.transaction() as session:
        kept = await session.get(Organization, keep_id)
        merged = await session.get(Organization, merged_id)
        assert kept is not None and merged is not None
        await give_tenant(session, kept)
        await give_tenant(session, merged)
    cases = [
        (keep_id, keep_id, "merge_id", "same_organization"),
        (keep_id, merged_id, "tenant_id", "different_tenants"),
        (world.reseller_a.id, world.customer_a.id, "merge_id", "kind_mismatch"),
        (world.customer_a.id, world.platform.id, "merge_id", "platform"),
    ]
    for keep, merge, field, rule in cases:
        response = await client.post(
            merge_url(keep), json={"merge_id": str(merge)}, headers=world.platform.headers
        )
        assert response.status_code == 409, response.text
        assert response.json()["errors"] == [
            {"field": field, "rule": rule, "message": response.json()["errors"][0]["message"]}
        ]


async def test_merging_needs_both_in_scope_and_the_permission(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    body = {"merge_id": str(world.customer_b.id)}
    # Reseller A does not see B's customer: the same answer as for an id that does not exist.
    foreign = await client.post(
        merge_url(world.customer_a.id), json=body, headers=world.reseller_a.headers
    )
    missing = await client.post(
        merge_url(world.customer_a.id), json={"merge_id": str(uuid.uuid4())},
        headers=world.reseller_a.headers,
    )  # fmt: skip
    assert foreign.status_code == missing.status_code == 404
    as_customer = await client.post(
        merge_url(world.customer_a.id), json=body, headers=world.customer_a.headers
    )
    assert as_customer.status_code == 403
    # The platform sees both resellers' customers: it may merge across resellers.
    across = await client.post(
        merge_url(world.customer_a.id), json=body | {"fields": {"parent": "merge"}},
        headers=world.platform.headers,
    )  # fmt: skip
    assert across.status_code == 200, across.text
    assert across.json()["organization"]["parent_id"] == str(world.reseller_b.id)


async def test_a_stale_if_match_is_refused(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    keep_id, merged_id = await _pair(database, world)
    response = await client.post(
        merge_url(keep_id), json={"merge_id": str(merged_id)},
        headers=world.platform.headers | {"If-Match": '"99"'},
    )  # fmt: skip
    assert response.status_code == 412
    still = await client.get(f"/api/v1/organizations/{merged_id}", headers=world.platform.headers)
    assert still.status_code == 200


async def test_resellers_merge_with_their_customers(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        platform = await session.get(Organization, world.platform.id)
        assert platform is not None
        twin = await make_organization(
            session, platform, kind=OrganizationKind.RESELLER, legal_name="Alpha Reseller A/S"
        )
        child = await make_organization(session, platform, parent=twin, legal_name="Twin's")
    response = await client.post(
        merge_url(world.reseller_a.id), json={"merge_id": str(twin.id)},
        headers=world.platform.headers,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    moved = await client.get(f"/api/v1/organizations/{child.id}", headers=world.reseller_a.headers)
    assert moved.status_code == 200
    assert moved.json()["parent_id"] == str(world.reseller_a.id)
