"""Replay every documented Partner Center sample through the client's models and errors.

Each response/request sample must parse into its model and dump back (by alias) to the same
property names and values. Casing is compared exactly, except where the table says "any": the
PascalCase request bodies the documentation copies from the .NET SDK (the service binds names
case-insensitively and the client sends camelCase) and two responses documented in the wrong
casing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import httpx
import pytest
from pydantic import TypeAdapter

from tenantry.partnercenter import (
    AccessBlocked,
    InvalidPartnerIdentifier,
    LicensesExhausted,
    MpaNotSigned,
    MpnInvalid,
    MpnNotFound,
    NotIndirectReseller,
    PartnerCenterClient,
    PartnerCenterError,
    Throttled,
    TokenKindNotAllowed,
)
from tenantry.partnercenter.errors import (
    MPA_STATUS_RULES,
    MPN_PROFILE_RULES,
    ErrorRules,
    error_from_response,
)
from tenantry.partnercenter.models import (
    Address,
    AddressValidationResult,
    Agreement,
    AgreementMetadata,
    BillingProfile,
    Cart,
    CompanyProfile,
    Conversion,
    ConversionResult,
    Customer,
    CustomerOrganization,
    CustomerPage,
    CustomerUser,
    CustomerUserPage,
    DelegatedAdminAccessAssignment,
    DelegatedAdminRelationship,
    DelegatedAdminRelationshipRequest,
    DirectSignedStatus,
    License,
    LicenseUpdate,
    MpaStatus,
    MpnProfile,
    Order,
    OrderLineItemProvisioningStatus,
    PartnerRelationship,
    Product,
    RelationshipRequest,
    ResourceCollection,
    SeekResourceCollection,
    Sku,
    SubscribedSku,
    Subscription,
    Transition,
    TransitionEligibility,
    ValidationEvent,
    ValidationEventStatus,
    WebhookEvent,
    WebhookRegistration,
)
from tenantry.partnercenter.models.base import lenient_datetime

from .fakes import SAMPLES_DIR, ClientFactory, FakeService, load_sample, reply


@dataclass(frozen=True)
class Parses:
    """A request or response body: parses into ``model`` and dumps back to the sample."""

    model: Any
    casing: Literal["exact", "any"] = "exact"


@dataclass(frozen=True)
class Fails:
    """An error body: becomes ``error`` with Microsoft's ``code`` when answered with
    ``status``; ``call`` replays it through the operation that documents it."""

    status: int
    error: type[PartnerCenterError]
    code: str | None
    rules: ErrorRules | None = None
    call: Callable[[PartnerCenterClient], Awaitable[object]] | None = None


@dataclass(frozen=True)
class Head:
    """A transcribed body-less answer of the domain check."""

    available: bool


def _mpa(client: PartnerCenterClient) -> Awaitable[object]:
    return client.get_mpa_status(mpn_id="123456")


def _license_update(client: PartnerCenterClient) -> Awaitable[object]:
    return client.update_user_licenses("customer", "user", LicenseUpdate())


def _mpn_profile(client: PartnerCenterClient) -> Awaitable[object]:
    return client.get_partner_profile_by_mpn_id("9999999")


Page = ResourceCollection
WEBHOOK_EVENTS = [
    "azure-fraud-event-detected",
    "dap-admin-relationship-approved",
    "dap-admin-relationship-terminated",
    "granular-admin-access-assignment-activated",
    "granular-admin-access-assignment-created",
    "granular-admin-access-assignment-deleted",
    "granular-admin-access-assignment-updated",
    "granular-admin-relationship-activated",
    "granular-admin-relationship-approved",
    "granular-admin-relationship-terminated",
    "invoice-ready",
    "referral-created",
    "referral-updated",
    "related-referral-created",
    "related-referral-updated",
    "reseller-relationship-accepted-by-customer",
    "subscription-updated",
    "test-created",
    "usagerecords-thresholdExceeded",
]

SAMPLES: dict[str, Parses | Fails | Head] = {
    "address-validation-request-StreetPartial.json": Parses(Address, "any"),
    "address-validation-request-VerifiedShippable.json": Parses(Address, "any"),
    "address-validation-response-StreetPartial.json": Parses(AddressValidationResult),
    "address-validation-response-VerifiedShippable.json": Parses(AddressValidationResult),
    "agreement-metadata-mca.json": Parses(Page[AgreementMetadata]),
    "agreement-metadata.json": Parses(Page[AgreementMetadata]),
    "cart-create-request-nce.json": Parses(Cart, "any"),
    "cart-create-response-nce.json": Parses(Cart),
    "cart-create-response.json": Parses(Cart),
    "create-agreement-request.json": Parses(Agreement),
    "create-agreement-response.json": Parses(Agreement),
    "create-customer-indirect-reseller-request.json": Parses(Customer, "any"),
    "create-customer-indirect-reseller-response.json": Parses(Customer),
    "create-customer-request.json": Parses(Customer, "any"),
    "create-customer-response.json": Parses(Customer),
    "create-order-request.json": Parses(Order, "any"),
    "create-order-response.json": Parses(Order),
    "customer-agreements.json": Parses(Page[Agreement]),
    "customer-billing-profile.json": Parses(BillingProfile),
    "customer-company-profile.json": Parses(CompanyProfile),
    "customer-custom-domains.json": Parses(list[str]),
    "customer-organization.json": Parses(list[CustomerOrganization]),
    "customer-subscriptions-software.json": Parses(Page[Subscription]),
    "customer-subscriptions.json": Parses(Page[Subscription]),
    "customer-user.json": Parses(CustomerUser),
    "customer-users.json": Parses(CustomerUserPage),
    "customers-of-indirect-reseller.json": Parses(CustomerPage),
    "customers-page.json": Parses(CustomerPage),
    "customers-search-by-name.json": Parses(CustomerPage),
    "direct-signed-status.json": Parses(DirectSignedStatus),
    "domain-availability-available.json": Head(available=True),
    "domain-availability-taken.json": Head(available=False),
    "error-403-900309-conditional-access.json": Fails(403, AccessBlocked, "900309"),
    "error-429-throttled.json": Fails(429, Throttled, None),
    "error-license-update-400-2.json": Fails(
        400, TokenKindNotAllowed, "900316", call=_license_update
    ),
    "error-license-update-60012.json": Fails(400, LicensesExhausted, "60012", call=_license_update),
    "error-mpa-status-2000-both-passed.json": Fails(
        400, InvalidPartnerIdentifier, "2000", MPA_STATUS_RULES, _mpa
    ),
    "error-mpa-status-2000-mpn-not-numeric.json": Fails(
        400, InvalidPartnerIdentifier, "2000", MPA_STATUS_RULES, _mpa
    ),
    "error-mpa-status-2000-tenant-not-guid.json": Fails(
        400, InvalidPartnerIdentifier, "2000", MPA_STATUS_RULES, _mpa
    ),
    "error-mpa-status-2001-both-empty.json": Fails(
        400, InvalidPartnerIdentifier, "2001", MPA_STATUS_RULES, _mpa
    ),
    "error-mpa-status-2200-mpn-invalid.json": Fails(
        400, MpnInvalid, "2200", MPA_STATUS_RULES, _mpa
    ),
    "error-mpa-status-2203-mpa-not-signed.json": Fails(
        400, MpaNotSigned, "2203", MPA_STATUS_RULES, _mpa
    ),
    "error-mpa-status-2204-not-csp-reseller.json": Fails(
        400, NotIndirectReseller, "2204", MPA_STATUS_RULES, _mpa
    ),
    "error-mpn-profile-not-found.json": Fails(
        404, MpnNotFound, "3000", MPN_PROFILE_RULES, _mpn_profile
    ),
    "gdap-access-assignment-request.json": Parses(DelegatedAdminAccessAssignment),
    "gdap-access-assignment-response.json": Parses(DelegatedAdminAccessAssignment),
    "gdap-create-relationship-request.json": Parses(DelegatedAdminRelationship),
    "gdap-create-relationship-response.json": Parses(DelegatedAdminRelationship),
    "gdap-lock-for-approval-request.json": Parses(DelegatedAdminRelationshipRequest),
    "gdap-lock-for-approval-response.json": Parses(DelegatedAdminRelationshipRequest),
    "get-customer.json": Parses(Customer),
    "get-order.json": Parses(Order),
    "get-subscription-addon.json": Parses(Subscription),
    "get-subscription-azure.json": Parses(Subscription),
    "get-subscription-nce.json": Parses(Subscription),
    "indirect-resellers-of-customer.json": Parses(Page[PartnerRelationship]),
    "indirect-resellers.json": Parses(Page[PartnerRelationship]),
    "license-update-request.json": Parses(LicenseUpdate, "any"),
    "license-update-response.json": Parses(LicenseUpdate),
    "mpa-agreement-status.json": Parses(MpaStatus),
    "mpn-profile.json": Parses(MpnProfile),
    "order-provisioning-status.json": Parses(Page[OrderLineItemProvisioningStatus]),
    "own-mpn-profile.json": Parses(MpnProfile),
    # Invoices are not read by the product; the sample is the only documented seek page, so its
    # envelope is checked with the line items kept as plain JSON objects.
    "paged-collection-with-continuation-invoice-lineitems.json": Parses(
        SeekResourceCollection[dict[str, Any]]
    ),
    "product-by-id.json": Parses(Product),
    "product-nce.json": Parses(Product),
    "relationship-request.json": Parses(RelationshipRequest),
    "remove-reseller-relationship-request.json": Parses(Customer),
    # Documented in PascalCase; the service answers camelCase like every other response.
    "remove-reseller-relationship-response.json": Parses(Customer, "any"),
    "sku-by-id.json": Parses(Sku),
    "subscribed-skus.json": Parses(Page[SubscribedSku]),
    "subscriptions-by-order.json": Parses(Page[Subscription]),
    "transition-eligibilities-nce.json": Parses(Page[TransitionEligibility]),
    "transition-request-nce.json": Parses(Transition),
    # The sample spells one property "Events" amid camelCase ones.
    "transition-response-nce.json": Parses(Transition, "any"),
    "trial-conversion-request.json": Parses(Conversion, "any"),
    "trial-conversion-response.json": Parses(ConversionResult),
    "trial-conversions.json": Parses(Page[Conversion]),
    "update-billing-profile-request.json": Parses(BillingProfile, "any"),
    "update-billing-profile-response.json": Parses(BillingProfile),
    "user-licenses.json": Parses(Page[License]),
    "webhook-callback-test-created.json": Parses(WebhookEvent),
    **{f"webhook-event-{name}.json": Parses(WebhookEvent) for name in WEBHOOK_EVENTS},
    "webhook-events-list.json": Parses(list[str]),
    "webhook-registration-get.json": Parses(WebhookRegistration),
    "webhook-registration-request.json": Parses(WebhookRegistration),
    "webhook-registration-response.json": Parses(WebhookRegistration),
    "webhook-validation-event-response.json": Parses(ValidationEvent),
    "webhook-validation-event-status.json": Parses(ValidationEventStatus),
}


def _cases(kind: type[Parses | Fails | Head]) -> list[Any]:
    return [
        pytest.param(name, case, id=name) for name, case in SAMPLES.items() if type(case) is kind
    ]


def test_every_sample_is_in_the_table() -> None:
    on_disk = {path.name for path in SAMPLES_DIR.glob("*.json")}
    assert on_disk, f"no samples found in {SAMPLES_DIR}"
    assert on_disk - SAMPLES.keys() == set(), "samples without a model"
    assert SAMPLES.keys() - on_disk == set(), "table names samples that do not exist"


def assert_same(original: Any, dumped: Any, path: str, *, any_case: bool) -> None:
    """``dumped`` says what ``original`` says: same properties (names compared exactly unless
    ``any_case``), equal values, timestamps and decimals compared by value."""
    if isinstance(original, dict):
        assert isinstance(dumped, dict), path

        def fold(data: dict[str, Any]) -> dict[str, Any]:
            return {(key.lower() if any_case else key): value for key, value in data.items()}

        left, right = fold(original), fold(dumped)
        assert left.keys() == right.keys(), (
            f"{path}: lost {sorted(left.keys() - right.keys())}, "
            f"added {sorted(right.keys() - left.keys())}"
        )
        for key, value in left.items():
            assert_same(value, right[key], f"{path}.{key}", any_case=any_case)
    elif isinstance(original, list):
        assert isinstance(dumped, list), path
        assert len(original) == len(dumped), path
        for index, (left_item, right_item) in enumerate(zip(original, dumped, strict=True)):
            assert_same(left_item, right_item, f"{path}[{index}]", any_case=any_case)
    elif isinstance(dumped, datetime):
        assert lenient_datetime(original) == dumped, path
    elif isinstance(dumped, Decimal):
        assert Decimal(str(original)) == dumped, path
    elif dumped is None and original == "":
        pass  # an empty timestamp reads as "no timestamp"
    else:
        assert (type(original), original) == (type(dumped), dumped), path


@pytest.mark.parametrize(("name", "case"), _cases(Parses))
def test_sample_parses_and_round_trips(name: str, case: Parses) -> None:
    original = load_sample(name)
    adapter: TypeAdapter[Any] = TypeAdapter(case.model)

    parsed = adapter.validate_python(original)
    dumped = adapter.dump_python(parsed, by_alias=True, exclude_unset=True)
    assert_same(original, dumped, "$", any_case=case.casing == "any")

    # What we send is what we read back.
    assert adapter.validate_json(adapter.dump_json(parsed, by_alias=True)) == parsed


@pytest.mark.parametrize(("name", "case"), _cases(Fails))
def test_error_sample_maps_to_typed_error(name: str, case: Fails) -> None:
    body = load_sample(name)
    error = error_from_response(
        case.status,
        (SAMPLES_DIR / name).read_bytes(),
        headers={"Retry-After": "57"} if case.status == 429 else {},
        rules=case.rules,
        request_id="request-1",
    )
    assert type(error) is case.error
    assert error.status == case.status
    assert error.code == case.code
    assert error.description == body.get("description", body.get("message"))
    assert error.data == body.get("data", [])
    assert error.request_id == "request-1"
    if case.status == 429:
        assert error.retry_after == 57


@pytest.mark.parametrize(
    ("name", "case"), [p for p in _cases(Fails) if p.values[1].call is not None]
)
async def test_error_sample_raised_by_its_operation(
    name: str, case: Fails, service: FakeService, make_client: ClientFactory
) -> None:
    assert case.call is not None
    service.script(reply(case.status, load_sample(name)))
    with pytest.raises(case.error) as raised:
        await case.call(make_client())
    assert raised.value.code == case.code
    assert len(service.requests) == 1, "business errors are not retried"


@pytest.mark.parametrize(("name", "case"), _cases(Head))
async def test_domain_availability_transcriptions(
    name: str, case: Head, service: FakeService, make_client: ClientFactory
) -> None:
    transcript = load_sample(name)
    service.script(httpx.Response(transcript["status"], headers=transcript["headers"]))

    available = await make_client().is_domain_available("contoso.onmicrosoft.com")

    assert available is case.available
    [request] = service.requests
    assert request.method == "HEAD"
    assert request.url.path == "/v1/domains/contoso.onmicrosoft.com"


def test_invoice_page_exposes_its_continuation_token() -> None:
    page = SeekResourceCollection[dict[str, Any]].model_validate(
        load_sample("paged-collection-with-continuation-invoice-lineitems.json")
    )
    assert page.next_continuation_token() == page.continuation_token
    assert page.continuation_token is not None
    assert page.continuation_token.startswith("d19617b8-")


def test_numeric_and_string_error_codes_read_alike() -> None:
    as_number = error_from_response(403, b'{"code": 20002, "description": "x"}')
    as_string = error_from_response(403, b'{"code": "20002", "description": "x"}')
    assert type(as_number) is type(as_string)
    assert as_number.code == as_string.code == "20002"
