"""What an attested acceptance must say: dates never in the future (in UTC nor where the
customer is) nor before the agreement existed, real names, a valid email and phone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tenantry.agreements.rules import (
    accepting_person,
    checked_acceptance,
    country_time_zones,
    date_agreed_error,
    latest_acceptable_date,
)
from tenantry.errors import ValidationFailed


def test_a_country_has_its_time_zones() -> None:
    assert country_time_zones("DK") == ("Europe/Copenhagen",)
    assert "America/Los_Angeles" in country_time_zones("us")
    assert country_time_zones("XX") == ()


def test_today_in_auckland_is_still_in_the_future_in_utc() -> None:
    evening_utc = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)  # 7 December, 09:00 in Auckland
    assert latest_acceptable_date("NZ", evening_utc) == date(2026, 12, 6)
    error = date_agreed_error(date(2026, 12, 7), "NZ", now=evening_utc)
    assert error is not None and error.rule == "date_in_future"


def test_tomorrow_in_utc_is_still_the_future_in_los_angeles() -> None:
    early_utc = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # 6 December, 19:00 in Los Angeles
    assert latest_acceptable_date("US", early_utc) == date(2026, 12, 6)
    error = date_agreed_error(date(2026, 12, 7), "US", now=early_utc)
    assert error is not None and error.rule == "date_in_future"
    assert date_agreed_error(date(2026, 12, 6), "US", now=early_utc) is None


def test_a_date_before_the_agreement_existed_is_refused() -> None:
    error = date_agreed_error(date(2017, 12, 31), "DK")
    assert error is not None and error.rule == "date_before_agreement"
    assert date_agreed_error(date(2018, 1, 1), "DK") is None


@pytest.mark.parametrize(
    ("first", "last", "rule"),
    [("", "Hansen", "required"), ("J0hn", "Hansen", "person_name"),
     ("Anna", "x" * 51, "max_length"), ("Anna", "a@b", "person_name")],
)  # fmt: skip
def test_names_are_a_person_s(first: str, last: str, rule: str) -> None:
    _, errors = accepting_person(
        first_name=first, last_name=last, email="anna@example.com", phone=None, country="DK"
    )
    assert [e.rule for e in errors] == [rule]


def test_names_in_any_script_with_hyphens_and_apostrophes_pass() -> None:
    person, errors = accepting_person(
        first_name=" Zoë-Marie ", last_name="O'Brien", email="zoe@example.com",
        phone="+45 32 12 34 56", country="DK",
    )  # fmt: skip
    assert errors == [] and person is not None
    assert (person.first_name, person.phone) == ("Zoë-Marie", "+4532123456")
    person, errors = accepting_person(
        first_name="明", last_name="李", email="li@example.com", phone=None, country="CN"
    )
    assert errors == [] and person is not None


def test_every_broken_field_is_named_at_once() -> None:
    with pytest.raises(ValidationFailed) as raised:
        checked_acceptance(
            first_name="", last_name="Hansen", email="not-an-email", phone="12",
            date_agreed=date(2999, 1, 1), country="DK",
        )  # fmt: skip
    assert [(e.field, e.rule) for e in raised.value.errors] == [
        ("first_name", "required"),
        ("email", "email"),
        ("phone", "phone_e164"),
        ("date_agreed", "date_in_future"),
    ]


def test_an_accepted_date_is_kept_as_midnight_utc() -> None:
    person, moment = checked_acceptance(
        first_name="Anna", last_name="Hansen", email="Anna@Example.com", phone=None,
        date_agreed=date(2026, 11, 30), country="DK",
    )  # fmt: skip
    assert moment == datetime(2026, 11, 30, tzinfo=UTC)
    assert person.email == "Anna@example.com"
