"""Creating organizations through the API."""

from __future__ import annotations

import httpx

from tests.factories import World, address, organization_payload

URL = "/api/v1/organizations"


async def test_create_and_approve_starts_active(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        URL, json=organization_payload(approve=True), headers=world.platform.headers
    )
    assert response.status_code == 201
    assert response.json()["status"] == "active"
    assert response.json()["approved_at"] is not None


async def test_a_reseller_creates_customers_under_itself(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(URL, json=organization_payload(), headers=world.reseller_a.headers)
    assert response.status_code == 201
    assert response.json()["parent_id"] == str(world.reseller_a.id)


async def test_a_reseller_cannot_place_a_customer_under_another(
    client: httpx.AsyncClient, world: World
) -> None:
    payload = organization_payload(parent_id=str(world.reseller_b.id))
    response = await client.post(URL, json=payload, headers=world.reseller_a.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "parent_id"


async def test_only_the_platform_creates_resellers_and_they_need_an_mpn_id(
    client: httpx.AsyncClient, world: World
) -> None:
    payload = organization_payload(kind="reseller")
    denied = await client.post(URL, json=payload, headers=world.reseller_a.headers)
    assert denied.status_code == 403
    missing = await client.post(URL, json=payload, headers=world.platform.headers)
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["mpn_id"]
    created = await client.post(
        URL, json=payload | {"mpn_id": "7654321"}, headers=world.platform.headers
    )
    assert created.status_code == 201 and created.json()["kind"] == "reseller"


async def test_customers_cannot_create_organizations(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(URL, json=organization_payload(), headers=world.customer_a.headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_every_invalid_field_is_named_with_its_rule(
    client: httpx.AsyncClient, world: World
) -> None:
    payload = organization_payload(
        vat_id=None,
        preferred_currency="JPY",
        address=address(country="US", postal_code="ABC"),
        primary_contact={"name": "X", "email": "x@example.com", "phone": "12"},
        domain="not a domain",
    )
    response = await client.post(URL, json=payload, headers=world.platform.headers)
    assert response.status_code == 422
    found = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert found == {
        ("address.region", "required_for_country"),
        ("address.postal_code", "postal_code_format"),
        ("primary_contact.phone", "phone_e164"),
        ("domain", "domain_name"),
        ("preferred_currency", "allowed_currency"),
    }


async def test_schema_errors_and_unknown_fields_are_named(
    client: httpx.AsyncClient, world: World
) -> None:
    payload = organization_payload(colour="blue", legal_name="")
    del payload["address"]
    response = await client.post(URL, json=payload, headers=world.platform.headers)
    assert response.status_code == 422
    found = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert ("colour", "unknown_field") in found
    assert ("address", "required") in found
    assert ("legal_name", "string_too_short") in found


async def test_oversized_values_are_refused(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        URL, json=organization_payload(legal_name="x" * 201), headers=world.platform.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "legal_name"


async def test_erp_ids_are_unique_within_the_platform(
    client: httpx.AsyncClient, world: World
) -> None:
    first = await client.post(
        URL, json=organization_payload(erp_id="ERP-1"), headers=world.platform.headers
    )
    assert first.status_code == 201
    second = await client.post(
        URL, json=organization_payload(erp_id="ERP-1"), headers=world.platform.headers
    )
    assert second.status_code == 422
    assert second.json()["errors"] == [
        {
            "field": "erp_id",
            "rule": "unique",
            "message": "the ERP ID 'ERP-1' belongs to another organization",
        }
    ]


async def test_segments_and_custom_properties_must_be_defined(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.platform.headers
    segment = (await client.post("/api/v1/segments", json={"name": "SMB"}, headers=headers)).json()
    await client.post(
        "/api/v1/custom-properties",
        json={"key": "region_code", "label": "Region code"},
        headers=headers,
    )
    ok = await client.post(
        URL,
        json=organization_payload(
            segment_ids=[segment["id"]], custom_properties={"region_code": "N1"}
        ),
        headers=headers,
    )
    assert ok.status_code == 201
    assert [s["name"] for s in ok.json()["segments"]] == ["SMB"]
    bad = await client.post(
        URL,
        json=organization_payload(
            segment_ids=["00000000-0000-0000-0000-000000000000"],
            custom_properties={"colour": "blue"},
        ),
        headers=headers,
    )
    assert {(e["field"], e["rule"]) for e in bad.json()["errors"]} == {
        ("segment_ids.0", "known_segment"),
        ("custom_properties.colour", "defined_property"),
    }


async def test_a_retried_create_with_the_same_idempotency_key_creates_one_organization(
    client: httpx.AsyncClient, world: World
) -> None:
    payload = organization_payload()
    headers = world.platform.headers | {"Idempotency-Key": "create-contoso-1"}
    first = await client.post(URL, json=payload, headers=headers)
    again = await client.post(URL, json=payload, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    listed = await client.get(
        URL, params={"q": payload["legal_name"]}, headers=world.platform.headers
    )
    assert len(listed.json()["items"]) == 1
    other = await client.post(URL, json=organization_payload(), headers=headers)
    assert other.status_code == 422


async def test_a_refused_create_writes_nothing(client: httpx.AsyncClient, world: World) -> None:
    before = await client.get("/api/v1/audit-events", headers=world.platform.headers)
    await client.post(URL, json=organization_payload(vat_id="DK1"), headers=world.platform.headers)
    after = await client.get("/api/v1/audit-events", headers=world.platform.headers)
    assert after.json()["items"] == before.json()["items"]
