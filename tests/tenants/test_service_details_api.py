"""The Service Details step through the API, against the Partner Center sandbox's rules."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import AuditEvent
from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.tenants.conftest import details_url

pytestmark = pytest.mark.usefixtures("network")


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("", "required"),
        ("fabrikam-traders", "letters_and_digits"),
        ("fabrikåm", "letters_and_digits"),
        ("a" * 28, "max_length"),
    ],
)
async def test_a_prefix_breaking_microsofts_rules_is_refused_naming_the_rule(
    client: httpx.AsyncClient, world: World, typed: str, rule: str
) -> None:
    customer = world.customer_a
    response = await client.put(
        details_url(customer.organization), headers=customer.headers,
        json={"choice": "new", "domain_prefix": typed},
    )  # fmt: skip
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "domain_prefix"
    assert response.json()["errors"][0]["rule"] == rule


async def test_a_free_prefix_is_held_for_the_order(client: httpx.AsyncClient, world: World) -> None:
    customer = world.customer_a
    free = await client.get(
        "/api/v1/tenants/domain-availability", params={"prefix": "AlphaTraders"},
        headers=customer.headers,
    )  # fmt: skip
    assert free.status_code == 200, free.text
    assert free.json()["available"] is True
    assert free.json()["domain"] == "alphatraders.onmicrosoft.com"
    saved = await client.put(
        details_url(customer.organization), headers=customer.headers,
        json={"choice": "new", "domain_prefix": "AlphaTraders"},
    )  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert saved.json()["status"] == "held" and saved.json()["done"] is True
    assert saved.json()["domain"] == "alphatraders.onmicrosoft.com"


async def test_a_taken_prefix_points_to_the_authorization_process(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox
) -> None:
    await sqlite_sandbox.customer(domain="takenco.onmicrosoft.com", relationship="none")
    customer = world.customer_a
    response = await client.put(
        details_url(customer.organization), headers=customer.headers,
        json={"choice": "new", "domain_prefix": "takenco"},
    )  # fmt: skip
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["rule"] == "domain_available"
    assert (
        "takenco.onmicrosoft.com is already registered in Microsoft by another tenant"
        in (error["message"])
    )
    assert "already using Microsoft 365" in error["message"]
    availability = await client.get(
        "/api/v1/tenants/domain-availability", params={"prefix": "takenco"},
        headers=customer.headers,
    )  # fmt: skip
    assert availability.json()["available"] is False


async def test_a_direct_customer_gets_the_direct_link_and_verify_links_once_accepted(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox, database: Database
) -> None:
    tenant = await sqlite_sandbox.customer(domain="directco.onmicrosoft.com", relationship="none")
    customer = world.direct_customer
    url = details_url(customer.organization)
    chosen = await client.put(
        url, headers=customer.headers,
        json={"choice": "existing", "customer_domain": "directco.onmicrosoft.com"},
    )  # fmt: skip
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["status"] == "awaiting_authorization"
    link = chosen.json()["authorization_url"]
    assert "invType=ResellerRelationship" in link
    early = await client.post(f"{url}/verify", headers=customer.headers)
    assert early.status_code == 409, early.text
    assert early.json()["code"] == "invitation_not_accepted"
    await sqlite_sandbox.control(
        "POST", "/relationships/accept", json={"customerId": tenant["id"], "url": link}
    )
    verified = await client.post(f"{url}/verify", headers=customer.headers)
    assert verified.status_code == 200, verified.text
    assert verified.json()["tenant_id"] == tenant["id"]
    assert verified.json()["link_method"] == "verified"
    again = await client.post(f"{url}/verify", headers=customer.headers)
    assert again.status_code == 200 and again.json()["tenant_id"] == tenant["id"]
    held = await client.get(f"/api/v1/organizations/{customer.id}/tenant", headers=customer.headers)
    assert held.json()["tenant"]["initial_domain"] == "directco.onmicrosoft.com"
    assert (await client.get(url, headers=customer.headers)).json()["done"] is True
    async with database.transaction() as session:
        links = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "tenant.linked")
        )
    assert links == 1


async def test_verify_says_when_no_tenant_uses_the_domain(
    client: httpx.AsyncClient, world: World
) -> None:
    customer = world.direct_customer
    url = details_url(customer.organization)
    await client.put(
        url, headers=customer.headers,
        json={"choice": "existing", "customer_domain": "nobodyhere.onmicrosoft.com"},
    )  # fmt: skip
    response = await client.post(f"{url}/verify", headers=customer.headers)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "no_tenant_for_domain"
    assert (
        "no Microsoft tenant uses the domain nobodyhere.onmicrosoft.com"
        in (response.json()["detail"])
    )


async def test_a_resellers_customer_gets_the_indirect_link_and_another_reseller_is_named(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox
) -> None:
    other = await sqlite_sandbox.reseller("Gamma Reseller")
    tenant = await sqlite_sandbox.customer(
        domain="alphaco.onmicrosoft.com", relationship="indirect",
        reseller_tenant_id=other["tenantId"],
    )  # fmt: skip
    reseller = world.reseller_a
    url = details_url(world.customer_a.organization)
    chosen = await client.put(
        url, headers=reseller.headers,
        json={"choice": "existing", "customer_domain": "alphaco.onmicrosoft.com"},
    )  # fmt: skip
    assert chosen.status_code == 200, chosen.text
    link = chosen.json()["authorization_url"]
    assert "invType=IndirectResellerRelationship" in link
    assert chosen.json()["reseller_id"] == str(reseller.id)
    refused = await client.post(f"{url}/verify", headers=reseller.headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "accepted_for_another_reseller"
    await sqlite_sandbox.control(
        "POST", "/relationships/accept", json={"customerId": tenant["id"], "url": link}
    )
    verified = await client.post(f"{url}/verify", headers=reseller.headers)
    assert verified.status_code == 200, verified.text
    assert verified.json()["relationship"] == "indirect"
    assert verified.json()["reseller_id"] == str(reseller.id)


async def test_a_reseller_outside_the_distributors_network_gets_no_link(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.put(
        details_url(world.customer_b.organization), headers=world.reseller_b.headers,
        json={"choice": "existing", "customer_domain": "betaco.example"},
    )  # fmt: skip
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "reseller_not_in_network"
    assert "Beta Reseller" in response.json()["detail"]


async def test_a_tenant_another_organization_holds_is_refused_naming_it(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox
) -> None:
    tenant = await sqlite_sandbox.customer(domain="sharedco.onmicrosoft.com", relationship="direct")
    platform = world.platform
    for party in (world.direct_customer, world.customer_a):
        chosen = await client.put(
            details_url(party.organization), headers=platform.headers,
            json={"choice": "existing", "customer_domain": "sharedco.onmicrosoft.com"},
        )  # fmt: skip
        assert chosen.status_code == 200, chosen.text
    await sqlite_sandbox.control(
        "POST", "/relationships/accept",
        json={"customerId": tenant["id"], "url": chosen.json()["authorization_url"]},
    )  # fmt: skip
    first = await client.post(
        f"{details_url(world.direct_customer.organization)}/verify", headers=platform.headers
    )
    assert first.status_code == 200, first.text
    second = await client.post(
        f"{details_url(world.customer_a.organization)}/verify", headers=platform.headers
    )
    assert second.status_code == 409, second.text
    assert second.json()["code"] == "tenant_held_by_another_organization"
    assert "Direct Customer" in second.json()["detail"]


async def test_partner_center_down_changes_nothing_and_says_so(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox
) -> None:
    await sqlite_sandbox.control(
        "PUT", "/faults", json={"rules": [{"kind": "error", "path": "/v1/*", "status": 503}]}
    )
    customer = world.customer_a
    url = details_url(customer.organization)
    response = await client.put(
        url, headers=customer.headers, json={"choice": "new", "domain_prefix": "alphatraders"}
    )
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "partner_center_unavailable"
    assert "Partner Center could not be asked" in response.json()["detail"]
    assert (await client.get(url, headers=customer.headers)).json()["choice"] is None


async def test_service_details_of_an_organization_out_of_scope_are_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(
        details_url(world.customer_b.organization), headers=world.reseller_a.headers
    )
    assert response.status_code == 404


async def test_verify_finds_the_tenant_by_its_default_custom_domain(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox
) -> None:
    """Partner Center's Domain search matches a customer's verified custom domains too, so the
    customer's default domain finds its tenant (typed in any case)."""
    tenant = await sqlite_sandbox.customer(
        domain="tailwindco.onmicrosoft.com", custom_domain="tailwind.example", relationship="none"
    )
    # A tenant whose custom domain only starts the same is not taken for it.
    await sqlite_sandbox.customer(
        domain="tailwindtoo.onmicrosoft.com", custom_domain="tailwind.example.net",
        relationship="direct",
    )  # fmt: skip
    customer = world.direct_customer
    url = details_url(customer.organization)
    chosen = await client.put(
        url, headers=customer.headers,
        json={"choice": "existing", "customer_domain": "Tailwind.Example"},
    )  # fmt: skip
    assert chosen.status_code == 200, chosen.text
    await sqlite_sandbox.control(
        "POST", "/relationships/accept",
        json={"customerId": tenant["id"], "url": chosen.json()["authorization_url"]},
    )  # fmt: skip
    verified = await client.post(f"{url}/verify", headers=customer.headers)
    assert verified.status_code == 200, verified.text
    assert verified.json()["tenant_id"] == tenant["id"]
    held = await client.get(f"/api/v1/organizations/{customer.id}/tenant", headers=customer.headers)
    linked = held.json()["tenant"]
    assert linked["initial_domain"] == "tailwindco.onmicrosoft.com"
    assert linked["default_domain"] == "tailwind.example"
    assert set(linked["verified_domains"]) == {"tailwindco.onmicrosoft.com", "tailwind.example"}
