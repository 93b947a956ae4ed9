"""A reseller asks its distributor to attest; the distributor is emailed, attests or declines;
the reseller may withdraw; the outcome reaches the reseller by email. And the acceptance request
email to the customer."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import Organization
from tenantry.partnercenter.client import PartnerCenterClient
from tests.agreements.conftest import linked_customer
from tests.agreements.staff import acceptances, audit_actions, mca, person, tomorrow
from tests.factories import World
from tests.jobs.conftest import run_queued
from tests.notifications.local_smtp import LocalSmtpServer
from tests.sandbox.conftest import Sandbox
from tests.sandbox.outside_world import Browser

REQUESTS = "/api/v1/agreements/attestation-requests"


async def _ask(
    client: httpx.AsyncClient, world: World, customer: Organization, **change: Any
) -> httpx.Response:
    return await client.post(
        f"{mca(customer)}/attestation-requests", headers=world.reseller_a.headers,
        json=person(note="Signed copy in our CRM") | change,
    )  # fmt: skip


async def _delivered(queue: JobQueue, server: LocalSmtpServer) -> dict[str, str]:
    """Deliver what is queued; the subject and text of every email received, by recipient."""
    while await run_queued(queue):
        pass
    return {
        f"{r}|{m.subject}": " ".join(m.part("plain").split())
        for m in server.mailbox.received
        for r in m.recipients
    }


async def test_asked_then_attested_by_the_distributor(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox,
    partner_center: PartnerCenterClient, job_queue: JobQueue, smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    customer = world.customer_a.organization
    tenant = await linked_customer(database, sqlite_sandbox, customer)
    asked = await _ask(client, world, customer)
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert request["status"] == "open" and request["note"] == "Signed copy in our CRM"
    again = await _ask(client, world, customer)
    assert again.status_code == 200 and again.json()["id"] == request["id"]
    other = await _ask(client, world, customer, email="someone@else.example")
    assert other.status_code == 409 and "already open" in other.json()["detail"]

    distributor = world.platform.organization.contact_email
    mails = await _delivered(job_queue, smtp_server)
    [(key, text)] = [(k, t) for k, t in mails.items() if k.startswith(distributor)]
    assert "Alpha Reseller asks you to attest Alpha Customer's" in key
    assert "Anna Hansen <anna@customer.example>" in text and "/agreements/requests" in text

    queue = await client.get(f"{REQUESTS}?status=open", headers=world.platform.headers)
    assert [r["id"] for r in queue.json()] == [request["id"]]
    assert (await client.get(REQUESTS, headers=world.reseller_b.headers)).json() == []
    one = f"{REQUESTS}/{request['id']}"
    assert (await client.get(one, headers=world.reseller_b.headers)).status_code == 404
    refused = await client.post(f"{one}/attest", headers=world.reseller_a.headers, json={})
    assert refused.status_code == 403

    attested = await client.post(f"{one}/attest", headers=world.platform.headers, json={})
    assert attested.status_code == 200, attested.text
    assert attested.json()["status"] == "attested"
    twice = await client.post(f"{one}/attest", headers=world.platform.headers, json={})
    assert twice.status_code == 200 and twice.json()["status"] == "attested"
    [kept] = await acceptances(database)
    assert str(kept.attestation_request_id) == request["id"]
    assert len(await partner_center.list_customer_agreements(str(tenant))) == 1
    status = (await client.get(mca(customer), headers=world.reseller_a.headers)).json()
    assert status["state"] == "accepted" and status["open_attestation_request_id"] is None

    mails = await _delivered(job_queue, smtp_server)
    reseller = world.reseller_a.organization.contact_email
    [text] = [t for k, t in mails.items() if k.startswith(reseller)]
    assert "attested Alpha Customer's acceptance" in text and "can buy again" in text
    assert await audit_actions(database) == [
        "agreements.attestation_requested", "agreements.mca_attested",
        "agreements.attestation_request_attested",
    ]  # fmt: skip


async def test_declined_with_a_reason_the_reseller_reads(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox,
    job_queue: JobQueue, smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    customer = world.customer_a.organization
    await linked_customer(database, sqlite_sandbox, customer)
    request = (await _ask(client, world, customer)).json()
    one = f"{REQUESTS}/{request['id']}"
    empty = await client.post(f"{one}/decline", headers=world.platform.headers, json={})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "reason"
    declined = await client.post(
        f"{one}/decline", headers=world.platform.headers,
        json={"reason": "The signed copy names another company"},
    )  # fmt: skip
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert declined.json()["outcome_note"] == "The signed copy names another company"
    late = await client.post(f"{one}/attest", headers=world.platform.headers, json={})
    assert late.status_code == 409 and "already declined" in late.json()["detail"]
    assert await acceptances(database) == []
    mails = await _delivered(job_queue, smtp_server)
    reseller = world.reseller_a.organization.contact_email
    [(subject, text)] = [(k, t) for k, t in mails.items() if k.startswith(reseller)]
    assert "was declined" in subject and "names another company" in text
    # Declined, the reseller may ask again.
    assert (await _ask(client, world, customer)).status_code == 201


async def test_the_reseller_withdraws_an_open_request(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    customer = world.customer_a.organization
    await linked_customer(database, sqlite_sandbox, customer)
    request = (await _ask(client, world, customer)).json()
    one = f"{REQUESTS}/{request['id']}"
    stranger = await client.post(f"{one}/withdraw", headers=world.reseller_b.headers)
    assert stranger.status_code == 404
    withdrawn = await client.post(f"{one}/withdraw", headers=world.reseller_a.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    attest = await client.post(f"{one}/attest", headers=world.platform.headers, json={})
    assert attest.status_code == 409
    assert "agreements.attestation_request_withdrawn" in await audit_actions(database)


async def test_a_request_follows_the_same_rules(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    customer = world.customer_a.organization
    await linked_customer(database, sqlite_sandbox, customer)
    refused = await _ask(client, world, customer, date_agreed=tomorrow(), email="nope")
    assert refused.status_code == 422
    assert {(e["field"], e["rule"]) for e in refused.json()["errors"]} == {
        ("date_agreed", "date_in_future"), ("email", "email"),
    }  # fmt: skip
    by_platform = await client.post(
        f"{mca(customer)}/attestation-requests", headers=world.platform.headers, json=person()
    )
    assert by_platform.status_code == 403
    other = await client.post(
        f"{mca(customer)}/attestation-requests", headers=world.reseller_b.headers, json=person()
    )
    assert other.status_code == 404


async def test_the_acceptance_request_links_to_the_admin_center_without_credentials(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox,
    job_queue: JobQueue, smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    customer = world.customer_a.organization
    await linked_customer(database, sqlite_sandbox, customer)
    url = f"{mca(customer)}/acceptance-request"
    sent = await client.post(url, headers=world.reseller_a.headers, json={})
    assert sent.status_code == 200, sent.text
    body = sent.json()
    assert body["sent_to"] == customer.contact_email and not body["already_sent_today"]
    assert body["link"].endswith("/AdminPortal/Home?ref=/BillingAccounts/agreement")
    again = await client.post(url, headers=world.reseller_a.headers, json={})
    assert again.json()["already_sent_today"] is True
    typed = await client.post(url, headers=world.reseller_a.headers, json={"to": "it@x.example"})
    assert typed.json()["sent_to"] == "it@x.example"
    bad = await client.post(url, headers=world.reseller_a.headers, json={"to": "not an address"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "to"
    mails = await _delivered(job_queue, smtp_server)
    [(subject, text)] = [(k, t) for k, t in mails.items() if k.startswith(customer.contact_email)]
    assert (
        "Alpha Reseller asks Alpha Customer to accept the Microsoft Customer Agreement" in subject
    )
    assert body["link"] in text and "Microsoft 365 admin center" in text
    assert "token" not in text.lower() and "password:" not in text.lower()
    assert (await audit_actions(database)).count("agreements.mca_acceptance_request_sent") == 2
    customer_user = await client.post(url, headers=world.customer_a.headers, json={})
    assert customer_user.status_code == 403


async def test_the_customer_signs_at_the_emailed_link_and_the_status_says_direct_signed(
    client: httpx.AsyncClient, world: World, database: Database, sqlite_sandbox: Sandbox
) -> None:
    customer = world.direct_customer.organization
    fixture = await sqlite_sandbox.customer(relationship="direct")
    async with database.transaction() as session:
        row = await session.get_one(Organization, customer.id)
        row.tenant_id = uuid.UUID(fixture["id"])
    sent = await client.post(
        f"{mca(customer)}/acceptance-request", headers=world.platform.headers, json={}
    )
    link = sent.json()["link"]
    browser = Browser(sqlite_sandbox.client)
    page = await browser.open(link, sign_in_as=fixture["adminUserPrincipalName"])
    assert "Accept the agreement" in page.text, page.text
    accepted = await browser.submit(page)
    assert "has accepted the Microsoft Customer Agreement" in accepted.text
    status = await client.post(f"{mca(customer)}/refresh", headers=world.platform.headers)
    assert status.json()["state"] == "direct_signed"
