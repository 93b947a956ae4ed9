"""Microsoft's rules, enforced: domains, relationships, PartnerIDs, the MPA, ETags, input."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any
from urllib.parse import quote

import pytest

from .conftest import Sandbox, sample


def new_customer(domain: str, *, country: str = "US", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(sample("create-customer-request.json"))
    body["CompanyProfile"]["Domain"] = domain
    body["BillingProfile"]["DefaultAddress"]["Country"] = country
    body.update(changes)
    return body


def assert_error(response: Any, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert set(body) == {"code", "description", "data", "source", "attributes"}
    assert body["attributes"] == {"objectType": "ApiFault"}
    return body


# ----------------------------------------------------------------------------- domains


async def test_a_taken_prefix_is_refused_whatever_its_suffix_or_case(sandbox: Sandbox) -> None:
    first = await sandbox.call(
        "POST", "/v1/customers", json=new_customer("Fabrikam.onmicrosoft.com")
    )
    assert first.status_code == 201, first.text
    for domain in ("fabrikam.onmicrosoft.com", "FABRIKAM.ccsctp.net", "fabrikam"):
        assert (await sandbox.call("HEAD", f"/v1/domains/{domain}")).status_code == 200
        refused = await sandbox.call("POST", "/v1/customers", json=new_customer(domain))
        body = assert_error(refused, 409, 3000)
        assert "already used by another tenant" in body["description"]
        assert body["data"] == ["companyProfile.domain"]
    assert (await sandbox.call("HEAD", "/v1/domains/fabrikam2.onmicrosoft.com")).status_code == 404


async def test_partner_domains_and_custom_domains_are_taken_too(sandbox: Sandbox) -> None:
    await sandbox.customer(domain="woodgrove", customDomain="woodgrove.example")
    assert (
        await sandbox.call("HEAD", f"/v1/domains/{sandbox.settings.partner_domain}")
    ).status_code == 200
    assert (await sandbox.call("HEAD", "/v1/domains/woodgrove.example")).status_code == 200
    assert (await sandbox.call("HEAD", "/v1/domains/other.example")).status_code == 404


@pytest.mark.parametrize("domain", ["bad_prefix.onmicrosoft.com", "contoso.com", "-x", ""])
async def test_an_invalid_initial_domain_is_refused(sandbox: Sandbox, domain: str) -> None:
    response = await sandbox.call("POST", "/v1/customers", json=new_customer(domain))
    assert_error(response, 400, 3000)


async def test_concurrent_creates_of_one_prefix_make_one_customer(sandbox: Sandbox) -> None:
    import asyncio

    responses = await asyncio.gather(
        *(sandbox.call("POST", "/v1/customers", json=new_customer("racing")) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]


# ------------------------------------------------------------------------ relationships


async def test_customer_scoped_calls_need_a_relationship(sandbox: Sandbox) -> None:
    stranger = await sandbox.customer(relationship="none")
    for path in ("", "/profiles/billing", "/users", "/subscribedskus", "/agreements"):
        response = await sandbox.call("GET", f"/v1/customers/{stranger['id']}{path}")
        body = assert_error(response, 403, 20002)
        assert body["description"] == (
            f"The partner ID {sandbox.partner_id} has no commerce relationship with the customer "
            f"ID {stranger['id']}."
        )


async def test_an_unknown_customer_is_not_found(sandbox: Sandbox) -> None:
    response = await sandbox.call("GET", f"/v1/customers/{uuid.uuid4()}")
    assert_error(response, 404, 60003)


async def test_removing_the_relationship_ends_access(sandbox: Sandbox) -> None:
    customer = await sandbox.customer()
    removed = await sandbox.call(
        "PATCH",
        f"/v1/customers/{customer['id']}",
        json={"RelationshipToPartner": "None", "Attributes": {"ObjectType": "Customer"}},
    )
    assert removed.status_code == 200, removed.text
    assert_error(await sandbox.call("GET", f"/v1/customers/{customer['id']}"), 403, 20002)
    listed = await sandbox.call("GET", "/v1/customers")
    assert customer["id"] not in [item["id"] for item in listed.json()["items"]]


async def test_only_removing_the_relationship_can_be_patched(sandbox: Sandbox) -> None:
    customer = await sandbox.customer()
    response = await sandbox.call(
        "PATCH", f"/v1/customers/{customer['id']}", json={"relationshipToPartner": "reseller"}
    )
    assert_error(response, 400, 3000)


async def test_accepting_the_invitation_link_gives_access(sandbox: Sandbox) -> None:
    tenant = await sandbox.customer(relationship="none")
    link = (await sandbox.call("GET", "/v1/customers/relationshiprequests")).json()["url"]
    assert f"partnerId={sandbox.partner_id}" in link
    assert link.startswith(sandbox.settings.portal_url)
    await sandbox.control(
        "POST", "/relationships/accept", json={"customerId": tenant["id"], "url": link}
    )
    response = await sandbox.call("GET", f"/v1/customers/{tenant['id']}")
    assert response.status_code == 200
    assert response.json()["relationshipToPartner"] == "reseller"
    assert response.json()["allowDelegatedAccess"] is False  # the link says DAP=false


async def test_accepting_an_indirect_link_links_the_reseller(sandbox: Sandbox) -> None:
    reseller = await sandbox.reseller("Trey Research IT", mpnId="5123456")
    tenant = await sandbox.customer(relationship="none")
    link = (
        await sandbox.call(
            "GET", f"/v1/customers/relationshiprequests?indirectResellerId={reseller['tenantId']}"
        )
    ).json()["url"]
    assert "invType=IndirectResellerRelationship" in link
    assert f"msppId={reseller['mpnId']}" in link
    assert f"indirectCSPId={sandbox.partner_id}" in link
    await sandbox.control(
        "POST", "/relationships/accept", json={"customerId": tenant["id"], "url": link}
    )
    resellers = await sandbox.call("GET", f"/v1/customers/{tenant['id']}/relationships")
    assert [item["id"] for item in resellers.json()["items"]] == [reseller["tenantId"]]
    query = quote(json.dumps({"Field": "IndirectReseller", "Value": reseller["tenantId"],
                              "Operator": "starts_with"}))  # fmt: skip
    found = await sandbox.call("GET", f"/v1/customers?size=0&filter={query}")
    assert [item["id"] for item in found.json()["items"]] == [tenant["id"]]


async def test_a_link_for_a_reseller_outside_the_network_is_refused(sandbox: Sandbox) -> None:
    outsider = await sandbox.reseller("Outsider", inNetwork=False)
    response = await sandbox.call(
        "GET", f"/v1/customers/relationshiprequests?indirectResellerId={outsider['tenantId']}"
    )
    assert_error(response, 403, 600006)


async def test_a_reseller_sees_its_providers(sandbox: Sandbox) -> None:
    reseller = await sandbox.reseller("Lamna Cloud Services")
    tenant = uuid.UUID(reseller["tenantId"])
    response = await sandbox.call(
        "GET", "/v1/relationships?relationship_type=IsIndirectResellerOf", tenant=tenant
    )
    assert response.status_code == 200, response.text
    [provider] = response.json()["items"]
    assert provider["id"] == str(sandbox.partner_id)
    assert provider["relationshipType"] == "is_indirect_reseller_of"


async def test_resellers_can_be_filtered_by_name(sandbox: Sandbox) -> None:
    await sandbox.reseller("Alpha Partners")
    await sandbox.reseller("Beta Partners")
    query = quote(json.dumps({"Field": "Name", "Value": "alp", "Operator": "starts_with"}))
    response = await sandbox.call(
        "GET",
        f"/v1/relationships?relationship_type=is_indirect_cloud_solution_provider_of&filter={query}",
    )
    assert [item["name"] for item in response.json()["items"]] == ["Alpha Partners"]


# ------------------------------------------------------------------ PartnerID and the MPA


async def test_an_unknown_partner_id_is_not_found(sandbox: Sandbox) -> None:
    response = await sandbox.call("GET", "/v1/profiles/mpn?mpnId=9999999")
    body = assert_error(response, 404, 3000)
    assert body["description"] == "Partner Organization with partner_id 9999999 could not be found"


@pytest.mark.parametrize(
    ("fixture", "query", "code"),
    [
        ({"mpaSigned": False}, "mpnId={mpn}", 2203),
        ({"program": "none", "inNetwork": False}, "mpnId={mpn}", 2204),
        ({"mpaSigned": False}, "tenantId={tenant}", 2206),
        ({}, "tenantId=" + str(uuid.UUID(int=7)), 2205),
        ({}, "mpnId=123456", 2200),
    ],
)
async def test_mpa_status_errors(
    sandbox: Sandbox, fixture: dict[str, Any], query: str, code: int
) -> None:
    reseller = await sandbox.reseller("Under Test", **fixture)
    path = "/v1/compliance/csp/agreementstatus?" + query.format(
        mpn=reseller["mpnId"], tenant=reseller["tenantId"]
    )
    assert_error(await sandbox.call("GET", path), 400, code)


async def test_a_signed_reseller_passes_the_mpa_check(sandbox: Sandbox) -> None:
    reseller = await sandbox.reseller("Signed")
    response = await sandbox.call(
        "GET", f"/v1/compliance/CSP/agreementstatus?mpnId={reseller['mpnId']}"
    )
    assert response.json() == {"isAgreementSigned": True}


async def test_creating_for_a_reseller_outside_the_network_is_refused(sandbox: Sandbox) -> None:
    outsider = await sandbox.reseller("Outsider", inNetwork=False)
    body = new_customer("outsidercustomer", AssociatedPartnerId=outsider["tenantId"])
    assert_error(await sandbox.call("POST", "/v1/customers", json=body), 403, 600006)


async def test_creating_for_a_reseller_without_the_mpa_is_refused(sandbox: Sandbox) -> None:
    unsigned = await sandbox.reseller("Unsigned", mpaSigned=False)
    body = new_customer("unsignedcustomer", AssociatedPartnerId=unsigned["tenantId"])
    assert_error(await sandbox.call("POST", "/v1/customers", json=body), 403, 900123)


# ------------------------------------------------------------------------------ ETags


async def test_billing_profile_updates_need_the_current_etag(sandbox: Sandbox) -> None:
    customer = await sandbox.customer()
    path = f"/v1/customers/{customer['id']}/profiles/billing"
    profile = (await sandbox.call("GET", path)).json()
    etag = profile["attributes"]["etag"]
    update = {**profile, "companyName": "Renamed Ltd"}

    assert_error(await sandbox.call("PUT", path, json=update), 400, 3000)
    stale = await sandbox.call("PUT", path, json=update, headers={"If-Match": '"1234"'})
    body = assert_error(stale, 412, 2055)
    assert body["description"] == "Etag is no longer valid"

    updated = await sandbox.call("PUT", path, json=update, headers={"If-Match": f'"{etag}"'})
    assert updated.status_code == 200, updated.text
    assert updated.json()["companyName"] == "Renamed Ltd"
    assert updated.json()["attributes"]["etag"] != etag
    again = await sandbox.call("PUT", path, json=update, headers={"If-Match": f'"{etag}"'})
    assert_error(again, 412, 2055)


# ------------------------------------------------------------------------------ input


async def test_bodies_bind_whatever_the_casing(sandbox: Sandbox) -> None:
    camel = {
        "companyProfile": {"domain": "camelcase"},
        "billingProfile": {
            "email": "a@camel.example",
            "culture": "EN-us",
            "language": "en",
            "companyName": "Camel",
            "defaultAddress": {
                "firstName": "A",
                "lastName": "B",
                "addressLine1": "1 Main Street",
                "city": "Redmond",
                "state": "WA",
                "postalCode": "98052",
                "country": "us",
            },
        },
    }
    snake = json.loads(
        json.dumps(camel)
        .replace("companyProfile", "company_profile")
        .replace("billingProfile", "BILLING_PROFILE")
        .replace("camelcase", "snakecase")
    )
    for body in (camel, snake, new_customer("pascalcase")):
        response = await sandbox.call("POST", "/v1/customers", json=body)
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["billingProfile"]["culture"] == "en-US"
        assert created["billingProfile"]["defaultAddress"]["country"] == "US"


async def test_missing_properties_are_named(sandbox: Sandbox) -> None:
    body = new_customer("missing")
    del body["BillingProfile"]["Email"]
    del body["BillingProfile"]["DefaultAddress"]["City"]
    response = await sandbox.call("POST", "/v1/customers", json=body)
    assert assert_error(response, 400, 3000)["data"] == ["billingProfile.email"]


async def test_an_invalid_notification_email_is_refused(sandbox: Sandbox) -> None:
    body = new_customer("bademail")
    body["BillingProfile"]["Email"] = "client1@example.u"
    assert_error(await sandbox.call("POST", "/v1/customers", json=body), 400, 27002)


@pytest.mark.parametrize(
    ("country", "registration", "phone", "code"),
    [
        ("IN", None, "9876543210", 600049),
        ("BR", "12345678", None, 600051),
        ("US", "12345678", "4255550101", 600002),
    ],
)
async def test_country_rules_for_registration_numbers(
    sandbox: Sandbox, country: str, registration: str | None, phone: str | None, code: int
) -> None:
    body = new_customer(f"country{country.lower()}", country=country)
    if registration:
        body["CompanyProfile"]["OrganizationRegistrationNumber"] = registration
    if phone:
        body["BillingProfile"]["DefaultAddress"]["PhoneNumber"] = phone
    assert_error(await sandbox.call("POST", "/v1/customers", json=body), 400, code)


async def test_a_customer_in_india_with_registration_and_phone_is_created(sandbox: Sandbox) -> None:
    body = new_customer("indiacustomer", country="IN")
    body["CompanyProfile"]["OrganizationRegistrationNumber"] = "U72900KA2001PTC028963"
    body["BillingProfile"]["DefaultAddress"]["PhoneNumber"] = "+919876543210"
    response = await sandbox.call("POST", "/v1/customers", json=body)
    assert response.status_code == 201, response.text


async def test_malformed_json_is_an_invalid_property(sandbox: Sandbox) -> None:
    response = await sandbox.call(
        "POST",
        "/v1/customers",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400, 3000)


async def test_unknown_routes_and_methods_answer_in_partner_centers_shape(sandbox: Sandbox) -> None:
    assert_error(await sandbox.call("GET", "/v1/nothing-here"), 404, 1000)
    assert_error(await sandbox.call("PUT", "/v1/customers"), 405, 405)


async def test_the_deleted_customer_is_gone(sandbox: Sandbox) -> None:
    customer = await sandbox.customer()
    deleted = await sandbox.call("DELETE", f"/v1/customers/{customer['id']}")
    assert deleted.status_code == 204
    assert_error(await sandbox.call("GET", f"/v1/customers/{customer['id']}"), 404, 60003)
    assert (await sandbox.call("HEAD", f"/v1/domains/{customer['domain']}")).status_code == 404


async def test_license_groups_filter_skus_and_licenses(sandbox: Sandbox) -> None:
    ems = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
    customer = await sandbox.customer(skus=[{"skuId": ems, "units": 3}], extraUsers=4)
    base = f"/v1/customers/{customer['id']}"
    skus = (await sandbox.call("GET", f"{base}/subscribedskus?licenseGroupIds=Group1")).json()
    [owned] = skus["items"]
    assert (owned["activeUnits"], owned["consumedUnits"], owned["availableUnits"]) == (3, 3, 0)
    none = await sandbox.call("GET", f"{base}/subscribedskus?licenseGroupIds=Group2")
    assert none.json()["totalCount"] == 0
    users = (await sandbox.call("GET", f"{base}/users")).json()["items"]
    licensed = [
        (await sandbox.call("GET", f"{base}/users/{user['id']}/licenses")).json()["totalCount"]
        for user in users
    ]
    assert licensed == [1, 1, 1, 0, 0]
    missing = await sandbox.call("GET", f"{base}/users/{uuid.uuid4()}/licenses")
    assert_error(missing, 404, 1000)


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ({"AddressLine1": "1 Microsoft Way", "PostalCode": "98052"}, "VerifiedShippable"),
        ({"AddressLine1": "Microsoft Way", "PostalCode": "98052"}, "StreetPartial"),
        ({"AddressLine1": "1 Microsoft Way", "PostalCode": "ABC"}, "InteractionRequired"),
    ],
)
async def test_address_validation_verdicts(
    sandbox: Sandbox, address: dict[str, str], status: str
) -> None:
    body = {"City": "Redmond", "State": "WA", "Country": "US", **address}
    response = await sandbox.call("POST", "/v1/validations/address", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == status


async def test_address_validation_needs_a_country(sandbox: Sandbox) -> None:
    response = await sandbox.call("POST", "/v1/validations/address", json={"AddressLine1": "1 X"})
    assert assert_error(response, 400, 3000)["data"] == ["country"]
