"""The tenant ID on the create form: refused beside its field when Partner Center does not know
it as a customer, and kept with everything else when Partner Center cannot be asked."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from tenantry.organizations.tenant_check import app_tenants
from tests.organizations.fakes import KnownTenants, UnreachableTenants
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page
from tests.web.pages import customer_form, field_error


async def test_a_tenant_that_is_no_customer_is_refused_beside_its_field(
    app: FastAPI, client: httpx.AsyncClient, people: People
) -> None:
    known = uuid.uuid4()
    app.dependency_overrides[app_tenants] = lambda: KnownTenants({known})
    await sign_in(client, people.platform_admin.email)
    stranger = str(uuid.uuid4())
    refused = await post_form(client, "/organizations/new", customer_form(tenant_id=stranger))
    assert refused.status_code == 422
    page = Page(refused.text)
    assert "is not a customer of the platform" in field_error(page, "tenant_id")
    assert page.field("tenant_id")["value"] == stranger
    created = await post_form(client, "/organizations/new", customer_form(tenant_id=str(known)))
    assert created.status_code == 303, created.text


async def test_partner_center_out_of_reach_keeps_what_was_typed(
    app: FastAPI, client: httpx.AsyncClient, people: People
) -> None:
    app.dependency_overrides[app_tenants] = UnreachableTenants
    await sign_in(client, people.platform_admin.email)
    tenant_id = str(uuid.uuid4())
    response = await post_form(client, "/organizations/new", customer_form(tenant_id=tenant_id))
    assert response.status_code == 503
    page = Page(response.text)
    assert field_error(page, "tenant_id") == "Try again later."
    assert page.field("tenant_id")["value"] == tenant_id
    assert page.field("legal_name")["value"] == "Fabrikam ApS"
