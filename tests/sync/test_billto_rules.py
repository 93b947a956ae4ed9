"""Bill-to field by field: what counts as a difference, and what an order would miss."""

from __future__ import annotations

import uuid
from typing import Any, get_args

import pytest

from tenantry.models import Organization, OrganizationKind, OrganizationStatus
from tenantry.sync import billto
from tenantry.sync.organizations.schemas import BillToFieldName
from tests.sync.visibility import profile_of


def organization(**overrides: Any) -> Organization:
    values: dict[str, Any] = {
        "id": uuid.uuid4(), "kind": OrganizationKind.CUSTOMER, "status": OrganizationStatus.ACTIVE,
        "legal_name": "Contoso ApS", "display_name": "Contoso", "address_line1": "Nørregade 1",
        "address_line2": None, "address_city": "Copenhagen", "address_region": None,
        "address_postal_code": "1165", "address_country": "DK", "contact_name": "Ada Admin",
        "contact_email": "ada@contoso.example", "contact_phone": "+4533123456",
    }  # fmt: skip
    return Organization(**(values | overrides))


def test_the_api_names_every_field_the_comparison_knows() -> None:
    assert get_args(BillToFieldName) == billto.FIELD_NAMES


def test_the_same_bill_to_written_differently_differs_nowhere() -> None:
    ours = organization()
    profile = profile_of(ours, postalCode=" 1165 ", country="dk", phoneNumber="33 12 34 56")
    profile["email"] = "ADA@Contoso.Example"
    profile["companyName"] = "Contoso  ApS"
    assert billto.differences(ours, profile) == []


def test_each_difference_names_the_field_and_both_values() -> None:
    ours = organization()
    profile = profile_of(ours, city="Aarhus", postalCode="8000", addressLine2="2nd floor")
    profile["firstName"], profile["lastName"] = "Bo", "Berg"
    found = {d.field: (d.tenantry, d.partner_center) for d in billto.differences(ours, profile)}
    assert found == {
        "address.line2": (None, "2nd floor"),
        "address.city": ("Copenhagen", "Aarhus"),
        "address.postal_code": ("1165", "8000"),
        "primary_contact.name": ("Ada Admin", "Bo Berg"),
    }


def test_fields_partner_center_never_sent_read_as_empty() -> None:
    ours = organization(address_line2="Floor 2")
    found = {d.field: d.partner_center for d in billto.differences(ours, {"unknown": 1})}
    assert found["address.line2"] is None and found["legal_name"] is None
    assert "address.region" not in found  # empty on both sides


def complete(**address: Any) -> dict[str, Any]:
    return profile_of(organization(), **address)


@pytest.mark.parametrize(
    ("address", "missing"),
    [
        ({}, []),
        ({"postalCode": ""}, ["defaultAddress.postalCode"]),
        ({"country": "AE", "postalCode": None}, []),  # no postal codes there
        ({"country": "US", "state": "", "postalCode": "98052"}, ["defaultAddress.state"]),
        ({"country": "IN", "state": "KA", "postalCode": "560001", "phoneNumber": ""},
         ["defaultAddress.phoneNumber"]),
        ({"addressLine1": " ", "city": None}, ["defaultAddress.addressLine1", "defaultAddress.city"]),
        ({"country": ""}, ["defaultAddress.country"]),
    ],
)  # fmt: skip
def test_what_an_order_would_miss_follows_the_country(
    address: dict[str, Any], missing: list[str]
) -> None:
    assert billto.missing_bill_to(complete(**address)) == missing


def test_an_empty_profile_misses_everything_an_order_needs() -> None:
    assert billto.missing_bill_to({}) == [
        "companyName", "email", "firstName", "lastName", "defaultAddress.addressLine1",
        "defaultAddress.city", "defaultAddress.postalCode", "defaultAddress.country",
    ]  # fmt: skip
    assert billto.missing_labels(["defaultAddress.postalCode", "email"]) == ["postal code", "email"]


def test_names_only_in_the_address_count() -> None:
    profile = complete()
    del profile["firstName"], profile["lastName"]
    assert billto.missing_bill_to(profile) == []
