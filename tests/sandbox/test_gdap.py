"""GDAP relationships on the sandbox's Microsoft Graph, from creation to termination."""

from __future__ import annotations

import copy
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tenantry.partnercenter import PartnerCenterClient, PartnerCenterConfig, TokenBucket
from tenantry.partnercenter.models.gdap import (
    AccessDetails,
    DelegatedAdminRelationship,
    GdapCustomer,
    UnifiedRole,
)
from tests.sandbox.conftest import BASE_URL, Sandbox, sample
from tests.sandbox.outside_world import Browser, database_url, graph_headers  # noqa: F401
from tests.sandbox.shapes import assert_same_shape

ROOT = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"
EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"


def relationship_request(
    customer_id: str, name: str = "Contoso admin relationship"
) -> dict[str, Any]:
    """The documented request, for our customer, asking for the roles the assignment sample uses."""
    body: dict[str, Any] = sample("gdap-create-relationship-request.json")
    body["displayName"] = name
    body["customer"]["tenantId"] = customer_id
    body["accessDetails"] = sample("gdap-access-assignment-request.json")["accessDetails"]
    return body


def documented(name: str) -> Any:
    """A response sample; Graph answers ``null`` where one sample shows an empty timestamp."""
    body = sample(name)
    return {key: (None if value == "" else value) for key, value in body.items()}


async def test_relationship_lifecycle_follows_the_samples(sandbox: Sandbox) -> None:
    customer = await sandbox.customer(company_name="Contoso subsidiary Inc")
    await sandbox.call(
        "POST",
        "/webhooks/v1/registration",
        json={
            "WebhookUrl": "http://127.0.0.1:9/events",
            "WebhookEvents": [
                e
                for e in (await sandbox.call("GET", "/webhooks/v1/registration/events")).json()
                if e.startswith("granular-")
            ],
        },
    )
    headers = await graph_headers(sandbox)

    created = await sandbox.client.post(
        ROOT, json=relationship_request(customer["id"]), headers=headers
    )
    assert created.status_code == 201, created.text
    relationship = created.json()
    assert_same_shape(relationship, documented("gdap-create-relationship-response.json"))
    assert created.headers["location"] == f"{BASE_URL}{ROOT}/{relationship['id']}"
    assert relationship["status"] == "created" and relationship["activatedDateTime"] is None
    assert relationship["customer"] == {
        "tenantId": customer["id"],
        "displayName": "Contoso subsidiary Inc",
    }
    path = f"{ROOT}/{relationship['id']}"

    locked = await sandbox.client.post(
        f"{path}/requests", json=sample("gdap-lock-for-approval-request.json"), headers=headers
    )
    assert locked.status_code == 201, locked.text
    assert_same_shape(locked.json(), sample("gdap-lock-for-approval-response.json"))
    assert (await sandbox.client.get(path, headers=headers)).json()["status"] == "approvalPending"

    browser = Browser(sandbox.client)
    home = await browser.open(
        f"{BASE_URL}/AdminPortal/Home#/partners/invitation/granularAdminRelationships/{relationship['id']}",
        sign_in_as=customer["adminUserPrincipalName"],
    )
    approval = await browser.open(
        f"{BASE_URL}/AdminPortal/partners/invitation/granularAdminRelationships/{relationship['id']}"
    )
    assert relationship["id"] in home.text and "Contoso admin relationship" in home.text
    assert "Exchange Administrator" in approval.text and "730 days" in approval.text
    approved = await browser.submit(approval)
    assert approved.status_code == 200 and "You approved this request" in approved.text

    active = (await sandbox.client.get(path, headers=headers)).json()
    assert active["status"] == "active" and active["activatedDateTime"]
    assignment_request = sample("gdap-access-assignment-request.json")
    assigned = await sandbox.client.post(
        f"{path}/accessAssignments", json=assignment_request, headers=headers
    )
    assert assigned.status_code == 201, assigned.text
    assert_same_shape(assigned.json(), sample("gdap-access-assignment-response.json"))
    assert assigned.json()["status"] == "pending"
    assignment_path = f"{path}/accessAssignments/{assigned.json()['id']}"
    assert (await sandbox.client.get(assignment_path, headers=headers)).json()["status"] == "active"
    listed = (await sandbox.client.get(f"{path}/accessAssignments", headers=headers)).json()
    assert [item["id"] for item in listed["value"]] == [assigned.json()["id"]]

    terminated = await sandbox.client.post(
        f"{path}/requests", json={"action": "terminate"}, headers=headers
    )
    assert terminated.status_code == 201, terminated.text
    assert (await sandbox.client.get(path, headers=headers)).json()["status"] == "terminated"
    events = [
        d["eventName"] for d in (await sandbox.control("GET", "/webhooks/deliveries"))["items"]
    ]
    assert events[::-1] == [
        "granular-admin-relationship-approved",
        "granular-admin-relationship-activated",
        "granular-admin-access-assignment-created",
        "granular-admin-access-assignment-activated",
        "granular-admin-relationship-terminated",
    ]
    event = (await sandbox.control("GET", "/webhooks/deliveries"))["items"][0]["body"]
    assert_same_shape(event, sample("webhook-event-granular-admin-relationship-terminated.json"))
    assert event["ResourceUri"].endswith(f"/granularAdminRelationships/{relationship['id']}")


async def test_graph_enforces_the_documented_rules(sandbox: Sandbox) -> None:
    customer = await sandbox.customer(company_name="Tailspin Toys")
    headers = await graph_headers(sandbox)
    body = relationship_request(customer["id"], "Rules")
    created = (await sandbox.client.post(ROOT, json=body, headers=headers)).json()

    async def error(method: str, path: str, json: Any = None, **options: Any) -> tuple[int, str]:
        response = await sandbox.client.request(
            method, path, json=json, headers=options.get("headers", headers)
        )
        return response.status_code, response.json()["error"]["code"]

    assert await error("GET", ROOT, headers={}) == (401, "InvalidAuthenticationToken")
    app_only = await sandbox.token_response(
        grant_type="client_credentials", scope="https://graph.microsoft.com/.default"
    )
    app_headers = {"Authorization": f"Bearer {app_only.json()['access_token']}"}
    assert await error("GET", ROOT, headers=app_headers) == (403, "Authorization_RequestDenied")
    assert await error("POST", ROOT, body) == (409, "Conflict")
    assert await error("POST", ROOT, {**body, "displayName": "Long", "duration": "P800D"}) == (
        400,
        "BadRequest",
    )
    with_global_admin = copy.deepcopy(body) | {"displayName": "GA"}
    with_global_admin["accessDetails"]["unifiedRoles"].append({"roleDefinitionId": GLOBAL_ADMIN})
    assert await error("POST", ROOT, with_global_admin) == (400, "BadRequest")
    assert await error("POST", ROOT, {"duration": "P30D"}) == (400, "BadRequest")
    path = f"{ROOT}/{created['id']}"
    assignment = sample("gdap-access-assignment-request.json")
    assert await error("POST", f"{path}/accessAssignments", assignment) == (400, "BadRequest")
    assert await error("POST", f"{path}/requests", {"action": "terminate"}) == (400, "BadRequest")

    reseller = await sandbox.reseller("Fincher Systems")
    theirs = await graph_headers(sandbox, reseller["tenantId"])
    assert await error("GET", path, headers=theirs) == (404, "NotFound")
    assert (await sandbox.client.get(ROOT, headers=theirs)).json()["value"] == []


async def test_list_pages_with_next_links_and_filters(sandbox: Sandbox) -> None:
    customer = await sandbox.customer(company_name="Blue Yonder Airlines")
    headers = await graph_headers(sandbox)
    for index in range(5):
        body = relationship_request(customer["id"], f"Relationship {index}")
        assert (await sandbox.client.post(ROOT, json=body, headers=headers)).status_code == 201
    first_id = (await sandbox.client.get(ROOT, headers=headers)).json()["value"][0]["id"]
    await sandbox.client.post(
        f"{ROOT}/{first_id}/requests", json={"action": "lockForApproval"}, headers=headers
    )

    names, url = [], f"{BASE_URL}{ROOT}?$top=2&$filter=status eq 'created'"
    while url:
        page = (await sandbox.client.get(url, headers=headers)).json()
        assert len(page["value"]) <= 2
        names += [item["displayName"] for item in page["value"]]
        url = page.get("@odata.nextLink")
        assert url is None or url.startswith(f"{BASE_URL}{ROOT}?$skiptoken=")

    assert names == [f"Relationship {index}" for index in range(1, 5)]
    pending = await sandbox.client.get(
        ROOT, params={"$filter": "status eq 'approvalPending'"}, headers=headers
    )
    assert [item["id"] for item in pending.json()["value"]] == [first_id]
    unsupported = await sandbox.client.get(
        ROOT, params={"$filter": "startswith(displayName,'R')"}, headers=headers
    )
    assert unsupported.status_code == 400


@pytest.fixture
async def partner_center(
    sandbox: Sandbox, client_config: PartnerCenterConfig
) -> AsyncIterator[PartnerCenterClient]:
    """The product's Partner Center client, configured for the sandbox as for Microsoft."""
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app))
    async with PartnerCenterClient(
        client_config, http=http, limiter=TokenBucket(1e6, 1e6)
    ) as client:
        yield client
    await http.aclose()


async def test_the_product_client_creates_and_locks_relationships(
    sandbox: Sandbox, partner_center: PartnerCenterClient
) -> None:
    customer = await sandbox.customer(company_name="Relecloud")

    created = await partner_center.create_gdap_relationship(
        DelegatedAdminRelationship(
            display_name="Relecloud support",
            duration="P90D",
            customer=GdapCustomer(tenant_id=customer["id"]),
            access_details=AccessDetails(
                unified_roles=[UnifiedRole(role_definition_id=EXCHANGE_ADMIN)]
            ),
        )
    )
    assert created.id is not None
    request = await partner_center.request_gdap_relationship_action(created.id, "lockForApproval")
    fetched = await partner_center.get_gdap_relationship(created.id)
    listed = [
        r.id
        async for r in partner_center.iter_gdap_relationships(
            odata_filter="status eq 'approvalPending'"
        )
    ]

    assert request.status == "created"
    assert fetched.status == "approvalPending" and fetched.customer is not None
    assert fetched.customer.display_name == "Relecloud"
    assert fetched.end_date_time is not None and fetched.created_date_time is not None
    assert (fetched.end_date_time - fetched.created_date_time).days == 90
    assert listed == [created.id]
    assert uuid.UUID(created.id[:36]) and uuid.UUID(created.id[37:])
