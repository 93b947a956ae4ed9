"""The sandbox's answers have the shape of Microsoft's documented samples.

For each operation the sandbox serves, the response's fields, casing and nesting (not values) and
its status are compared with the sample in ``<repo>/../shared/partner-center/samples``. Where the
sandbox sends more than one sample shows, the extra members are listed with the reason.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from .conftest import Sandbox, sample
from .shapes import assert_same_shape

EMS = "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
POWER_BI_PRO = "f8a1db68-be16-40ed-86d5-cb42ce701560"


def customer_request(domain: str, **billing: Any) -> dict[str, Any]:
    """The documented create-customer request, with a contact name and phone number added."""
    body: dict[str, Any] = copy.deepcopy(sample("create-customer-request.json"))
    body["CompanyProfile"]["Domain"] = domain
    body["BillingProfile"].update({"FirstName": "Tania", "LastName": "Carr", **billing})
    body["BillingProfile"]["DefaultAddress"]["PhoneNumber"] = "4255550101"
    return body


@dataclass
class World:
    sandbox: Sandbox
    reseller: dict[str, Any]
    customer_id: str
    indirect_customer_id: str
    licensed: dict[str, Any]
    licensed_user_id: str


@pytest.fixture
async def world(sandbox: Sandbox) -> World:
    reseller = await sandbox.reseller("First Up Consultants", location="US")
    created = await sandbox.call(
        "POST", "/v1/customers", json=customer_request("contosoworld.onmicrosoft.com")
    )
    assert created.status_code == 201, created.text
    indirect = copy.deepcopy(sample("create-customer-indirect-reseller-request.json"))
    indirect["AssociatedPartnerId"] = reseller["tenantId"]
    made = await sandbox.call("POST", "/v1/customers", json=indirect)
    assert made.status_code == 201, made.text
    licensed = await sandbox.customer(
        companyName="DT Demo CSP Customer 005",
        domain="dtdemocspcustomer005",
        extraUsers=1,
        skus=[{"skuId": EMS, "units": 5}, {"skuId": POWER_BI_PRO, "units": 1}],
    )
    users = await sandbox.call("GET", f"/v1/customers/{licensed['id']}/users")
    return World(
        sandbox=sandbox,
        reseller=reseller,
        customer_id=created.json()["id"],
        indirect_customer_id=made.json()["id"],
        licensed=licensed,
        licensed_user_id=users.json()["items"][0]["id"],
    )


Call = Callable[[World], Awaitable[httpx.Response]]


def get(path: str) -> Call:
    async def call(world: World) -> httpx.Response:
        return await world.sandbox.call("GET", path.format(w=world))

    return call


def send(method: str, path: str, request_sample: str, **headers: str) -> Call:
    async def call(world: World) -> httpx.Response:
        return await world.sandbox.call(
            method, path.format(w=world), json=sample(request_sample), headers=headers
        )

    return call


async def create_direct(world: World) -> httpx.Response:
    return await world.sandbox.call(
        "POST", "/v1/customers", json=sample("create-customer-request.json")
    )


async def create_indirect(world: World) -> httpx.Response:
    body = sample("create-customer-indirect-reseller-request.json")
    body["CompanyProfile"]["Domain"] = "wingtiptoys2.onmicrosoft.com"
    body["AssociatedPartnerId"] = world.reseller["tenantId"]
    return await world.sandbox.call("POST", "/v1/customers", json=body)


async def update_billing(world: World) -> httpx.Response:
    path = f"/v1/customers/{world.customer_id}/profiles/billing"
    etag = (await world.sandbox.call("GET", path)).json()["attributes"]["etag"]
    return await world.sandbox.call(
        "PUT",
        path,
        json=sample("update-billing-profile-request.json"),
        headers={"If-Match": f'"{etag}"'},
    )


def search(field: str, value: str) -> Call:
    async def call(world: World) -> httpx.Response:
        query = json.dumps(
            {"Field": field, "Value": value.format(w=world), "Operator": "starts_with"}
        )
        return await world.sandbox.call("GET", f"/v1/customers?size=0&filter={quote(query)}")

    return call


async def list_agreements(world: World) -> httpx.Response:
    path = f"/v1/customers/{world.customer_id}/agreements"
    created = await world.sandbox.call("POST", path, json=sample("create-agreement-request.json"))
    assert created.status_code == 201, created.text
    return await world.sandbox.call("GET", path + "?agreementType=MicrosoftCustomerAgreement")


def mpa_status_of_reseller(**fixture: Any) -> Call:
    async def call(world: World) -> httpx.Response:
        reseller = await world.sandbox.reseller("Reseller Under Test", **fixture)
        return await world.sandbox.call("GET", f"{MPA}?mpnId={reseller['mpnId']}")

    return call


async def throttled(world: World) -> httpx.Response:
    await world.sandbox.control("PUT", "/rate-limits", json={"requestsPerMinute": 1})
    await world.sandbox.call("GET", "/v1/customers")
    return await world.sandbox.call("GET", "/v1/customers")


CUSTOMER = "/v1/customers/{w.customer_id}"
LICENSED = "/v1/customers/{w.licensed[id]}"
MPA = "/v1/compliance/csp/agreementstatus"

# (sample, expected status, call, extra members the sandbox adds and why)
CASES: list[tuple[str, int, Call, tuple[str, ...]]] = [
    # The direct sample's companyProfile is abridged; the indirect one (same resource) shows
    # companyName and links, and get-by-id shows allowDelegatedAccess.
    (
        "create-customer-response.json",
        201,
        create_direct,
        ("companyProfile.companyName", "companyProfile.links", "allowDelegatedAccess"),
    ),
    ("create-customer-indirect-reseller-response.json", 201, create_indirect, ()),
    ("get-customer.json", 200, get(CUSTOMER), ()),
    # Listing and searching are one operation; the search samples show the links.
    (
        "customers-page.json",
        200,
        get("/v1/customers?size=40"),
        ("items[].links", "items[].companyProfile.links"),
    ),
    ("customers-search-by-name.json", 200, search("CompanyName", "test"), ()),
    ("customers-search-by-name.json", 200, search("Domain", "contosoworld"), ()),
    # The same collection as the searches above, which carry links.self.
    (
        "customers-of-indirect-reseller.json",
        200,
        search("IndirectReseller", "{w.reseller[tenantId]}"),
        ("links",),
    ),
    ("customer-billing-profile.json", 200, get(CUSTOMER + "/profiles/billing"), ()),
    ("update-billing-profile-response.json", 200, update_billing, ()),
    ("customer-company-profile.json", 200, get(CUSTOMER + "/profiles/company"), ()),
    ("customer-organization.json", 200, get(CUSTOMER + "/organization"), ()),
    ("customer-custom-domains.json", 200, get(CUSTOMER + "/customDomains"), ()),
    ("relationship-request.json", 200, get("/v1/customers/relationshiprequests"), ()),
    (
        "relationship-request.json",
        200,
        get("/v1/customers/relationshiprequests?indirectResellerId={w.reseller[tenantId]}"),
        (),
    ),
    (
        "indirect-resellers.json",
        200,
        get("/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf"),
        (),
    ),
    (
        "indirect-resellers-of-customer.json",
        200,
        get("/v1/customers/{w.indirect_customer_id}/relationships"),
        (),
    ),
    ("mpn-profile.json", 200, get("/v1/profiles/mpn?mpnId={w.reseller[mpnId]}"), ()),
    ("own-mpn-profile.json", 200, get("/v1/profiles/mpn"), ()),
    ("mpa-agreement-status.json", 200, get(MPA + "?mpnId={w.reseller[mpnId]}"), ()),
    ("mpa-agreement-status.json", 200, get(MPA + "?tenantId={w.reseller[tenantId]}"), ()),
    ("agreement-metadata.json", 200, get("/v1/agreements"), ()),
    # The Microsoft Cloud Agreement sample of the same operation carries links.self.
    (
        "agreement-metadata-mca.json",
        200,
        get("/v1/agreements?agreementType=MicrosoftCustomerAgreement"),
        ("links",),
    ),
    (
        "create-agreement-response.json",
        201,
        send("POST", CUSTOMER + "/agreements", "create-agreement-request.json"),
        (),
    ),
    ("customer-agreements.json", 200, list_agreements, ()),
    (
        "direct-signed-status.json",
        200,
        get(CUSTOMER + "/directSignedMicrosoftCustomerAgreementStatus"),
        (),
    ),
    ("customer-users.json", 200, get(LICENSED + "/users"), ()),
    ("customer-user.json", 200, get(LICENSED + "/users/{w.licensed_user_id}"), ()),
    ("subscribed-skus.json", 200, get(LICENSED + "/subscribedskus"), ()),
    ("user-licenses.json", 200, get(LICENSED + "/users/{w.licensed_user_id}/licenses"), ()),
    (
        "address-validation-response-VerifiedShippable.json",
        200,
        send(
            "POST", "/v1/validations/address", "address-validation-request-VerifiedShippable.json"
        ),
        (),
    ),
    (
        "address-validation-response-StreetPartial.json",
        200,
        send("POST", "/v1/validations/address", "address-validation-request-StreetPartial.json"),
        (),
    ),
    # Errors: Partner Center's error body; the sandbox adds the ApiFault's attributes.
    (
        "error-mpn-profile-not-found.json",
        404,
        get("/v1/profiles/mpn?mpnId=9999999"),
        ("attributes",),
    ),
    (
        "error-mpa-status-2000-both-passed.json",
        400,
        get(MPA + "?mpnId=1&tenantId=x"),
        ("attributes",),
    ),
    ("error-mpa-status-2000-mpn-not-numeric.json", 400, get(MPA + "?mpnId=abc"), ("attributes",)),
    (
        "error-mpa-status-2000-tenant-not-guid.json",
        400,
        get(MPA + "?tenantId=abc"),
        ("attributes",),
    ),
    ("error-mpa-status-2001-both-empty.json", 400, get(MPA), ("attributes",)),
    ("error-mpa-status-2200-mpn-invalid.json", 400, get(MPA + "?mpnId=123456"), ("attributes",)),
    (
        "error-mpa-status-2203-mpa-not-signed.json",
        400,
        mpa_status_of_reseller(mpaSigned=False),
        ("attributes",),
    ),
    (
        "error-mpa-status-2204-not-csp-reseller.json",
        400,
        mpa_status_of_reseller(program="none", inNetwork=False),
        ("attributes",),
    ),
    ("error-429-throttled.json", 429, throttled, ()),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}#{i}" for i, c in enumerate(CASES)])
async def test_answer_has_the_shape_of_the_sample(
    world: World, case: tuple[str, int, Call, tuple[str, ...]]
) -> None:
    name, status, call, allow_extra = case
    response = await call(world)
    assert response.status_code == status, response.text
    assert_same_shape(response.json(), sample(name), allow_extra=allow_extra)


@pytest.mark.asyncio
async def test_remove_reseller_relationship_answers_the_documented_members(world: World) -> None:
    """The documented answer is PascalCase with nulls (doc noise): compare without case."""
    response = await world.sandbox.call(
        "PATCH",
        f"/v1/customers/{world.customer_id}",
        json=sample("remove-reseller-relationship-request.json"),
    )
    assert response.status_code == 200, response.text
    assert_same_shape(
        response.json(), sample("remove-reseller-relationship-response.json"), fold_case=True
    )
    assert response.json()["relationshipToPartner"] == "none"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("domain", "name"),
    [
        ("contosoworld.onmicrosoft.com", "domain-availability-taken.json"),
        ("freeprefix.onmicrosoft.com", "domain-availability-available.json"),
    ],
)
async def test_domain_check_answers_as_documented(world: World, domain: str, name: str) -> None:
    documented = sample(name)
    response = await world.sandbox.call("HEAD", f"/v1/domains/{domain}")
    assert response.status_code == documented["status"]
    assert response.content == b""
    for header in documented["headers"]:
        if header != "Date":  # the ASGI server adds Date; the in-process transport has none
            assert header in response.headers, header
    assert response.headers["content-length"] == "0"


@pytest.mark.asyncio
async def test_every_sample_the_core_serves_is_compared() -> None:
    """Guard: the table above names each documented sample of the operations served here."""
    compared = {case[0] for case in CASES} | {
        "remove-reseller-relationship-response.json",
        "domain-availability-taken.json",
        "domain-availability-available.json",
    }
    expected = {
        "create-customer-response.json",
        "create-customer-indirect-reseller-response.json",
        "get-customer.json",
        "customers-page.json",
        "customers-search-by-name.json",
        "customers-of-indirect-reseller.json",
        "customer-billing-profile.json",
        "update-billing-profile-response.json",
        "customer-company-profile.json",
        "customer-custom-domains.json",
        "customer-organization.json",
        "relationship-request.json",
        "indirect-resellers.json",
        "indirect-resellers-of-customer.json",
        "mpn-profile.json",
        "own-mpn-profile.json",
        "mpa-agreement-status.json",
        "agreement-metadata.json",
        "agreement-metadata-mca.json",
        "create-agreement-response.json",
        "customer-agreements.json",
        "direct-signed-status.json",
        "customer-users.json",
        "customer-user.json",
        "subscribed-skus.json",
        "user-licenses.json",
        "address-validation-response-VerifiedShippable.json",
        "address-validation-response-StreetPartial.json",
        "error-mpn-profile-not-found.json",
        "error-429-throttled.json",
        "error-mpa-status-2000-both-passed.json",
        "error-mpa-status-2000-mpn-not-numeric.json",
        "error-mpa-status-2000-tenant-not-guid.json",
        "error-mpa-status-2001-both-empty.json",
        "error-mpa-status-2200-mpn-invalid.json",
        "error-mpa-status-2203-mpa-not-signed.json",
        "error-mpa-status-2204-not-csp-reseller.json",
        "remove-reseller-relationship-response.json",
        "domain-availability-taken.json",
        "domain-availability-available.json",
    }
    assert expected - compared == set(), "samples without a comparison"
