"""The acceptance evidence export: in scope, JSON or CSV, corrections linked, and audited."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy import select

from tenantry.agreements.compliance.evidence_export import COLUMNS
from tenantry.db import Database
from tenantry.models import AuditEvent
from tests.agreements.compliance.rows import TEMPLATE_ID, attested
from tests.factories import World

ALL = "/api/v1/agreements/acceptances"


def org_url(party_id: object) -> str:
    return f"/api/v1/organizations/{party_id}/agreements/acceptances"


async def test_a_reseller_exports_its_customers_evidence_only(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await attested(database, world.customer_a, world.platform)
    await attested(database, world.customer_b, world.platform)

    mine = await client.get(ALL, headers=world.reseller_a.headers)
    other = await client.get(org_url(world.customer_b.id), headers=world.reseller_a.headers)
    platform = await client.get(ALL, headers=world.platform.headers)

    assert mine.status_code == 200, mine.text
    assert [r["organization_name"] for r in mine.json()["items"]] == ["Alpha Customer"]
    assert other.status_code == 404, "another reseller's customer is out of scope"
    assert {r["organization_name"] for r in platform.json()["items"]} == {
        "Alpha Customer", "Beta Customer",
    }  # fmt: skip


async def test_a_record_says_who_when_which_template_how_and_what_partner_center_answered(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    first = await attested(database, world.customer_a, world.platform)
    correction = await attested(database, world.customer_a, world.platform, corrects=first)

    answer = await client.get(org_url(world.customer_a.id), headers=world.customer_a.headers)

    assert answer.status_code == 200, answer.text
    old, new = answer.json()["items"]
    assert (old["first_name"], old["last_name"], old["email"]) == (
        "Anna", "Hansen", "anna@customer.example",
    )  # fmt: skip
    assert old["template_id"] == TEMPLATE_ID and old["route"] == "staff_attestation"
    assert old["kind"] == "microsoft_customer_agreement"
    assert old["date_agreed"].startswith("2026-11-30")
    assert old["recorded_by"] == "Admin of Northwind Distribution A/S"
    assert old["request"]["templateId"] == TEMPLATE_ID and "userId" in old["response"]
    assert old["corrected_by_ids"] == [str(correction.id)]
    assert new["corrects_id"] == str(first.id)


async def test_csv_has_one_row_per_record_with_the_documented_columns(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await attested(database, world.customer_a, world.platform)

    by_query = await client.get(f"{ALL}?format=csv", headers=world.reseller_a.headers)
    by_accept = await client.get(ALL, headers=world.reseller_a.headers | {"Accept": "text/csv"})

    assert by_query.status_code == 200, by_query.text
    assert by_query.headers["content-type"].startswith("text/csv")
    assert "attachment" in by_query.headers["content-disposition"]
    assert by_accept.text == by_query.text
    rows = list(csv.reader(io.StringIO(by_query.text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == COLUMNS
    record = dict(zip(COLUMNS, rows[1], strict=True))
    assert len(rows) == 2
    assert record["organization_name"] == "Alpha Customer"
    assert record["phone"] == "+4533123456", "a phone number is not taken for a formula"
    assert f'"templateId":"{TEMPLATE_ID}"' in record["request"]


async def test_filters_narrow_the_export(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await attested(database, world.customer_a, world.platform)
    headers = world.platform.headers

    by_route = await client.get(f"{ALL}?route=direct_signed", headers=headers)
    by_kind = await client.get(f"{ALL}?kind=microsoft_customer_agreement", headers=headers)
    by_time = await client.get(f"{ALL}?recorded_to=2020-01-01T00:00:00Z", headers=headers)
    by_org = await client.get(f"{ALL}?organization={world.customer_b.id}", headers=headers)
    bad = await client.get(f"{ALL}?route=by_fax", headers=headers)

    assert by_route.json()["items"] == [] and len(by_kind.json()["items"]) == 1
    assert by_time.json()["items"] == [] and by_org.json()["items"] == []
    assert bad.status_code == 422 and "route" in bad.text


async def test_an_export_is_audited_and_a_customer_user_may_not_export(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    await attested(database, world.customer_a, world.platform)

    await client.get(f"{ALL}?format=csv", headers=world.reseller_a.headers)

    async with database.transaction(write=False) as session:
        events = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "agreements.evidence_exported")
            )
        )
    assert len(events) == 1
    assert events[0].changes == {"filters": {}, "records": 1, "format": "csv"}
    assert events[0].actor_label.startswith("Admin") or events[0].actor_token_id is not None
