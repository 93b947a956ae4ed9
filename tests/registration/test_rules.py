"""The rules of registration and the catalog that need no database."""

from __future__ import annotations

import pytest

from tenantry.organizations.duplicates import compact, vat_forms
from tenantry.organizations.schemas import OrganizationCreate
from tenantry.registration.service import required_by_country
from tests.factories import organization_payload


def create(**overrides: object) -> OrganizationCreate:
    return OrganizationCreate.model_validate(organization_payload(**overrides))


@pytest.mark.parametrize(
    ("country", "missing"),
    [
        ("DK", {"registration_number", "vat_id"}),  # a known register, and the EU
        ("DE", {"vat_id"}),  # the EU, a register we do not check
        ("NO", {"registration_number"}),  # a known register outside the EU
        ("US", set()),
    ],
)
def test_what_a_country_requires_of_a_registering_company(country: str, missing: set[str]) -> None:
    data = create(
        address={"line1": "Main Street 1", "city": "Oslo", "postal_code": "0150", "country": country,
                 "region": "NY" if country == "US" else None},
        vat_id=None, registration_number=None,
    )  # fmt: skip
    found = required_by_country(data.address.country, data.registration_number, data.vat_id)
    assert {e.field for e in found} == missing


def test_registration_numbers_match_whatever_the_punctuation() -> None:
    assert compact("1358 5628") == compact("1358-5628") == compact("13585628")
    assert compact("no 923.609.016") == "NO923609016"


def test_a_vat_id_is_the_same_with_or_without_its_country_prefix() -> None:
    assert vat_forms("DK 13 58 56 28", "DK") == vat_forms("13585628", "DK") == {
        "13585628", "DK13585628"
    }  # fmt: skip
    assert "EL094259216" in vat_forms("094259216", "GR")
