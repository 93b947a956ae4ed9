"""A form with missing fields and wrongly formatted ones names all of them after one submit,
not the missing ones first and the formats on the next try."""

from __future__ import annotations

import httpx

from tests.factories import World, organization_payload
from tests.web.conftest import People, post_form, sign_in
from tests.web.html import Page
from tests.web.pages import customer_form, field_error

WRONG_FORMATS = {
    "address.postal_code": "12",
    "primary_contact.phone": "abc",
    "vat_id": "123",
    "domain": "not a domain",
}


async def test_the_create_form_names_missing_and_misformatted_fields_together(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    form = customer_form(legal_name="", **{"address.city": ""}, **WRONG_FORMATS)

    response = await post_form(client, "/organizations/new", form)

    assert response.status_code == 422
    page = Page(response.text)
    assert field_error(page, "legal_name") == "This field is required."
    assert field_error(page, "address.city") == "This field is required."
    assert field_error(page, "address.postal_code") == "'12' is not a postal code of DK."
    assert field_error(page, "primary_contact.phone") == "'abc' is not a phone number."
    assert field_error(page, "vat_id").startswith("'123' is not a valid VAT ID for DK")
    assert field_error(page, "domain") == "'not a domain' is not a domain name."
    summary = page.find("div", role="alert").text
    assert "Legal name: This field is required." in summary
    assert "Postal code: '12' is not a postal code of DK." in summary
    # Listed in the order of the fields, not the missing ones first.
    assert summary.index("City:") < summary.index("Postal code:") < summary.index("Contact phone:")


async def test_the_reseller_form_asks_for_the_mpn_id_with_the_other_missing_fields(
    client: httpx.AsyncClient, people: People
) -> None:
    await sign_in(client, people.platform_admin.email)
    form = customer_form(kind="reseller", legal_name="")

    page = Page((await post_form(client, "/organizations/new", form)).text)

    assert field_error(page, "legal_name") == "This field is required."
    assert field_error(page, "mpn_id") == "This field is required."


async def test_the_api_names_missing_and_misformatted_fields_together(
    client: httpx.AsyncClient, world: World
) -> None:
    payload = organization_payload(legal_name="", domain="not a domain")
    payload["address"] |= {"postal_code": "12"}
    del payload["primary_contact"]["email"]

    response = await client.post(
        "/api/v1/organizations", json=payload, headers=world.platform.headers
    )

    assert response.status_code == 422
    found = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert found == {
        ("legal_name", "string_too_short"),
        ("primary_contact.email", "required"),
        ("domain", "domain_name"),
        ("address.postal_code", "postal_code_format"),
    }
