"""A customer's Global Administrator accepting a reseller in the sandbox's admin center."""

from __future__ import annotations

import uuid

from tests.sandbox.conftest import BASE_URL, Sandbox, sample
from tests.sandbox.outside_world import Browser, database_url  # noqa: F401
from tests.sandbox.shapes import assert_same_shape

ACCEPTED = "reseller-relationship-accepted-by-customer"
INDIRECT_ACCEPTED = "indirect-reseller-relationship-accepted-by-customer"


async def register_webhook(sandbox: Sandbox, *events: str, tenant: uuid.UUID | None = None) -> None:
    response = await sandbox.call(
        "POST",
        "/webhooks/v1/registration",
        tenant=tenant,
        json={"WebhookUrl": "http://127.0.0.1:9/events", "WebhookEvents": list(events)},
    )
    assert response.status_code == 200, response.text


async def test_direct_invitation_accepted_by_the_global_admin_lifts_20002(sandbox: Sandbox) -> None:
    customer = await sandbox.customer(company_name="Lamna Health", relationship="none")
    path = f"/v1/customers/{customer['id']}"
    refused = await sandbox.call("GET", path)
    assert refused.status_code == 403 and refused.json()["code"] == 20002
    await register_webhook(sandbox, ACCEPTED)
    link = (await sandbox.call("GET", "/v1/customers/relationshiprequests")).json()["url"]
    assert link.startswith(f"{BASE_URL}/Adminportal/Home?invType=ResellerRelationship")
    browser = Browser(sandbox.client)

    page = await browser.open(link, sign_in_as=customer["adminUserPrincipalName"])
    assert page.status_code == 200, page.text
    assert sandbox.settings.partner_name in page.text and "Lamna Health" in page.text
    done = await browser.submit(page, agree="yes")

    assert done.status_code == 200, done.text
    assert "You accepted the invitation" in done.text
    customer_now = await sandbox.call("GET", path)
    assert customer_now.status_code == 200, customer_now.text
    signed = await sandbox.call("GET", f"{path}/directSignedMicrosoftCustomerAgreementStatus")
    assert signed.json() == {"isSigned": True}
    deliveries = (await sandbox.control("GET", "/webhooks/deliveries"))["items"]
    assert [d["eventName"] for d in deliveries] == [ACCEPTED]
    event = deliveries[0]["body"]
    assert_same_shape(event, sample(f"webhook-event-{ACCEPTED}.json"))
    assert event["ResourceUri"] == f"{BASE_URL}{path}"
    assert (
        f"{sandbox.partner_id}_{customer['id']}_resellerrelationshipacceptedbycustomer_"
        in (event["AuditUri"])
    )


async def test_indirect_invitation_names_provider_and_reseller(sandbox: Sandbox) -> None:
    reseller = await sandbox.reseller("Trey Research IT", mpn_id="5123456")
    reseller_id = uuid.UUID(reseller["tenantId"])
    await register_webhook(sandbox, INDIRECT_ACCEPTED, tenant=reseller_id)
    customer = await sandbox.customer(company_name="Coho Winery", relationship="none")
    link = (
        await sandbox.call(
            "GET",
            "/v1/customers/relationshiprequests",
            params={"indirectResellerId": str(reseller_id)},
        )
    ).json()["url"]
    browser = Browser(sandbox.client)

    page = await browser.open(link, sign_in_as=customer["adminUserPrincipalName"])
    assert "Indirect provider" in page.text and sandbox.settings.partner_name in page.text
    assert "Indirect reseller" in page.text and "Trey Research IT (PartnerID 5123456)" in page.text
    without_agreement = await browser.submit(page)
    assert without_agreement.status_code == 400
    assert "Microsoft Customer Agreement" in without_agreement.text
    done = await browser.submit(page, agree="yes")

    assert done.status_code == 200, done.text
    as_reseller = await sandbox.call("GET", f"/v1/customers/{customer['id']}", tenant=reseller_id)
    assert as_reseller.status_code == 200, as_reseller.text
    resellers = await sandbox.call("GET", f"/v1/customers/{customer['id']}/relationships")
    assert [item["id"] for item in resellers.json()["items"]] == [str(reseller_id)]
    deliveries = (await sandbox.control("GET", "/webhooks/deliveries"))["items"]
    assert [(d["eventName"], d["partnerTenantId"]) for d in deliveries] == [
        (INDIRECT_ACCEPTED, str(reseller_id))
    ]


async def test_only_a_global_admin_of_a_customer_can_accept(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "/seed", json={"customers": 0})
    customer = await sandbox.customer(company_name="Alpine Ski House", relationship="none")
    domain = customer["domain"]
    await sandbox.control(
        "POST", "/accounts", json={"username": f"helpdesk@{domain}", "tenantId": customer["id"]}
    )
    link = (await sandbox.call("GET", "/v1/customers/relationshiprequests")).json()["url"]
    browser = Browser(sandbox.client)

    helpdesk = await browser.open(link, sign_in_as=f"helpdesk@{domain}")
    assert helpdesk.status_code == 403 and "Global Administrator" in helpdesk.text
    await browser.open(f"{BASE_URL}/AdminPortal/signout")
    partner_admin = await browser.open(link, sign_in_as=sandbox.settings.partner_admin_upn)
    assert partner_admin.status_code == 403
    assert "not an account of a customer organization" in partner_admin.text
    await browser.open(f"{BASE_URL}/AdminPortal/signout")
    personal = await browser.open(link, sign_in_as="avery.jensen@outlook.com")
    assert personal.status_code == 400 and "personal account" in personal.text

    still_refused = await sandbox.call("GET", f"/v1/customers/{customer['id']}")
    assert still_refused.json()["code"] == 20002
