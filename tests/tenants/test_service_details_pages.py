"""The Service Details page as people use it: the words it speaks to each, the prefix's line as
it is typed, the part polled while the authorization is awaited, and what a refusal keeps."""

from __future__ import annotations

import re

import httpx
import pytest

from tenantry.db import Database
from tenantry.models import ServiceDetails
from tests.agreements.accepted import agreement_accepted
from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page
from tests.web.on_behalf_support import open_as

pytestmark = pytest.mark.usefixtures("network")
PATH = "/service-details"


def text_of(response: httpx.Response) -> str:
    return " ".join(Page(response.text).text.split())


def fragment_text(response: httpx.Response) -> str:
    """The words of an htmx fragment (no page around it)."""
    assert response.status_code == 200, response.text
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split()).replace("Error: ", "")


async def test_the_customer_and_its_sellers_staff_are_asked_in_their_own_words(
    client: httpx.AsyncClient,
    people: People,
    world: World,
) -> None:
    await sign_in(client, people.customer_admin.email)
    own = await client.get(PATH)
    assert own.status_code == 200, own.text
    assert "I am already using Microsoft 365 and I own this domain" in text_of(own)
    await post_form(client, "/sign-out")
    await sign_in(client, people.reseller_staff.email)
    assert (await open_as(client, world.customer_a.id)).status_code == 303
    seller = await client.get(PATH)
    assert "My customer is already using Microsoft 365 and owns this domain" in text_of(seller)


async def test_the_prefix_is_answered_as_it_is_typed(
    client: httpx.AsyncClient,
    people: People,
    sqlite_sandbox: Sandbox,
) -> None:
    await sqlite_sandbox.customer(domain="typedco.onmicrosoft.com", relationship="none")
    await sign_in(client, people.customer_admin.email)
    free = await client.get(f"{PATH}/availability", params={"domain_prefix": "FreeCo"})
    assert fragment_text(free) == "freeco.onmicrosoft.com is available."
    taken = await client.get(f"{PATH}/availability", params={"domain_prefix": "typedco"})
    assert "typedco.onmicrosoft.com is already registered in Microsoft by another tenant" in (
        fragment_text(taken)
    )
    broken = await client.get(f"{PATH}/availability", params={"domain_prefix": "a b"})
    assert "use only letters a-z and digits 0-9" in fragment_text(broken)


async def test_the_awaited_authorization_is_polled_until_the_tenant_is_linked(
    client: httpx.AsyncClient, people: People, world: World, sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    tenant = await sqlite_sandbox.customer(domain="polledco.onmicrosoft.com", relationship="none")
    await sign_in(client, people.customer_admin.email)
    chosen = await post_form(
        client, PATH, {"choice": "existing", "customer_domain": "polledco.onmicrosoft.com"}
    )
    assert chosen.status_code == 303, chosen.text
    page = await client.get(PATH)
    assert "Tenantry never asks for a Global Administrator's password" in text_of(page)
    waiting = await client.get(f"{PATH}/status")
    assert 'hx-trigger="every 2s"' in waiting.text and "disabled" in waiting.text
    link = Page(page.text).by_id("f-to")  # the email form is there, prefilled
    assert link is not None
    url = Page(page.text).by_id("authorization-url")["value"]
    await sqlite_sandbox.control(
        "POST", "/relationships/accept", json={"customerId": tenant["id"], "url": url}
    )
    verified = await post_form(
        client, f"{PATH}/verify", {"customer_domain": "polledco.onmicrosoft.com"}
    )
    assert verified.status_code == 303, verified.text
    linked = await client.get(f"{PATH}/status")
    assert "every 2s" not in linked.text
    assert "Continue to review and place the order" in fragment_text(linked)


async def test_a_refused_verify_keeps_what_was_typed_and_says_why(
    client: httpx.AsyncClient, people: People, world: World, sqlite_sandbox: Sandbox,
    database: Database,
) -> None:  # fmt: skip
    await sqlite_sandbox.customer(domain="waitingco.onmicrosoft.com", relationship="none")
    await sign_in(client, people.customer_admin.email)
    await post_form(
        client, PATH, {"choice": "existing", "customer_domain": "waitingco.onmicrosoft.com"}
    )
    refused = await post_form(
        client, f"{PATH}/verify", {"customer_domain": "waitingco.onmicrosoft.com"}
    )
    assert refused.status_code == 409
    assert "has not accepted the invitation" in text_of(refused)
    await sqlite_sandbox.control(
        "PUT", "/faults", json={"rules": [{"kind": "error", "path": "/v1/*", "status": 503}]}
    )
    down = await post_form(client, PATH, {"choice": "new", "domain_prefix": "keptprefix"})
    assert down.status_code == 503
    assert "Partner Center could not be asked" in text_of(down)
    assert Page(down.text).by_id("f-domain_prefix")["value"] == "keptprefix"
    async with database.transaction() as session:
        details = await session.get(ServiceDetails, world.customer_a.id)
        assert details is not None and details.customer_domain == "waitingco.onmicrosoft.com"


async def test_a_held_prefix_taken_meanwhile_stops_the_order_and_says_so(
    client: httpx.AsyncClient, people: People, sqlite_sandbox: Sandbox, database: Database,
    world: World,
) -> None:  # fmt: skip
    await agreement_accepted(database, world.customer_a.id)
    await sign_in(client, people.customer_admin.email)
    added = await post_form(
        client, "/cart/add", {"offer": "CFQ7TTC0LH18-0001", "term": "P1Y", "quantity": "2"}
    )
    assert added.status_code == 303, added.text
    cart = await client.get("/cart")
    assert "Choose the Microsoft tenant for this order in Service Details" in text_of(cart)
    held = await post_form(client, PATH, {"choice": "new", "domain_prefix": "quickco"})
    assert held.status_code == 303, held.text
    await sqlite_sandbox.customer(domain="quickco.onmicrosoft.com", relationship="none")
    cart = await client.get("/cart")
    key = Page(cart.text).field("checkout_key")["value"]
    refused = await post_form(client, "/checkout", {"checkout_key": key})
    assert refused.status_code == 409, refused.text
    assert "quickco.onmicrosoft.com is no longer available" in text_of(refused)
