"""Distributor staff attest a customer's acceptance of the Microsoft Customer Agreement obtained
outside Tenantry; every rule refuses by field; resellers may not; Partner Center's refusals are
said in plain words and nothing is kept unless it confirmed."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi import FastAPI

from tenantry.agreements import attestations
from tenantry.agreements.staff_schemas import AttestationCreate
from tenantry.app import create_app
from tenantry.db import Database
from tenantry.errors import ValidationFailed
from tenantry.jobs.queue import JobQueue
from tenantry.models import Organization
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.settings import Settings
from tests.agreements.conftest import linked_customer
from tests.agreements.staff import (
    acceptances,
    audit_actions,
    days_ago,
    mca,
    person,
    tomorrow,
)
from tests.factories import World
from tests.sandbox.conftest import Sandbox


async def test_staff_attest_once_and_the_status_says_accepted(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox,
    partner_center: PartnerCenterClient,
) -> None:  # fmt: skip
    customer = world.customer_a.organization
    tenant = await linked_customer(database, sqlite_sandbox, customer)
    headers = world.platform.headers
    before = (await client.get(mca(customer), headers=headers)).json()
    assert before["state"] == "unknown" and before["viewer_can"]["attest"] is True
    checked = await client.post(f"{mca(customer)}/refresh", headers=headers)
    assert checked.status_code == 200 and checked.json()["state"] == "missing"

    made = await client.post(f"{mca(customer)}/attestations", headers=headers, json=person())
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["status"]["state"] == "accepted"
    assert body["status"]["route"] == "staff_attestation"
    assert body["acceptance"]["email"] == "anna@customer.example"
    assert body["acceptance"]["phone"] == "+4532123456"
    assert body["acceptance"]["recorded_by_label"]

    again = await client.post(f"{mca(customer)}/attestations", headers=headers, json=person())
    assert again.status_code == 200, "the same attestation again is answered, not repeated"
    assert again.json()["acceptance"]["id"] == body["acceptance"]["id"]
    assert len(await partner_center.list_customer_agreements(str(tenant))) == 1
    assert len(await acceptances(database)) == 1
    assert (await audit_actions(database)).count("agreements.mca_attested") == 1
    status = (await client.get(mca(customer), headers=headers)).json()
    assert (
        status["state"] == "accepted"
        and status["latest_evidence"]["id"] == body["acceptance"]["id"]
    )


async def test_a_retry_with_the_same_idempotency_key_replays_the_answer(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    customer = world.customer_a.organization
    await linked_customer(database, sqlite_sandbox, customer)
    headers = world.platform.headers | {"Idempotency-Key": "attest-1"}
    first = await client.post(f"{mca(customer)}/attestations", headers=headers, json=person())
    second = await client.post(f"{mca(customer)}/attestations", headers=headers, json=person())
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    other = await client.post(
        f"{mca(customer)}/attestations", headers=headers, json=person(first_name="Berit")
    )
    assert other.status_code == 422 and other.json()["errors"][0]["rule"] == "reused_key"


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"date_agreed": tomorrow()}, "date_agreed", "date_in_future"),
        ({"date_agreed": "2017-12-31"}, "date_agreed", "date_before_agreement"),
        ({"date_agreed": None}, "date_agreed", "required"),
        ({"first_name": "R2D2"}, "first_name", "person_name"),
        ({"last_name": ""}, "last_name", "required"),
        ({"email": "anna at customer"}, "email", "email"),
        ({"phone": "12"}, "phone", "phone_e164"),
    ],
)  # fmt: skip
async def test_every_rule_names_the_field_and_nothing_is_sent(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox,
    partner_center: PartnerCenterClient, change: dict[str, str | None], field: str, rule: str,
) -> None:  # fmt: skip
    customer = world.customer_a.organization
    tenant = await linked_customer(database, sqlite_sandbox, customer)
    data = {k: v for k, v in (person() | change).items() if v is not None}
    refused = await client.post(
        f"{mca(customer)}/attestations", headers=world.platform.headers, json=data
    )
    assert refused.status_code == 422, refused.text
    assert {(e["field"], e["rule"]) for e in refused.json()["errors"]} >= {(field, rule)}
    assert await acceptances(database) == []
    assert await partner_center.list_customer_agreements(str(tenant)) == []


def _attest_at(now: datetime, day: date) -> AttestationCreate:
    return AttestationCreate.model_validate(person(date_agreed=day), strict=False)


@pytest.mark.parametrize(
    ("country", "now", "day", "refused"),
    [
        # 23:30 UTC on the 6th: already the 7th in Auckland, not yet in UTC.
        ("NZ", datetime(2026, 12, 6, 23, 30, tzinfo=UTC), date(2026, 12, 7), True),
        ("NZ", datetime(2026, 12, 6, 23, 30, tzinfo=UTC), date(2026, 12, 6), False),
        # 02:00 UTC on the 7th: still the 6th in Los Angeles.
        ("US", datetime(2026, 12, 7, 2, 0, tzinfo=UTC), date(2026, 12, 7), True),
        ("US", datetime(2026, 12, 7, 2, 0, tzinfo=UTC), date(2026, 12, 6), False),
    ],
)  # fmt: skip
async def test_today_in_utc_or_in_the_customers_zone_is_not_enough(
    world: World, database: Database, sqlite_sandbox: Sandbox,
    partner_center: PartnerCenterClient, country: str, now: datetime, day: date, refused: bool,
) -> None:  # fmt: skip
    customer = world.direct_customer.organization
    await linked_customer(database, sqlite_sandbox, customer)
    async with database.transaction() as session:
        row = await session.get_one(Organization, customer.id)
        row.address_country = country
        data = _attest_at(now, day)
        if refused:
            with pytest.raises(ValidationFailed) as caught:
                await attestations.attest(
                    session, world.platform.actor, partner_center, customer.id, data, now=now
                )
            [error] = caught.value.errors
            assert (error.field, error.rule) == ("date_agreed", "date_in_future")
        else:
            acceptance, created = await attestations.attest(
                session, world.platform.actor, partner_center, customer.id, data, now=now
            )
            assert created and acceptance.date_agreed.date() == day


async def test_resellers_may_not_attest_and_are_told_what_to_do(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    customer = world.customer_a.organization
    await linked_customer(database, sqlite_sandbox, customer)
    refused = await client.post(
        f"{mca(customer)}/attestations", headers=world.reseller_a.headers, json=person()
    )
    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert "Microsoft does not let resellers attest" in detail
    assert "acceptance request" in detail and "distributor" in detail
    assert refused.json()["permission"] == "agreements.attest"
    status = (await client.get(mca(customer), headers=world.reseller_a.headers)).json()
    assert status["viewer_can"] == {
        "refresh": True, "attest": False, "send_acceptance_request": True,
        "request_attestation": True,
    }  # fmt: skip
    customer_admin = await client.post(
        f"{mca(customer)}/attestations", headers=world.customer_a.headers, json=person()
    )
    assert customer_admin.status_code == 403
    assert await acceptances(database) == []


async def test_another_resellers_customer_is_not_found(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    customer = world.customer_a.organization
    await linked_customer(database, sqlite_sandbox, customer)
    stranger = world.reseller_b.headers
    assert (await client.get(mca(customer), headers=stranger)).status_code == 404
    assert (await client.post(f"{mca(customer)}/refresh", headers=stranger)).status_code == 404
    nobody = f"/api/v1/organizations/{uuid.uuid4()}/agreements/microsoft"
    assert (await client.get(nobody, headers=world.platform.headers)).status_code == 404


async def test_direct_signed_shows_as_such(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    customer = world.direct_customer.organization
    await linked_customer(database, sqlite_sandbox, customer, mca_direct_signed=True)
    status = await client.post(f"{mca(customer)}/refresh", headers=world.platform.headers)
    body = status.json()
    assert body["state"] == "direct_signed" and body["route"] == "direct_signed"
    assert body["latest_evidence"]["route"] == "direct_signed"
    assert body["viewer_can"]["send_acceptance_request"] is False


async def test_partner_center_busy_says_so_and_keeps_nothing(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    customer = world.direct_customer.organization
    await linked_customer(database, sqlite_sandbox, customer)
    await sqlite_sandbox.control("PUT", "/faults", json={"rules": [
        {"kind": "throttle", "path": "*/agreements*", "retry_after": 1},
    ]})  # fmt: skip
    headers = world.platform.headers
    refused = await client.post(f"{mca(customer)}/attestations", headers=headers, json=person())
    assert refused.status_code == 503, refused.text
    assert "Partner Center could not be reached" in refused.json()["detail"]
    assert "nothing was recorded" in refused.json()["detail"]
    checked = await client.post(f"{mca(customer)}/refresh", headers=headers)
    assert checked.status_code == 503 and "Try again" in checked.json()["detail"]
    await sqlite_sandbox.control("DELETE", "/faults")
    assert await acceptances(database) == []
    assert (await client.get(mca(customer), headers=headers)).json()["state"] == "unknown"


async def test_a_customer_partner_center_does_not_know_is_said_plainly(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    customer = world.direct_customer.organization
    async with database.transaction() as session:
        row = await session.get_one(Organization, customer.id)
        row.tenant_id = uuid.uuid4()
    refused = await client.post(
        f"{mca(customer)}/attestations", headers=world.platform.headers, json=person()
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "customer_unknown_to_partner_center"
    assert "does not know" in refused.json()["detail"]
    assert await acceptances(database) == []


async def test_no_tenant_yet_is_a_conflict(client: httpx.AsyncClient, world: World) -> None:
    refused = await client.post(
        f"{mca(world.direct_customer.organization)}/attestations",
        headers=world.platform.headers, json=person(date_agreed=days_ago(3)),
    )  # fmt: skip
    assert refused.status_code == 409 and "no Microsoft tenant yet" in refused.json()["detail"]


class StaleTemplate(httpx.AsyncBaseTransport):
    """Sends Partner Center an agreement version it no longer takes (as after an update)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/agreements"):
            body = json.loads(request.content) | {"templateId": str(uuid.uuid4())}
            content = json.dumps(body).encode()
            headers = [(k, v) for k, v in request.headers.items() if k != "content-length"]
            request = httpx.Request(request.method, request.url, headers=headers, content=content)
        return await self.inner.handle_async_request(request)


async def test_a_refused_agreement_version_is_said_plainly(
    mail_settings: Settings, database: Database, job_queue: JobQueue, world: World,
    sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    customer = world.direct_customer.organization
    await linked_customer(database, sqlite_sandbox, customer)
    app: FastAPI = create_app(
        mail_settings, database=database, queue=job_queue,
        http_transport=StaleTemplate(httpx.ASGITransport(app=sqlite_sandbox.app)),
    )  # fmt: skip
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        refused = await client.post(
            f"{mca(customer)}/attestations", headers=world.platform.headers, json=person()
        )
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "agreement_template_refused"
    assert "agreement version" in refused.json()["detail"]
    assert await acceptances(database) == []
