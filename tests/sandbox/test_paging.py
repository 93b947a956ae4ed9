"""Seek paging: every customer exactly once, stable while customers are added, filters kept."""

from __future__ import annotations

import json
import random
from typing import Any
from urllib.parse import quote

import httpx

from tenantry_sandbox.seed_customers import add_customer, plan_customer
from tenantry_sandbox.seed_rows import Rows

from .conftest import Sandbox


async def add_customers(sandbox: Sandbox, count: int, *, first_index: int = 0) -> set[str]:
    """``count`` customers served directly by the distributor, inserted in bulk."""
    rng = random.Random(first_index)
    rows = Rows()
    ids = {
        str(add_customer(rows, rng, plan_customer(rng, first_index + n, [], relationship="direct"),
                         sandbox.partner_id))
        for n in range(count)
    }  # fmt: skip
    async with sandbox.state.db.sessionmaker() as session, session.begin():
        await rows.flush(session)
    return ids


async def walk(
    sandbox: Sandbox, first_page: str, *, between_pages: Any = None
) -> tuple[list[str], int]:
    """Follow ``links.next`` to the end; the ids seen, in order, and how many pages."""
    response = await sandbox.call("GET", first_page)
    seen: list[str] = []
    pages = 0
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        seen += [item["id"] for item in body["items"]]
        assert body["totalCount"] == len(body["items"])
        next_link = body["links"].get("next")
        if next_link is None:
            assert "continuationToken" not in body
            return seen, pages
        assert body["continuationToken"] == next_link["headers"][0]["value"]
        assert next_link["headers"][0]["key"] == "MS-ContinuationToken"
        if between_pages is not None:
            await between_pages(pages)
        response = await sandbox.call(
            "GET",
            next_link["uri"],
            headers={h["key"]: h["value"] for h in next_link["headers"]},
        )


async def test_paging_5000_customers_returns_each_exactly_once(sandbox: Sandbox) -> None:
    expected = await add_customers(sandbox, 5000)
    seen, pages = await walk(sandbox, "/v1/customers?size=500")
    assert len(seen) == len(set(seen)) == 5000
    assert set(seen) == expected
    assert pages == 10


async def test_paging_is_stable_while_customers_are_created(sandbox: Sandbox) -> None:
    expected = await add_customers(sandbox, 1200)
    added: set[str] = set()

    async def create_more(page: int) -> None:
        added.update(await add_customers(sandbox, 7, first_index=10_000 + page * 10))

    seen, _pages = await walk(sandbox, "/v1/customers?size=100", between_pages=create_more)
    assert len(seen) == len(set(seen)), "a customer came twice"
    assert expected <= set(seen), "a customer present from the start was skipped"
    assert set(seen) <= expected | added


async def test_the_filter_holds_across_pages(sandbox: Sandbox) -> None:
    await add_customers(sandbox, 300)
    query = quote(
        json.dumps({"Field": "CompanyName", "Value": "contoso", "Operator": "starts_with"})
    )
    seen, _pages = await walk(sandbox, f"/v1/customers?size=7&filter={query}")
    assert seen, "the seed names some customers Contoso"
    assert len(seen) == len(set(seen))
    names = []
    for customer_id in seen:
        response = await sandbox.call("GET", f"/v1/customers/{customer_id}")
        names.append(response.json()["companyProfile"]["companyName"].lower())
    assert all(name.startswith("contoso") for name in names)


async def test_a_forged_or_foreign_token_is_refused(sandbox: Sandbox) -> None:
    await add_customers(sandbox, 5)
    first = (await sandbox.call("GET", "/v1/customers?size=2")).json()
    token = first["continuationToken"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for value in (tampered, "garbage"):
        response = await sandbox.call(
            "GET", "/v1/customers?seekOperation=Next", headers={"MS-ContinuationToken": value}
        )
        assert response.status_code == 400
        assert response.json()["code"] == 3000
    customer = (await sandbox.customer(extraUsers=3))["id"]
    users = await sandbox.call(
        "GET",
        f"/v1/customers/{customer}/users?seekOperation=Next",
        headers={"MS-ContinuationToken": token},
    )
    assert users.status_code == 400, "a customers token must not page users"


async def test_next_without_a_token_is_refused(sandbox: Sandbox) -> None:
    response = await sandbox.call("GET", "/v1/customers?seekOperation=Next")
    assert response.status_code == 400


async def test_users_page_with_the_same_mechanism(sandbox: Sandbox) -> None:
    customer = (await sandbox.customer(extraUsers=11))["id"]
    seen, pages = await walk(sandbox, f"/v1/customers/{customer}/users?size=5")
    assert len(seen) == len(set(seen)) == 12
    assert pages == 3


async def test_unfiltered_first_page_link_is_the_request(sandbox: Sandbox) -> None:
    response = await sandbox.call("GET", "/v1/customers?size=40")
    assert response.json()["links"]["self"]["uri"] == "/v1/customers?size=40"
    assert isinstance(response, httpx.Response)


async def test_the_domain_filter_matches_initial_and_verified_custom_domains(
    sandbox: Sandbox,
) -> None:
    """Like Partner Center's: starts_with, without regard to case, on any of the domains."""
    custom = await sandbox.customer(
        domain="fourthcoffee.onmicrosoft.com", custom_domain="fourthcoffee.example",
        relationship="direct",
    )  # fmt: skip
    other = await sandbox.customer(
        domain="fourthcoffeebeans.onmicrosoft.com", relationship="direct"
    )

    async def found(value: str) -> set[str]:
        query = quote(json.dumps({"Field": "Domain", "Value": value, "Operator": "starts_with"}))
        response = await sandbox.call("GET", f"/v1/customers?size=0&filter={query}")
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert await found("FourthCoffee.Example") == {custom["id"]}
    assert await found("fourthcoffee.ex") == {custom["id"]}
    assert await found("fourthcoffee") == {custom["id"], other["id"]}
    assert await found("fourthcoffee.example.net") == set()
