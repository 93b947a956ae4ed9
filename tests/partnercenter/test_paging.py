"""Seek paging (MS-ContinuationToken) and Graph paging (@odata.nextLink)."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from tenantry.partnercenter import UnexpectedResponse
from tenantry.partnercenter.models import CustomerSearchField

from .fakes import ClientFactory, FakeService, load_sample, reply

PAGE = load_sample("customers-page.json")
ASSIGNMENT = load_sample("gdap-access-assignment-response.json")


def customers_page(ids: list[str], token: str | None, *, next_link: bool = True) -> dict[str, Any]:
    """A customers page shaped like the documented one, with a continuation when ``token``."""
    page: dict[str, Any] = copy.deepcopy(PAGE)
    template = page["items"][0]
    page["items"] = [{**copy.deepcopy(template), "id": customer_id} for customer_id in ids]
    page["totalCount"] = len(ids)
    if token is not None:
        page["continuationToken"] = token
        if next_link:
            page["links"]["next"] = {
                "uri": "/customers?seekOperation=Next",
                "method": "GET",
                "headers": [{"key": "MS-ContinuationToken", "value": token}],
            }
    return page


async def test_iterating_yields_every_customer_once(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(
        reply(200, customers_page(["a", "b"], "token-after-b")),
        reply(200, customers_page(["c", "d"], "token-after-d")),
        reply(200, customers_page(["e"], None)),
    )

    ids = [customer.id async for customer in make_client().iter_customers(size=2)]

    assert ids == ["a", "b", "c", "d", "e"]
    first, second, third = service.requests
    assert dict(first.url.params) == {"size": "2"}
    assert "MS-ContinuationToken" not in first.headers
    assert dict(second.url.params) == {"seekOperation": "Next"}
    assert second.headers["MS-ContinuationToken"] == "token-after-b"
    assert third.headers["MS-ContinuationToken"] == "token-after-d"
    assert {request.url.path for request in service.requests} == {"/v1/customers"}


async def test_top_level_token_alone_continues(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(
        reply(200, customers_page(["a"], "t1", next_link=False)),
        reply(200, customers_page(["b"], None)),
    )

    ids = [customer.id async for customer in make_client().iter_customers()]

    assert ids == ["a", "b"]


async def test_iteration_is_lazy(service: FakeService, make_client: ClientFactory) -> None:
    service.script(reply(200, customers_page(["a", "b"], "t1")))

    async for customer in make_client().iter_customers():
        assert customer.id == "a"
        break

    assert len(service.requests) == 1


async def test_repeated_token_stops_instead_of_looping(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(
        reply(200, customers_page(["a"], "same")),
        reply(200, customers_page(["b"], "same")),
    )

    with pytest.raises(UnexpectedResponse, match="continuation token repeated"):
        _ = [customer async for customer in make_client().iter_customers()]


async def test_single_page_method_hands_back_the_token(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(
        reply(200, customers_page(["a", "b"], "t1")),
        reply(200, customers_page(["c"], None)),
    )
    client = make_client()

    first = await client.list_customers_page(size=2)
    token = first.next_continuation_token()
    second = await client.list_customers_page(continuation_token=token)

    assert [c.id for c in first.items] == ["a", "b"]
    assert token == "t1"
    assert [c.id for c in second.items] == ["c"]
    assert second.next_continuation_token() is None
    assert service.requests[1].headers["MS-ContinuationToken"] == "t1"


async def test_search_sends_the_documented_filter(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(reply(200, load_sample("customers-search-by-name.json")))

    found = [
        customer.company_profile.company_name
        async for customer in make_client().search_customers(
            CustomerSearchField.COMPANY_NAME, "Cont"
        )
        if customer.company_profile
    ]

    assert found == ["Contoso190", "Contoso", "Contoso"]
    [request] = service.requests
    assert request.url.params["size"] == "0"
    assert json.loads(request.url.params["filter"]) == {
        "Field": "CompanyName",
        "Value": "Cont",
        "Operator": "starts_with",
    }
    assert "%7B%22Field%22%3A%22CompanyName%22" in str(request.url)


async def test_customers_of_an_indirect_reseller(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(reply(200, load_sample("customers-of-indirect-reseller.json")))

    customers = [
        customer
        async for customer in make_client().iter_customers_of_indirect_reseller("reseller-tenant")
    ]

    assert len(customers) == 2
    assert json.loads(service.requests[0].url.params["filter"])["Field"] == "IndirectReseller"
    assert service.form(0)["grant_type"] == "refresh_token"


async def test_customer_users_are_seek_paged(
    service: FakeService, make_client: ClientFactory
) -> None:
    first = load_sample("customer-users.json")
    first["continuationToken"] = "users-2"
    last = copy.deepcopy(load_sample("customer-users.json"))
    last["items"] = last["items"][:1]
    service.script(reply(200, first), reply(200, last))

    users = [user async for user in make_client().iter_customer_users("c1", size=2)]

    assert len(users) == 3
    assert service.requests[0].url.path == "/v1/customers/c1/users"
    assert service.requests[1].headers["MS-ContinuationToken"] == "users-2"


async def test_graph_pages_follow_next_link(
    service: FakeService, make_client: ClientFactory
) -> None:
    base = "https://graph.test/v1.0/tenantRelationships/delegatedAdminRelationships/r1"
    service.script(
        reply(
            200,
            {"value": [ASSIGNMENT], "@odata.nextLink": f"{base}/accessAssignments?$skiptoken=x"},
        ),
        reply(200, {"value": [ASSIGNMENT]}),
    )

    assignments = [a async for a in make_client().iter_gdap_access_assignments("r1")]

    assert len(assignments) == 2
    assert service.requests[1].url == httpx.URL(f"{base}/accessAssignments?$skiptoken=x")


async def test_graph_next_link_to_another_host_is_refused(
    service: FakeService, make_client: ClientFactory
) -> None:
    service.script(
        reply(200, {"value": [ASSIGNMENT], "@odata.nextLink": "https://evil.test/steal"}),
    )

    with pytest.raises(UnexpectedResponse, match="another host"):
        _ = [a async for a in make_client().iter_gdap_access_assignments("r1")]
