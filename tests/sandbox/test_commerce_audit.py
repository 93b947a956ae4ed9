"""Audit records: every commerce write leaves one, in the documented shape; the log is the
partner's own, filtered and seek-paged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from .commerce_support import (
    BASIC,
    PREMIUM,
    PREMIUM_TRIAL,
    Sandbox,
    bought,
    buyer,
    checkout,
    commerce_database,
    fails,
    line,
    new_cart,
    ok,
)
from .shapes import assert_same_shape

__all__ = ["commerce_database"]

# The documented audit record (get-a-record-of-partner-center-activity page; no sample file).
AUDIT_RECORD = {
    "partnerId": "3b33e682-00c3-41ee-9dd2-a548adf56438",
    "customerId": "0c39d6d5-c70d-4c55-bc02-f620844f3fd1",
    "customerName": "Relecloud",
    "userPrincipalName": "admin@domain.onmicrosoft.com",
    "applicationId": "Partner Center Native App",
    "resourceType": "order",
    "resourceNewValue": '{"Id":"d51a052e"}',
    "operationType": "create_order",
    "operationDate": "2017-06-15T22:56:05.0589308Z",
    "operationStatus": "succeeded",
    # Values are strings or null ("PartnerOnRecord-0": null in the documented record).
    "customizedData": [{"key": "PartnerOnRecord-0", "value": None}],
    "attributes": {"objectType": "AuditRecord"},
}
# ``resourceOldValue`` is in the documented resource table; updates carry it.
RECORD_EXTRA = ("items[].resourceOldValue",)


def audit_path(**query: str) -> str:
    today = datetime.now(UTC).date().isoformat()
    params = {"startDate": today, **query}
    return "/v1/auditrecords?" + "&".join(f"{k}={quote(v)}" for k, v in params.items())


def filtered(field: str, value: str, operator: str) -> str:
    return json.dumps({"Field": field, "Value": value, "Operator": operator})


async def records(sandbox: Sandbox, **query: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(await sandbox.call("GET", audit_path(**query)))["items"]
    return found


async def test_every_commerce_write_leaves_an_audit_record(sandbox: Sandbox) -> None:
    customer = await buyer(sandbox, companyName="Relecloud Outdoor Inc.")
    cart = await new_cart(sandbox, customer, line(BASIC, 2))
    cart_path = f"/v1/customers/{customer}/carts/{cart['id']}"
    changed = {**cart, "lineItems": [{**cart["lineItems"][0], "quantity": 3}]}
    ok(await sandbox.call("PUT", cart_path, json=changed))
    order = ok(await checkout(sandbox, customer, cart["id"]), 201)["orders"][0]
    sub = ok(await sandbox.call("GET", f"/v1/customers/{customer}/subscriptions"))["items"][0]
    sub_path = f"/v1/customers/{customer}/subscriptions/{sub['id']}"
    ok(await sandbox.call("PATCH", sub_path, json={**sub, "quantity": 4}))
    trial = await bought(sandbox, customer, line(PREMIUM_TRIAL, 5, term=None))
    upgrade = {
        "toCatalogItemId": PREMIUM,
        "quantity": 5,
        "termDuration": "P1Y",
        "billingCycle": "monthly",
        "transitionType": "transition_only",
    }
    trial_path = f"/v1/customers/{customer}/subscriptions/{trial['id']}/transitions"
    ok(await sandbox.call("POST", trial_path, json=upgrade))
    refused = await buyer(sandbox, attested=False)
    refused_cart = await new_cart(sandbox, refused, line(BASIC))
    fails(await checkout(sandbox, refused, refused_cart["id"]), 403, 13605)

    listed = ok(await sandbox.call("GET", audit_path()))
    assert_same_shape(
        {**listed, "items": listed["items"][:1]},
        {"totalCount": 1, "items": [AUDIT_RECORD], "links": {"self": {"uri": "/auditrecords", "method": "GET", "headers": []}}, "attributes": {"objectType": "Collection"}},
        allow_extra=RECORD_EXTRA,
    )  # fmt: skip
    mine = [r for r in listed["items"] if r["customerId"] == customer]
    assert [(r["resourceType"], r["operationType"]) for r in mine] == [
        ("cart", "create_cart"),
        ("cart", "update_cart"),
        ("order", "create_order"),
        ("subscription", "update_subscription"),
        ("cart", "create_cart"),
        ("order", "create_order"),
        ("subscription", "upgrade_subscription"),
    ]
    for record in mine:
        assert_same_shape(record, AUDIT_RECORD, allow_extra=("resourceOldValue",))
        assert record["customerName"] == "Relecloud Outdoor Inc."
        assert record["userPrincipalName"] == sandbox.settings.partner_admin_upn
        assert record["operationStatus"] == "succeeded"
    created = mine[2]
    assert json.loads(created["resourceNewValue"])["Id"] == order["id"], "PascalCase JSON"
    assert {"key": "OrderId", "value": order["id"]} in created["customizedData"]
    update = mine[3]
    assert json.loads(update["resourceOldValue"])["Quantity"] == 3
    assert json.loads(update["resourceNewValue"])["Quantity"] == 4
    refused_ops = [r["operationType"] for r in listed["items"] if r["customerId"] == refused]
    assert refused_ops == ["create_cart"], "the refused checkout left no record"


async def test_the_log_is_the_partners_own_filtered_and_seek_paged(sandbox: Sandbox) -> None:
    first = await buyer(sandbox, companyName="Fabrikam Dental Ltd")
    second = await buyer(sandbox, companyName="Northwind Legal Inc.")
    for customer in (first, first, first, second, second):
        await new_cart(sandbox, customer, line(BASIC))

    page = ok(await sandbox.call("GET", audit_path(size="2")))
    seen = [r["customerId"] for r in page["items"]]
    assert page["links"]["next"]["uri"] == "/v1/auditrecords?seekOperation=Next"
    assert page["links"]["next"]["headers"] == [
        {"key": "MS-ContinuationToken", "value": page["continuationToken"]}
    ]
    while "next" in page["links"]:  # follow the next link as documented: its uri and header
        following = page["links"]["next"]
        headers = {h["key"]: h["value"] for h in following["headers"]}
        page = ok(await sandbox.call("GET", following["uri"], headers=headers))
        seen += [r["customerId"] for r in page["items"]]
    assert "continuationToken" not in page, "the last page has no token"
    assert seen == [first, first, first, second, second]

    by_id = await records(sandbox, filter=filtered("CustomerId", second, "equals"))
    assert [r["customerId"] for r in by_id] == [second, second]
    by_name = await records(sandbox, filter=filtered("CompanyName", "DENTAL", "substring"))
    assert {r["customerName"] for r in by_name} == {"Fabrikam Dental Ltd"}
    assert len(await records(sandbox, filter=filtered("ResourceType", "Cart", "equals"))) == 5
    assert await records(sandbox, filter=filtered("ResourceType", "Subscription", "equals")) == []
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert await records(sandbox, startDate=yesterday, endDate=yesterday) == []

    too_old = (datetime.now(UTC) - timedelta(days=91)).date().isoformat()
    fails(await sandbox.call("GET", audit_path(startDate=too_old)), 400, 3000)
    fails(await sandbox.call("GET", audit_path(endDate=yesterday)), 400, 3000)
    fails(
        await sandbox.call("GET", audit_path(filter=filtered("Colour", "x", "equals"))), 400, 3000
    )

    reseller = await sandbox.reseller("First Up Consultants")
    theirs = await sandbox.call("GET", audit_path(), tenant=reseller["tenantId"])
    assert ok(theirs)["items"] == [], "another partner sees none of the distributor's records"
    stolen = ok(await sandbox.call("GET", audit_path(size="1")))["continuationToken"]
    foreign = await sandbox.call(
        "GET",
        "/v1/auditrecords?seekOperation=Next",
        tenant=reseller["tenantId"],
        headers={"MS-ContinuationToken": stolen},
    )
    fails(foreign, 400, 3000)
