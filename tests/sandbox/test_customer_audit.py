"""Partner Center keeps an audit record of every change to a customer: the sync reads them to find
customers added, bill-to changed and relationships ended since its last look."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from .conftest import Sandbox
from .test_rules import new_customer


async def _records_of(sandbox: Sandbox, customer_id: str) -> list[dict[str, Any]]:
    today = datetime.now(UTC).date().isoformat()
    answer = await sandbox.call("GET", f"/v1/auditrecords?startDate={today}&size=500")
    assert answer.status_code == 200, answer.text
    return [r for r in answer.json()["items"] if r.get("customerId") == customer_id]


async def test_adding_a_customer_is_recorded_without_its_admin_password(sandbox: Sandbox) -> None:
    created = await sandbox.call("POST", "/v1/customers", json=new_customer("auditedadd"))
    assert created.status_code == 201, created.text
    customer = created.json()
    [record] = await _records_of(sandbox, customer["id"])
    assert (record["operationType"], record["resourceType"]) == ("add_customer", "customer")
    assert record["customerName"] == customer["billingProfile"]["companyName"]
    assert customer["userCredentials"]["password"] not in record["resourceNewValue"]
    assert json.loads(record["resourceNewValue"])["Id"] == customer["id"]


async def test_bill_to_changes_and_ended_relationships_are_recorded(sandbox: Sandbox) -> None:
    customer = await sandbox.customer()
    path = f"/v1/customers/{customer['id']}/profiles/billing"
    profile = (await sandbox.call("GET", path)).json()
    etag = profile["attributes"]["etag"]
    update = {**profile, "companyName": "Renamed Ltd"}
    changed = await sandbox.call("PUT", path, json=update, headers={"If-Match": f'"{etag}"'})
    assert changed.status_code == 200, changed.text
    ended = await sandbox.call(
        "PATCH", f"/v1/customers/{customer['id']}", json={"relationshipToPartner": "none"}
    )
    assert ended.status_code == 200, ended.text

    records = await _records_of(sandbox, customer["id"])
    by_operation = {r["operationType"]: r for r in records}
    billing = by_operation["update_customer_billing_profile"]
    assert json.loads(billing["resourceOldValue"])["CompanyName"] == profile["companyName"]
    assert json.loads(billing["resourceNewValue"])["CompanyName"] == "Renamed Ltd"
    removed = by_operation["remove_partner_customer_relationship"]
    assert removed["resourceType"] == "partner_customer_relationship"
