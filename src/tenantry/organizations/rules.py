"""Field rules that depend on the country: addresses, VAT and registration numbers, phones.

Each check returns :class:`FieldError` values rather than raising, so a form can show every problem
at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import idna
import phonenumbers
import pycountry
from stdnum import get_cc_module
from stdnum.exceptions import ValidationError as StdnumError

from tenantry.errors import FieldError

# Countries whose addresses need a state or province (as Microsoft's address validation does).
REGION_REQUIRED = frozenset({"US", "CA", "AU", "BR", "MX", "IN", "JP", "CN", "AR", "MY"})
# Countries without postal codes; everywhere else a postal code is required.
NO_POSTAL_CODE = frozenset(
    {"AE", "AG", "AO", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CG", "CI", "CM", "DJ",
     "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GY", "HK", "JM", "KI", "KM", "KN", "LY", "ML",
     "MO", "MR", "MW", "NR", "QA", "RW", "SB", "SC", "SL", "SR", "SY", "TD", "TG", "TK", "TL",
     "TO", "TV", "UG", "VU", "YE", "ZW"}
)  # fmt: skip
# Countries where Microsoft requires a phone number in a customer's address (Partner Center
# error 600051 when creating a customer).
PHONE_REQUIRED = frozenset(
    {"AM", "AZ", "BY", "HU", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA", "IN", "BR", "ZA", "PL",
     "AE", "SA", "TR", "TH", "VN", "MM", "IQ", "SS", "VE"}
)  # fmt: skip
POSTAL_CODE_PATTERNS: dict[str, str] = {
    "US": r"\d{5}(-\d{4})?",
    "CA": r"[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d",
    "GB": r"[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "NL": r"\d{4} ?[A-Za-z]{2}",
    "DK": r"\d{4}",
    "SE": r"\d{3} ?\d{2}",
    "NO": r"\d{4}",
    "ES": r"\d{5}",
    "IT": r"\d{5}",
    "AU": r"\d{4}",
}
# Registration-number formats python-stdnum knows, by country (module name in stdnum.<cc>).
REGISTRATION_MODULES: dict[str, str] = {
    "DK": "cvr",
    "NO": "orgnr",
    "SE": "orgnr",
    "FI": "ytunnus",
    "EE": "registrikood",
    "BE": "vat",
    "NL": "btw",
    "PL": "regon",
    "IS": "kennitala",
    "CH": "uid",
    "AU": "abn",
    "NZ": "ird",
}
EU_COUNTRIES = frozenset(
    {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
     "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
)  # fmt: skip
DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MPN_PATTERN = re.compile(r"^\d{6,10}$")


def country_error(field: str, country: str) -> FieldError | None:
    if pycountry.countries.get(alpha_2=country.upper()) is None:
        return FieldError(field, "iso3166_alpha2", f"'{country}' is not an ISO 3166 country code")
    return None


def address_errors(
    prefix: str, country: str, region: str | None, postal: str | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    cc = country.upper()
    if country_error(f"{prefix}.country", cc):
        return [country_error(f"{prefix}.country", cc)]  # type: ignore[list-item]
    if cc in REGION_REQUIRED and not region:
        errors.append(
            FieldError(
                f"{prefix}.region",
                "required_for_country",
                f"a state or province is required in {cc}",
            )
        )
    if region and cc in REGION_REQUIRED:
        subdivisions = pycountry.subdivisions.get(country_code=cc) or []  # type: ignore[no-untyped-call]
        codes = {s.code.split("-", 1)[1] for s in subdivisions}
        names = {s.name.lower() for s in subdivisions}
        if codes and region.upper() not in codes and region.lower() not in names:
            errors.append(
                FieldError(
                    f"{prefix}.region",
                    "subdivision",
                    f"'{region}' is not a state or province of {cc}",
                )
            )
    if cc not in NO_POSTAL_CODE and not postal:
        errors.append(
            FieldError(
                f"{prefix}.postal_code",
                "required_for_country",
                f"a postal code is required in {cc}",
            )
        )
    pattern = POSTAL_CODE_PATTERNS.get(cc)
    if postal and pattern and not re.fullmatch(pattern, postal.strip()):
        errors.append(
            FieldError(
                f"{prefix}.postal_code",
                "postal_code_format",
                f"'{postal}' is not a postal code of {cc}",
            )
        )
    return errors


def _stdnum_module(country: str, name: str) -> object | None:
    try:
        return get_cc_module(country.lower(), name)
    except (ImportError, AttributeError):
        return None


def vat_error(field: str, vat_id: str, country: str) -> FieldError | None:
    """VAT IDs are checked with python-stdnum where it knows the country's format."""
    cc = country.upper()
    module = _stdnum_module("eu", "vat") if cc in EU_COUNTRIES else _stdnum_module(cc, "vat")
    if module is None:
        return None
    number = vat_id if cc not in EU_COUNTRIES or vat_id[:2].isalpha() else f"{cc}{vat_id}"
    if cc == "GR" and number[:2].upper() == "GR":
        number = "EL" + number[2:]
    try:
        module.validate(number)  # type: ignore[attr-defined]
    except StdnumError as exc:
        return FieldError(field, "vat_format", f"'{vat_id}' is not a valid VAT ID for {cc}: {exc}")
    if cc in EU_COUNTRIES and number[:2].upper() not in {cc, "EL" if cc == "GR" else cc}:
        return FieldError(field, "vat_country", f"the VAT ID must be one issued in {cc}")
    return None


def registration_error(field: str, number: str, country: str) -> FieldError | None:
    name = REGISTRATION_MODULES.get(country.upper())
    module = _stdnum_module(country, name) if name else None
    if module is None:
        return None
    try:
        module.validate(number)  # type: ignore[attr-defined]
    except StdnumError as exc:
        return FieldError(
            field, "registration_number_format", f"'{number}' is not valid in {country}: {exc}"
        )
    return None


def normalize_phone(field: str, phone: str, country: str) -> tuple[str | None, FieldError | None]:
    """Return the number in E.164; national numbers are read in the organization's country."""
    try:
        parsed = phonenumbers.parse(phone, country.upper())
    except phonenumbers.NumberParseException:
        return None, FieldError(field, "phone_e164", f"'{phone}' is not a phone number")
    if not phonenumbers.is_valid_number(parsed):
        return None, FieldError(field, "phone_e164", f"'{phone}' is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None


def currency_error(field: str, currency: str, allowed: list[str]) -> FieldError | None:
    if pycountry.currencies.get(alpha_3=currency.upper()) is None:
        return FieldError(field, "iso4217", f"'{currency}' is not an ISO 4217 currency code")
    if allowed and currency.upper() not in allowed:
        return FieldError(
            field,
            "allowed_currency",
            f"'{currency}' is not one of the platform's currencies: {', '.join(allowed)}",
        )
    return None


def domain_error(field: str, domain: str) -> FieldError | None:
    if not DOMAIN_PATTERN.match(domain.lower()):
        return FieldError(field, "domain_name", f"'{domain}' is not a domain name")
    return None


def mpn_error(field: str, mpn_id: str) -> FieldError | None:
    if not MPN_PATTERN.match(mpn_id):
        return FieldError(field, "mpn_id_format", "an MPN (Partner) ID is 6 to 10 digits")
    return None


def reseller_mpn_error(kind: object, mpn_id: object) -> FieldError | None:
    if kind == "reseller" and not mpn_id:
        return FieldError("mpn_id", "required", "a reseller needs its MPN (Partner) ID")
    return None


def country_rule_errors(
    *,
    country: str,
    region: str | None,
    postal_code: str | None,
    vat_id: str | None,
    registration_number: str | None,
    phone: str | None,
) -> tuple[list[FieldError], str | None]:
    """Every rule that depends on the organization's country, under the API's field names, and
    the phone number in E.164 (None when there is none or it is wrong)."""
    errors = address_errors("address", country, region, postal_code)
    if errors and errors[0].field == "address.country":
        return errors, None
    more: list[FieldError | None] = []
    if vat_id:
        more.append(vat_error("vat_id", vat_id, country))
    if registration_number:
        more.append(registration_error("registration_number", registration_number, country))
    normalized = None
    if phone:
        normalized, error = normalize_phone("primary_contact.phone", phone, country)
        more.append(error)
    return errors + [e for e in more if e is not None], normalized


def _given(values: Any, key: str) -> str | None:
    value = values.get(key) if isinstance(values, Mapping) else None
    return value.strip() or None if isinstance(value, str) else None


def given_country(data: Mapping[str, Any]) -> str | None:
    """The two-letter country of a request body's address, if it names one."""
    country = _given(data.get("address"), "country")
    return country.upper() if country and len(country) == 2 else None


def given_errors(data: Mapping[str, Any]) -> list[FieldError]:
    """The rules above on an organization's request body as given, for what it holds: the
    country's rules when it names a country (the stored one is not known here), the domain's."""
    errors: list[FieldError] = []
    domain = _given(data, "domain")
    if domain and (error := domain_error("domain", domain.lower())):
        errors.append(error)
    address, contact = data.get("address"), data.get("primary_contact")
    country = given_country(data)
    if country:
        found, _ = country_rule_errors(
            country=country, region=_given(address, "region"),
            postal_code=_given(address, "postal_code"), vat_id=_given(data, "vat_id"),
            registration_number=_given(data, "registration_number"),
            phone=_given(contact, "phone"),
        )  # fmt: skip
        errors.extend(found)
    return errors


def iso4217(currency: str) -> str:
    """An ISO 4217 currency code, upper-case; raises ``ValueError`` for an unknown one."""
    code = currency.strip().upper()
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"'{currency}' is not an ISO 4217 currency code")
    return code


def dns_domain(domain: str) -> str:
    """A domain name as DNS and email know it: IDNA 2008 (UTS 46 mapping), lower-case, its
    A-label (``xn--``) form, at least two labels, no wildcard. Raises ``ValueError``."""
    try:
        ascii_name = idna.encode(domain.strip(), uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(f"'{domain}' is not a domain name ({exc})") from None
    if "." not in ascii_name or "" in ascii_name.split("."):
        raise ValueError(f"'{domain}' is not a domain name (it needs a dot between labels)")
    return ascii_name
