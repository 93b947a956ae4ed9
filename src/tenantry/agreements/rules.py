"""What an acceptance must say before it is sent to Partner Center or kept as evidence.

The date of acceptance is a calendar date. It may not be in the future where the customer is nor
in UTC (Partner Center takes ``dateAgreed`` in UTC and refuses a future one): a customer in
Auckland accepting on the morning of the 7th still has the 6th in UTC, so the 7th is refused
until UTC reaches it, and a customer in Los Angeles on the evening of the 6th cannot be given
the 7th although UTC has it. "Where the customer is" is every time zone of the organization's
country (the IANA zone table), the westernmost deciding. Nor may it be before the agreement
existed: Microsoft published the Microsoft Customer Agreement in 2018, so no acceptance of it
predates that year.
"""

from __future__ import annotations

import functools
import importlib.resources
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

from tenantry.errors import FieldError, ValidationFailed
from tenantry.organizations.rules import normalize_phone

MICROSOFT_CUSTOMER_AGREEMENT_FIRST_DAY = date(2018, 1, 1)
NAME_MAX = 50  # Partner Center's limit for the contact's first and last name


@dataclass(frozen=True)
class AcceptingPerson:
    """The person who accepted, as it will be attested: checked and normalised."""

    first_name: str
    last_name: str
    email: str
    phone: str | None  # E.164


@functools.cache
def country_time_zones(country: str) -> tuple[str, ...]:
    """The IANA time zones of an ISO 3166 country (empty when the table knows none)."""
    table = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab")
    zones = []
    for line in table.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _coordinates, zone, *_ = line.split("\t")
        if code == country.upper():
            zones.append(zone)
    return tuple(zones)


def latest_acceptable_date(country: str, now: datetime | None = None) -> date:
    """The last calendar date that is not in the future in UTC nor anywhere in the country."""
    now = now or datetime.now(UTC)
    todays = [now.astimezone(UTC).date()]
    todays += [now.astimezone(ZoneInfo(zone)).date() for zone in country_time_zones(country)]
    return min(todays)


def date_agreed_error(
    value: date | None, country: str, *, field: str = "date_agreed", now: datetime | None = None
) -> FieldError | None:
    if value is None:
        return FieldError(field, "required", "give the date the customer accepted the agreement")
    latest = latest_acceptable_date(country, now)
    if value > latest:
        return FieldError(
            field,
            "date_in_future",
            f"{value.isoformat()} is in the future (the latest date possible now is "
            f"{latest.isoformat()}, in UTC and in the customer's time zone)",
        )
    if value < MICROSOFT_CUSTOMER_AGREEMENT_FIRST_DAY:
        return FieldError(
            field,
            "date_before_agreement",
            f"{value.isoformat()} is before the Microsoft Customer Agreement existed "
            f"(first possible date {MICROSOFT_CUSTOMER_AGREEMENT_FIRST_DAY.isoformat()})",
        )
    return None


def _name_error(field: str, label: str, value: str) -> FieldError | None:
    if not value:
        return FieldError(field, "required", f"give the {label}")
    if len(value) > NAME_MAX:
        return FieldError(field, "max_length", f"the {label} is at most {NAME_MAX} characters")
    categories = {unicodedata.category(ch)[0] for ch in value}
    if "L" not in categories or categories & {"N", "C", "S"} or "@" in value:
        return FieldError(
            field,
            "person_name",
            f"'{value}' is not a person's {label}: letters, spaces, hyphens and apostrophes only",
        )
    return None


def accepting_person(
    *, first_name: str | None, last_name: str | None, email: str | None, phone: str | None,
    country: str, prefix: str = "",
) -> tuple[AcceptingPerson | None, list[FieldError]]:  # fmt: skip
    """Check the person's details; national phone numbers are read in ``country``."""
    first = " ".join((first_name or "").split())
    last = " ".join((last_name or "").split())
    errors = [
        e
        for e in (
            _name_error(prefix + "first_name", "first name", first),
            _name_error(prefix + "last_name", "last name", last),
        )
        if e
    ]
    normalized_email = ""
    if not (email or "").strip():
        errors.append(FieldError(prefix + "email", "required", "give the person's email address"))
    else:
        try:
            normalized_email = validate_email(
                (email or "").strip(), check_deliverability=False
            ).normalized
        except EmailNotValidError as exc:
            errors.append(FieldError(prefix + "email", "email", f"'{email}' is not valid: {exc}"))
    e164: str | None = None
    if (phone or "").strip():
        e164, phone_error = normalize_phone(prefix + "phone", (phone or "").strip(), country)
        if phone_error:
            errors.append(phone_error)
    if errors:
        return None, errors
    return AcceptingPerson(first, last, normalized_email, e164), []


def checked_acceptance(
    *, first_name: str | None, last_name: str | None, email: str | None, phone: str | None,
    date_agreed: date | None, country: str, now: datetime | None = None,
) -> tuple[AcceptingPerson, datetime]:  # fmt: skip
    """The person and the moment of acceptance (midnight UTC of the date), or 422 naming every
    field that breaks a rule."""
    person, errors = accepting_person(
        first_name=first_name, last_name=last_name, email=email, phone=phone, country=country
    )
    if date_problem := date_agreed_error(date_agreed, country, now=now):
        errors.append(date_problem)
    if errors or person is None or date_agreed is None:
        raise ValidationFailed(errors)
    return person, datetime.combine(date_agreed, time(0, 0), tzinfo=UTC)
