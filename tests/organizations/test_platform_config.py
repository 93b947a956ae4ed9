"""The platform's rules accept only what they can enforce: ISO 4217 currencies, domain names,
no duplicates, and no currency list that strands organizations preferring a removed currency."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tenantry.db import Database
from tenantry.models import AuditEvent
from tests.factories import World

URL = "/api/v1/platform/config"


async def _patch(client: httpx.AsyncClient, world: World, body: dict[str, Any]) -> httpx.Response:
    return await client.patch(URL, json=body, headers=world.platform.headers)


def _errors(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(e["field"], e["rule"]) for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("currencies", "errors"),
    [
        (["EUR", "XYZ"], [("allowed_currencies.1", "iso4217")]),
        (["AAA"], [("allowed_currencies.0", "iso4217")]),
        (["EUR", "eur"], [("allowed_currencies", "unique")]),
    ],
)
async def test_currencies_are_iso_4217_and_listed_once(
    client: httpx.AsyncClient, world: World, currencies: list[str], errors: list[Any]
) -> None:
    before = (await client.get(URL, headers=world.platform.headers)).json()
    assert _errors(await _patch(client, world, {"allowed_currencies": currencies})) == errors
    assert (await client.get(URL, headers=world.platform.headers)).json() == before


@pytest.mark.parametrize(
    ("domains", "errors"),
    [
        (["*"], [("work_account_domains.0", "domain_name")]),
        (["contoso.example", ""], [("work_account_domains.1", "domain_name")]),
        (["not a domain"], [("work_account_domains.0", "domain_name")]),
        (["*.contoso.example"], [("work_account_domains.0", "domain_name")]),
        (["localhost"], [("work_account_domains.0", "domain_name")]),
        (["contoso.example", "Contoso.EXAMPLE"], [("work_account_domains", "unique")]),
    ],
)
async def test_work_account_domains_are_domain_names_listed_once(
    client: httpx.AsyncClient, world: World, domains: list[str], errors: list[Any]
) -> None:
    assert _errors(await _patch(client, world, {"work_account_domains": domains})) == errors


async def test_domains_are_stored_lower_case_in_their_dns_form(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await _patch(
        client, world, {"work_account_domains": ["Contoso.EXAMPLE", "Bücher.example"]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["work_account_domains"] == ["contoso.example", "xn--bcher-kva.example"]


async def test_a_currency_change_that_strands_organizations_is_refused_naming_them(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    before = (await client.get(URL, headers=world.platform.headers)).json()
    response = await _patch(client, world, {"allowed_currencies": ["USD"]})
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "currency_in_use"
    assert body["errors"][0]["field"] == "allowed_currencies"
    # Every organization of the world prefers EUR: all are named, and nothing changed.
    named = {o["id"] for o in body["organizations"]}
    assert str(world.customer_a.id) in named and str(world.platform.id) in named
    assert "Alpha Customer (EUR)" in body["detail"]
    assert (await client.get(URL, headers=world.platform.headers)).json() == before
    async with database.transaction() as session:
        audited = await session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "platform.configured")
        )
    assert audited == 0


async def test_organization_edits_keep_working_after_a_currency_change(
    client: httpx.AsyncClient, world: World
) -> None:
    changed = await _patch(client, world, {"allowed_currencies": ["eur", "USD"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["allowed_currencies"] == ["EUR", "USD"]
    edit = await client.patch(
        f"/api/v1/organizations/{world.customer_a.id}",
        json={"display_name": "Alpha"},
        headers=world.platform.headers,
    )
    assert edit.status_code == 200, edit.text
