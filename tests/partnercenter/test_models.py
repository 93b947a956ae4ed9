"""The models accept what Microsoft actually sends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tenantry.partnercenter.links import (
    gdap_approval_url,
    indirect_reseller_invitation_url,
    reseller_invitation_url,
)
from tenantry.partnercenter.models import (
    AddressValidationResult,
    Customer,
    GdapRelationshipStatus,
    PartnerRelationship,
    RelationshipType,
    Subscription,
    WebhookEvent,
)
from tenantry.partnercenter.models.base import lenient_datetime


@pytest.mark.parametrize(
    "value",
    [
        "is_indirect_cloud_solution_provider_of",
        "IsIndirectCloudSolutionProviderOf",
        "IS-INDIRECT-CLOUD-SOLUTION-PROVIDER-OF",
    ],
)
def test_enums_match_any_spelling(value: str) -> None:
    assert RelationshipType.parse(value) is RelationshipType.IS_INDIRECT_CLOUD_SOLUTION_PROVIDER_OF


def test_unknown_enum_values_are_kept_not_rejected() -> None:
    relationship = PartnerRelationship.model_validate(
        {"id": "r1", "relationshipType": "is_something_new", "state": "Pending"}
    )

    assert relationship.relationship_type == "is_something_new"
    assert RelationshipType.parse(relationship.relationship_type) is None
    assert (
        GdapRelationshipStatus.parse("approvalPending") is GdapRelationshipStatus.APPROVAL_PENDING
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-01-14T16:57:15.0966728Z", datetime(2021, 1, 14, 16, 57, 15, 96672, tzinfo=UTC)),
        ("2017-12-08T21:39:48", datetime(2017, 12, 8, 21, 39, 48, tzinfo=UTC)),
        ("2015-11-25T06: 41: 12Z", datetime(2015, 11, 25, 6, 41, 12, tzinfo=UTC)),
        ("", None),
        ("not a date", None),
    ],
)
def test_timestamps_are_read_leniently(text: str, expected: datetime | None) -> None:
    assert lenient_datetime(text) == expected


def test_names_match_ignoring_case_and_unknown_fields_are_dropped() -> None:
    customer = Customer.model_validate(
        {"ID": "c1", "CompanyProfile": {"DOMAIN": "x.onmicrosoft.com"}, "brandNewField": 1}
    )

    assert customer.id == "c1"
    assert customer.company_profile is not None
    assert customer.company_profile.domain == "x.onmicrosoft.com"
    assert "brandNewField" not in customer.model_dump(by_alias=True)


def test_python_names_are_accepted_too() -> None:
    subscription = Subscription(id="s1", auto_renew_enabled=True, billing_cycle="monthly")

    assert subscription.to_wire() == {
        "id": "s1",
        "autoRenewEnabled": True,
        "billingCycle": "monthly",
    }


def test_address_validation_verdict() -> None:
    assert AddressValidationResult(status="VerifiedShippable").is_verified
    assert not AddressValidationResult(status="StreetPartial").is_verified
    assert not AddressValidationResult(status="SomethingNew").is_verified


def test_webhook_event_accepts_camel_case_too() -> None:
    event = WebhookEvent.model_validate({"eventName": "test-created", "resourceUri": None})

    assert event.event_name == "test-created"
    assert event.to_wire() == {"EventName": "test-created"}


def test_invitation_links() -> None:
    assert reseller_invitation_url("3b33e682-00c3-41ee-9dd2-a548adf56438") == (
        "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship"
        "&partnerId=3b33e682-00c3-41ee-9dd2-a548adf56438&msppId=0&DAP=false"
        "#/BillingAccounts/partner-invitation"
    )
    indirect = indirect_reseller_invitation_url("reseller-tenant", "4847383", "provider-tenant")
    assert "invType=IndirectResellerRelationship" in indirect
    assert "partnerId=reseller-tenant&msppId=4847383&indirectCSPId=provider-tenant" in indirect
    assert gdap_approval_url("a-b") == (
        "https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/"
        "granularAdminRelationships/a-b"
    )
