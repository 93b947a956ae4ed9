"""Onboarding operations of the Partner Center client against the sandbox over real HTTP:
customers and domains, invitations and the relationship rule, the MPA check, billing profile
ETags, and the GDAP approval link a customer opens."""

from __future__ import annotations

import httpx
import pytest

from tenantry.partnercenter import (
    DomainTaken,
    EtagMismatch,
    MpaNotSigned,
    MpnInvalid,
    RelationshipMissing,
)
from tenantry.partnercenter.links import gdap_approval_url, reseller_invitation_url
from tenantry.partnercenter.models import Address, BillingProfile, CompanyProfile, Customer
from tenantry.partnercenter.models.customers import CustomerSearchField
from tenantry.partnercenter.models.gdap import (
    AccessDetails,
    DelegatedAdminRelationship,
    GdapCustomer,
    UnifiedRole,
)
from tenantry_sandbox.seed_data import RESELLER_NAMES
from tests.sandbox.outside_world import Browser

from .conftest import Sandbox

EXCHANGE_ADMINISTRATOR = "29232cdf-9323-42fd-ade2-1d097af3e4de"


def new_customer(domain: str, company_name: str) -> Customer:
    return Customer(
        company_profile=CompanyProfile(domain=domain),
        billing_profile=BillingProfile(
            email="gena@northwindintegration.example",
            culture="en-US",
            language="en",
            company_name=company_name,
            default_address=Address(
                country="US",
                region="WA",
                city="Redmond",
                state="WA",
                address_line1="1 Microsoft Way",
                postal_code="98052",
                first_name="Gena",
                last_name="Soto",
                phone_number="4255550100",
            ),
        ),
    )


async def test_create_a_customer_then_find_it_by_id_name_and_domain(sandbox: Sandbox) -> None:
    domain = "northwindintegration.onmicrosoft.com"
    client, _ = sandbox.client()

    async with client:
        available_before = await client.is_domain_available(domain)
        created = await client.create_customer(new_customer(domain, "Northwind Integration"))
        assert created.id is not None
        fetched = await client.get_customer(created.id)
        by_name = [c.id async for c in client.search_customers("CompanyName", "northwind int")]
        by_domain = [
            c.id async for c in client.search_customers(CustomerSearchField.DOMAIN, "northwindint")
        ]
        available_after = await client.is_domain_available(domain)
        with pytest.raises(DomainTaken) as taken:
            await client.create_customer(new_customer(domain, "Northwind Again"))

    assert (available_before, available_after) == (True, False)
    assert created.user_credentials is not None
    # As Microsoft documents it: the user name without its domain, a one-time password.
    assert created.user_credentials.user_name == "admin"
    assert created.user_credentials.password
    assert fetched.company_profile is not None
    assert fetched.company_profile.domain == domain
    assert fetched.company_profile.company_name == "Northwind Integration"
    assert fetched.relationship_to_partner == "reseller"
    assert by_name == by_domain == [created.id]
    assert taken.value.status == 409


async def test_a_customer_without_a_relationship_is_refused_until_it_accepts_the_invitation(
    sandbox: Sandbox,
) -> None:
    tenant = await sandbox.customer(companyName="Tailspin Toys", relationship="none")
    client, _ = sandbox.client()

    async with client:
        with pytest.raises(RelationshipMissing) as refused:
            await client.get_customer(tenant["id"])
        link = await client.get_relationship_request_link()
        # The customer's Global Administrator opens the link in the admin center and accepts.
        async with httpx.AsyncClient(timeout=30) as http:
            browser = Browser(http)
            invitation = await browser.open(link.url, sign_in_as=tenant["adminUserPrincipalName"])
            accepted = await browser.submit(invitation, agree="yes")
        customer = await client.get_customer(tenant["id"])

    assert (refused.value.status, refused.value.code) == (403, "20002")
    assert str(sandbox.partner_tenant_id) in (refused.value.description or "")
    assert link.url == reseller_invitation_url(
        str(sandbox.partner_tenant_id), admin_center_url=client.config.admin_center_url
    )
    assert "Tailspin Toys" in invitation.text
    assert accepted.status_code == 200
    assert customer.relationship_to_partner == "reseller"


async def test_mpa_status_of_seeded_resellers(sandbox: Sandbox) -> None:
    await sandbox.control("POST", "/seed", json={"customers": 0})
    client, _ = sandbox.client()

    async with client:
        network = {r.name: r for r in await client.list_indirect_resellers()}
        # The seed's first reseller signed the Microsoft Partner Agreement, its second has not.
        signed, unsigned = network[RESELLER_NAMES[0]], network[RESELLER_NAMES[1]]
        assert signed.mpn_id and unsigned.mpn_id
        by_mpn_id = await client.get_mpa_status(mpn_id=signed.mpn_id)
        by_tenant_id = await client.get_mpa_status(tenant_id=signed.id)
        with pytest.raises(MpaNotSigned) as not_signed:
            await client.get_mpa_status(mpn_id=unsigned.mpn_id)
        with pytest.raises(MpaNotSigned) as not_signed_by_tenant:
            await client.get_mpa_status(tenant_id=unsigned.id)
        with pytest.raises(MpnInvalid) as unknown:
            await client.get_mpa_status(mpn_id="1234567")

    assert by_mpn_id.is_agreement_signed and by_tenant_id.is_agreement_signed
    assert (not_signed.value.status, not_signed.value.code) == (400, "2203")
    assert not_signed_by_tenant.value.code == "2206"
    assert unknown.value.code == "2200"


async def test_billing_profile_updates_are_guarded_by_the_etag(sandbox: Sandbox) -> None:
    tenant = await sandbox.customer(companyName="Coho Winery")
    client, wire = sandbox.client()

    async with client:
        profile = await client.get_billing_profile(tenant["id"])
        updated = await client.update_billing_profile(
            tenant["id"], profile.model_copy(update={"first_name": "Priya"})
        )
        with pytest.raises(EtagMismatch) as stale:
            await client.update_billing_profile(
                tenant["id"], profile.model_copy(update={"first_name": "Mateo"})
            )
        current = await client.get_billing_profile(tenant["id"])

    assert profile.etag and updated.etag and updated.etag != profile.etag
    assert wire.requests[2].headers["If-Match"] == f'"{profile.etag}"'
    assert (stale.value.status, stale.value.code) == (412, "2055")
    assert current.first_name == "Priya", "the stale write changed nothing"
    assert current.etag == updated.etag


async def test_the_gdap_approval_link_opens_in_the_sandboxs_admin_center(sandbox: Sandbox) -> None:
    tenant = await sandbox.customer(companyName="Relecloud")
    client, _ = sandbox.client()

    async with client:
        created = await client.create_gdap_relationship(
            DelegatedAdminRelationship(
                display_name="Relecloud mail support",
                duration="P90D",
                customer=GdapCustomer(tenant_id=tenant["id"]),
                access_details=AccessDetails(
                    unified_roles=[UnifiedRole(role_definition_id=EXCHANGE_ADMINISTRATOR)]
                ),
            )
        )
        assert created.id is not None
        await client.request_gdap_relationship_action(created.id, "lockForApproval")
        link = gdap_approval_url(created.id, admin_center_url=client.config.admin_center_url)
        async with httpx.AsyncClient(timeout=30) as http:
            browser = Browser(http)
            home = await browser.open(link, sign_in_as=tenant["adminUserPrincipalName"])
            # A browser runs the home page's script, which turns the fragment into this path.
            approval = await browser.open(link.replace("/Home#/", "/", 1))
            approved = await browser.submit(approval)
        relationship = await client.get_gdap_relationship(created.id)

    assert link.startswith(f"{sandbox.url}/AdminPortal/Home#/partners/invitation/")
    assert created.id in home.text
    assert "Exchange Administrator" in approval.text
    assert approved.status_code == 200
    assert relationship.status in ("approved", "active")
