"""GET /api/v1/organizations/{id}/bill-to and POST .../bill-to/take: the differences, the
incomplete flag, taking Partner Center's values (If-Match, audited, a sync change), scoped."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import AuditEvent, Organization, Role, SyncChange
from tests.factories import World, make_token
from tests.sync.visibility import add_account, profile_of


async def link_account(database: Database, world: World, **address: Any) -> dict[str, Any]:
    """Customer A held by a Partner Center customer whose bill-to differs as ``address`` says."""
    async with database.transaction() as session:
        customer = await session.get_one(Organization, world.customer_a.id)
        profile = profile_of(customer, **address)
        await add_account(session, world.platform.id, organization=customer, profile=profile)
        return profile


def url(world: World, suffix: str = "") -> str:
    return f"/api/v1/organizations/{world.customer_a.id}/bill-to{suffix}"


async def test_the_differences_and_what_an_order_would_miss(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    await link_account(database, world, city="Aarhus", postalCode="")
    response = await client.get(url(world), headers=world.reseller_a.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["linked"] is True and body["incomplete"] is True
    assert body["missing"] == ["defaultAddress.postalCode"]
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert {d["field"]: [d["tenantry"], d["partner_center"]] for d in body["differences"]} == {
        "address.city": ["Copenhagen", "Aarhus"],
        "address.postal_code": ["1000", None],
    }


async def test_an_organization_no_partner_center_customer_holds_has_nothing_to_compare(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(url(world), headers=world.platform.headers)
    assert response.status_code == 200
    assert response.json() | {"version": 0} == {
        "organization_id": str(world.customer_a.id), "linked": False, "account_id": None,
        "tenant_id": None, "read_at": None, "differences": [], "incomplete": False,
        "missing": [], "version": 0,
    }  # fmt: skip
    taken = await client.post(
        url(world, "/take"), headers=world.platform.headers, json={"fields": ["address.city"]}
    )
    assert taken.status_code == 409
    assert "no bill-to read from Partner Center" in taken.json()["detail"]


async def test_taking_partner_centers_values_changes_audits_and_notes_them(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    await link_account(database, world, city="Aarhus", postalCode="8000", addressLine1="Bygade 2")
    headers = world.reseller_a.headers
    etag = (await client.get(url(world), headers=headers)).headers["ETag"]

    stale = await client.post(
        url(world, "/take"), headers=headers | {"If-Match": '"999"'},
        json={"fields": ["address.city"]},
    )  # fmt: skip
    assert stale.status_code == 412
    taken = await client.post(
        url(world, "/take"), headers=headers | {"If-Match": etag},
        json={"fields": ["address.city", "address.postal_code", "legal_name"]},
    )  # fmt: skip
    assert taken.status_code == 200, taken.text
    body = taken.json()
    assert body["taken"] == ["address.city", "address.postal_code"]  # the name does not differ
    assert [d["field"] for d in body["differences"]] == ["address.line1"]
    assert taken.headers["ETag"] != etag

    organization = (await client.get(f"/api/v1/organizations/{world.customer_a.id}",
                                     headers=headers)).json()  # fmt: skip
    assert organization["address"]["city"] == "Aarhus"
    assert organization["address"]["postal_code"] == "8000"
    assert organization["address"]["line1"] == "High Street 1"
    async with database.transaction(write=False) as session:
        [event] = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "organization.bill_to_taken")
        )
        [change] = await session.scalars(select(SyncChange))
    assert event.organization_id == world.customer_a.id
    assert event.changes["fields"] == ["address.city", "address.postal_code"]
    assert event.changes["before"]["address_city"] == "Copenhagen"
    assert event.changes["after"]["address_city"] == "Aarhus"
    assert (change.organization_id, change.action) == (world.customer_a.id, "bill_to_taken")
    assert change.changes == {"address.city": ["Copenhagen", "Aarhus"],
                              "address.postal_code": ["1000", "8000"]}  # fmt: skip

    again = await client.post(url(world, "/take"), headers=headers,
                              json={"fields": ["address.city"]})  # fmt: skip
    assert again.status_code == 200 and again.json()["taken"] == []


async def test_a_value_the_organization_cannot_hold_is_refused_naming_the_field(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    await link_account(database, world, city="", phoneNumber="not a phone")
    refused = await client.post(
        url(world, "/take"), headers=world.platform.headers,
        json={"fields": ["address.city", "primary_contact.phone"]},
    )  # fmt: skip
    assert refused.status_code == 422
    assert {(e["field"], e["rule"]) for e in refused.json()["errors"]} == {
        ("address.city", "bill_to_empty"),
        ("primary_contact.phone", "phone_e164"),
    }
    unknown = await client.post(
        url(world, "/take"), headers=world.platform.headers, json={"fields": ["domain"]}
    )
    assert unknown.status_code == 422


async def test_others_do_not_see_it_and_staff_without_sync_run_cannot_take(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    await link_account(database, world, city="Aarhus")
    assert (await client.get(url(world), headers=world.reseller_b.headers)).status_code == 404
    assert (await client.get(url(world), headers=world.customer_a.headers)).status_code == 403
    refused = await client.post(
        url(world, "/take"), headers=world.reseller_b.headers, json={"fields": ["address.city"]}
    )
    assert refused.status_code == 404
    async with database.transaction() as session:
        reseller = await session.get_one(Organization, world.reseller_a.id)
        staff_token = await make_token(session, reseller, Role.RESELLER_STAFF)
    staff = {"Authorization": f"Bearer {staff_token}"}
    assert (await client.get(url(world), headers=staff)).status_code == 200
    forbidden = await client.post(url(world, "/take"), headers=staff,
                                  json={"fields": ["address.city"]})  # fmt: skip
    assert forbidden.status_code == 403 and forbidden.json()["permission"] == "sync.run"
