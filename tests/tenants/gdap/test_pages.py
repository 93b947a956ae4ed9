"""GDAP on the customer's page: the section, the request form, its refusals, Refresh."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.web.html import Page


def text_of(response: httpx.Response) -> str:
    return " ".join(Page(response.text).text.split())


async def test_the_customer_page_offers_gdap_and_the_form_requests_it(
    client: httpx.AsyncClient, world: World, tenant: dict[str, Any]
) -> None:
    headers = world.reseller_a.headers
    customer = world.customer_a.id
    detail = await client.get(f"/organizations/{customer}", headers=headers)
    assert f'hx-get="/organizations/{customer}/gdap"' in detail.text
    assert "Granular admin access (GDAP)" in text_of(detail)

    page = await client.get(f"/organizations/{customer}/gdap", headers=headers)
    assert page.status_code == 200
    assert "No GDAP relationship was requested for Alpha Customer yet" in text_of(page)
    partial = await client.get(
        f"/organizations/{customer}/gdap", headers=headers | {"HX-Request": "true"}
    )
    assert "<html" not in partial.text and "Request GDAP" in partial.text

    form = {"template": "full_administration", "duration_days": "90", "auto_extend": "true",
            "request_key": "k1"}  # fmt: skip
    refused = await client.post(f"/organizations/{customer}/gdap", data=form, headers=headers)
    assert refused.status_code == 422
    said = text_of(refused)
    assert "Microsoft does not auto-extend a relationship with the Global Administrator" in said
    assert 'value="90"' in refused.text and 'aria-invalid="true"' in refused.text

    asked = await client.post(
        f"/organizations/{customer}/gdap", data=form | {"auto_extend": ""}, headers=headers
    )
    assert asked.status_code == 303, asked.text
    shown = await client.get(asked.headers["location"], headers=headers)
    said = text_of(shown)
    assert "GDAP requested. The approval link was emailed" in said
    assert "Approval pending" in said and "Global Administrator" in said
    assert "/granularAdminRelationships/" in shown.text and "Copy link" in said

    twice = await client.post(
        f"/organizations/{customer}/gdap", data=form | {"auto_extend": ""}, headers=headers
    )
    assert twice.status_code == 303
    listed = await client.get(
        f"/api/v1/organizations/{customer}/gdap-relationships", headers=headers
    )
    assert len(listed.json()) == 1
    [row] = listed.json()
    refreshed = await client.post(f"/gdap/relationships/{row['id']}/refresh", headers=headers)
    assert refreshed.status_code == 303
    assert refreshed.headers["location"].endswith("?done=refreshed")


async def test_an_unlinked_customer_is_told_to_link_its_tenant_first(
    client: httpx.AsyncClient, world: World
) -> None:
    page = await client.get(
        f"/organizations/{world.customer_b.id}/gdap", headers=world.platform.headers
    )
    assert "has no Microsoft tenant linked yet" in text_of(page)
    assert "Request GDAP and email" not in page.text


async def test_partner_center_down_keeps_the_form_and_says_so(
    client: httpx.AsyncClient, world: World, tenant: dict[str, Any], sqlite_sandbox: Sandbox
) -> None:
    await sqlite_sandbox.control(
        "PUT", "/faults", json={"rules": [{"kind": "disconnect", "path": "/graph/*"}]}
    )
    form = {"template": "workloads", "duration_days": "120", "request_key": "k2"}
    down = await client.post(
        f"/organizations/{world.customer_a.id}/gdap", data=form, headers=world.reseller_a.headers
    )
    assert down.status_code == 503
    assert "Microsoft could not be reached" in text_of(down) and "nothing was saved" in down.text
    assert 'value="120"' in down.text and 'value="workloads" selected' in down.text
    assert "No GDAP relationship was requested for Alpha Customer yet" in text_of(down)
