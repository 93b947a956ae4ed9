"""The agreements page of a customer for sellers' staff, the card on the organization's page and
the distributor's queue: what each viewer is offered, and the forms."""

from __future__ import annotations

import httpx

from tenantry.db import Database
from tests.agreements.conftest import linked_customer
from tests.agreements.staff import days_ago, tomorrow
from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.web.html import Page


def text_of(response: httpx.Response) -> str:
    return " ".join(Page(response.text).text.split())


async def test_a_reseller_asks_and_the_distributor_attests_from_its_queue(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    customer = world.customer_a.organization
    await linked_customer(database, sqlite_sandbox, customer)
    path = f"/organizations/{customer.id}/agreements"
    reseller = world.reseller_a.headers
    detail = await client.get(f"/organizations/{customer.id}", headers=reseller)
    assert f'hx-get="{path}/card"' in detail.text
    card = await client.get(f"{path}/card", headers=reseller | {"HX-Request": "true"})
    assert "<html" not in card.text and "Not known yet" in card.text

    page = await client.get(path, headers=reseller)
    said = text_of(page)
    assert page.status_code == 200
    assert "Send the acceptance request" in said and "Ask your distributor to attest" in said
    assert "Attest an acceptance obtained outside Tenantry" not in said
    assert "117a77b0" not in page.text

    form = {"first_name": "Anna", "last_name": "Hansen", "email": "anna@customer.example",
            "date_agreed": tomorrow(), "note": "Signed in our office"}  # fmt: skip
    refused = await client.post(f"{path}/attestation-requests", data=form, headers=reseller)
    assert refused.status_code == 422
    assert "is in the future" in text_of(refused) and 'value="Anna"' in refused.text
    asked = await client.post(
        f"{path}/attestation-requests", data=form | {"date_agreed": days_ago(2)}, headers=reseller
    )
    assert asked.status_code == 303, asked.text
    shown = text_of(await client.get(asked.headers["location"], headers=reseller))
    assert "Your distributor was asked to attest" in shown and "Withdraw" in shown

    platform = world.platform.headers
    queue = await client.get("/agreements/requests", headers=platform)
    said = text_of(queue)
    assert "Alpha Customer, asked by Alpha Reseller" in said and "Signed in our office" in said
    assert "Attestation requests (1 open)" in said
    assert (await client.get("/agreements/requests", headers=reseller)).status_code == 403
    [request] = (
        await client.get("/api/v1/agreements/attestation-requests", headers=platform)
    ).json()
    answer = {k: v for k, v in form.items() if k != "note"} | {"date_agreed": days_ago(2)}
    attested = await client.post(
        f"/agreements/requests/{request['id']}/attest", data=answer, headers=platform
    )
    assert attested.status_code == 303, attested.text
    after = text_of(await client.get(path, headers=reseller))
    assert "Accepted (confirmed in Partner Center)" in after
    assert "Attested by staff" in after and "anna@customer.example" in after


async def test_platform_staff_get_the_form_prefilled_with_the_primary_contact(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    customer = world.direct_customer.organization
    await linked_customer(database, sqlite_sandbox, customer)
    path = f"/organizations/{customer.id}/agreements"
    page = await client.get(path, headers=world.platform.headers)
    assert "Attest an acceptance obtained outside Tenantry" in text_of(page)
    assert f'value="{customer.contact_email}"' in page.text
    refused = await client.post(
        f"{path}/attestations", headers=world.platform.headers,
        data={"first_name": "Anna", "last_name": "Hansen", "email": "anna@x.example",
              "date_agreed": "2017-06-01"},
    )  # fmt: skip
    assert refused.status_code == 422 and "before the Microsoft Customer Agreement existed" in (
        text_of(refused)
    )
    checked = await client.post(f"{path}/refresh", headers=world.platform.headers)
    assert checked.status_code == 303 and checked.headers["location"].endswith("done=refreshed")
    shown = text_of(await client.get(checked.headers["location"], headers=world.platform.headers))
    assert "Not accepted: Microsoft refuses purchases" in shown
    assert (await client.get(path, headers=world.reseller_b.headers)).status_code == 404
