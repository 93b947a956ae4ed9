"""The rules of registration and the catalog that need no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tenantry.errors import NotFound
from tenantry.orders.catalog import OFFERS, offer_by_slug
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


def test_prices_follow_the_currency_and_a_monthly_term_costs_more() -> None:
    basic = offer_by_slug("CFQ7TTC0LH18-0001")
    assert basic.unit_price("USD", "P1Y") == Decimal("6.00")
    assert basic.unit_price("USD", "P1M") == Decimal("7.20")
    assert basic.unit_price("EUR", "P1Y") == Decimal("5.64")
    assert basic.currency_for("JPY") == "USD"  # not priced in the catalog: US dollars
    assert basic.currency_for("EUR") == "EUR"


def test_every_offer_has_microsofts_product_and_sku_id_and_an_unknown_one_is_not_found() -> None:
    assert all(len(o.id.split(":")) == 2 and o.id.startswith("CFQ7TTC0") for o in OFFERS)
    assert len({o.id for o in OFFERS}) == len(OFFERS)
    with pytest.raises(NotFound):
        offer_by_slug("CFQ7TTC0LH18-9999")
