"""Country-dependent field rules, without a database."""

from __future__ import annotations

import pytest

from tenantry.organizations import rules


def test_vat_ids_are_checked_with_the_countrys_format() -> None:
    assert rules.vat_error("vat_id", "DK13585628", "DK") is None
    assert rules.vat_error("vat_id", "13585628", "DK") is None  # the country prefix may be left out
    error = rules.vat_error("vat_id", "DK13585627", "DK")
    assert error is not None and error.rule == "vat_format"


def test_a_vat_id_from_another_country_is_refused() -> None:
    error = rules.vat_error("vat_id", "DE136695976", "DK")
    assert error is not None and error.rule == "vat_country"


def test_vat_ids_of_countries_stdnum_does_not_know_are_accepted() -> None:
    assert rules.vat_error("vat_id", "ANYTHING-123", "AQ") is None


def test_us_addresses_need_a_state_and_a_zip_code() -> None:
    errors = rules.address_errors("address", "US", None, None)
    assert {(e.field, e.rule) for e in errors} == {
        ("address.region", "required_for_country"),
        ("address.postal_code", "required_for_country"),
    }
    assert rules.address_errors("address", "US", "WA", "98052") == []
    assert [e.rule for e in rules.address_errors("address", "US", "Atlantis", "98052")] == [
        "subdivision"
    ]


def test_countries_without_postal_codes_do_not_ask_for_one() -> None:
    assert rules.address_errors("address", "AE", None, None) == []


@pytest.mark.parametrize(("postal", "ok"), [("SW1A 1AA", True), ("12345", False)])
def test_postal_code_formats(postal: str, ok: bool) -> None:
    assert (rules.address_errors("address", "GB", None, postal) == []) is ok


def test_unknown_country_codes_are_named() -> None:
    [error] = rules.address_errors("address", "XX", None, "1000")
    assert error.field == "address.country" and error.rule == "iso3166_alpha2"


def test_phones_are_stored_in_e164_and_national_numbers_read_in_the_country() -> None:
    assert rules.normalize_phone("p", "33 12 34 56", "DK") == ("+4533123456", None)
    number, error = rules.normalize_phone("p", "12", "DK")
    assert number is None and error is not None and error.rule == "phone_e164"


def test_currency_must_be_iso_and_allowed_by_the_platform() -> None:
    assert rules.currency_error("c", "EUR", ["EUR", "USD"]) is None
    assert rules.currency_error("c", "ZZZ", []).rule == "iso4217"  # type: ignore[union-attr]
    assert rules.currency_error("c", "JPY", ["EUR"]).rule == "allowed_currency"  # type: ignore[union-attr]


def test_registration_numbers_are_checked_where_the_format_is_known() -> None:
    assert rules.registration_error("r", "13585628", "DK") is None
    assert rules.registration_error("r", "13585627", "DK") is not None
    assert rules.registration_error("r", "whatever", "US") is None
