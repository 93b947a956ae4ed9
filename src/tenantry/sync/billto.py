"""Bill-to flows one way, Partner Center -> Tenantry.

Editing an organization's address or contact in Tenantry never writes to Microsoft. The sync
keeps Partner Center's billing profile (``PartnerCenterAccount.billing_profile``) next to the
organization; :func:`differences` compares the two field by field, and :func:`take` copies the
values staff choose from Partner Center onto the organization. :func:`missing_bill_to` says what
an order to the customer would miss in Partner Center's bill-to (the sync stores it as
``billing_missing``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import diff, record
from tenantry.errors import Conflict, FieldError, PreconditionFailed, ValidationFailed
from tenantry.models import Organization, PartnerCenterAccount, SyncChange, utcnow
from tenantry.organizations import repository, rules
from tenantry.organizations.service import snapshot
from tenantry.security import Actor, Permission, require

Profile = Mapping[str, Any]


def _text(value: Any) -> str | None:
    """A profile's value as text: fields it lacks, nulls and blanks are all None."""
    if value is None or isinstance(value, dict | list):
        return None
    cleaned = " ".join(str(value).split())
    return cleaned or None


def _address(profile: Profile) -> Mapping[str, Any]:
    address = profile.get("defaultAddress")
    return address if isinstance(address, Mapping) else {}


def _person(profile: Profile, key: str) -> str | None:
    # The profile's own first and last name; older profiles carry them in the address only.
    return _text(profile.get(key)) or _text(_address(profile).get(key))


def _name(profile: Profile) -> str | None:
    parts = [_person(profile, "firstName"), _person(profile, "lastName")]
    return " ".join(p for p in parts if p) or None


def _country(profile: Profile) -> str | None:
    country = _text(_address(profile).get("country"))
    return country.upper() if country else None


def _in_address(key: str, fallback: str | None = None) -> Callable[[Profile], str | None]:
    def read(profile: Profile) -> str | None:
        address = _address(profile)
        return _text(address.get(key)) or (_text(address.get(fallback)) if fallback else None)

    return read


@dataclass(frozen=True)
class BillToField:
    """One field of the bill-to: its name in the API (the organization's field path), its label,
    the organization's column and how it is read from Partner Center's billing profile."""

    name: str
    label: str
    column: str
    read: Callable[[Profile], str | None]
    max_length: int
    required: bool = True  # the organization's column cannot be empty


FIELDS: tuple[BillToField, ...] = (
    BillToField("legal_name", "Legal name (company name)", "legal_name",
                lambda p: _text(p.get("companyName")), 200),
    BillToField("address.line1", "Address line 1", "address_line1",
                _in_address("addressLine1"), 200),
    BillToField("address.line2", "Address line 2", "address_line2",
                _in_address("addressLine2"), 200, required=False),
    BillToField("address.city", "City", "address_city", _in_address("city"), 100),
    BillToField("address.region", "State or province", "address_region",
                _in_address("state", "region"), 100, required=False),
    BillToField("address.postal_code", "Postal code", "address_postal_code",
                _in_address("postalCode"), 20, required=False),
    BillToField("address.country", "Country", "address_country", _country, 2),
    BillToField("primary_contact.name", "Contact name", "contact_name", _name, 200),
    BillToField("primary_contact.email", "Contact email", "contact_email",
                lambda p: _text(p.get("email")), 254),
    BillToField("primary_contact.phone", "Contact phone", "contact_phone",
                _in_address("phoneNumber"), 20, required=False),
)  # fmt: skip
BY_NAME = {f.name: f for f in FIELDS}
FIELD_NAMES = tuple(BY_NAME)

# What an order needs in Partner Center's bill-to, by Partner Center's own field names, and
# how the pages name them.
MISSING_LABELS = {
    "companyName": "company name",
    "email": "email",
    "firstName": "first name",
    "lastName": "last name",
    "defaultAddress.addressLine1": "address line 1",
    "defaultAddress.city": "city",
    "defaultAddress.state": "state or province",
    "defaultAddress.postalCode": "postal code",
    "defaultAddress.country": "country",
    "defaultAddress.phoneNumber": "phone number",
}


def missing_bill_to(profile: Profile) -> list[str]:
    """What an order to this customer would miss in Partner Center's bill-to (empty: complete).

    Partner Center's field names, in a fixed order: the company name, email, first and last
    name, address line 1, city and country always; the state or province, postal code and phone
    number where the country needs them (the country rules of ``organizations.rules``, and
    Microsoft's list of countries that need a phone number). Without a country, the postal code
    counts as needed.
    """
    address = _address(profile)
    country = _country(profile)
    needed: list[tuple[str, str | None]] = [
        ("companyName", _text(profile.get("companyName"))),
        ("email", _text(profile.get("email"))),
        ("firstName", _person(profile, "firstName")),
        ("lastName", _person(profile, "lastName")),
        ("defaultAddress.addressLine1", _text(address.get("addressLine1"))),
        ("defaultAddress.city", _text(address.get("city"))),
    ]
    if country in rules.REGION_REQUIRED:
        needed.append(("defaultAddress.state", _text(address.get("state"))))
    if country not in rules.NO_POSTAL_CODE:
        needed.append(("defaultAddress.postalCode", _text(address.get("postalCode"))))
    needed.append(("defaultAddress.country", country))
    if country in rules.PHONE_REQUIRED:
        needed.append(("defaultAddress.phoneNumber", _text(address.get("phoneNumber"))))
    return [name for name, value in needed if not value]


def missing_of(account: PartnerCenterAccount) -> list[str]:
    """What the account's bill-to lacks: worked out from the profile read, else as stored."""
    if account.billing_profile is None:
        return list(account.billing_missing or [])
    return missing_bill_to(account.billing_profile)


def missing_labels(missing: Iterable[str]) -> list[str]:
    return [MISSING_LABELS.get(name, name) for name in missing]


def _phone(value: str, country: str) -> str:
    normalized, _ = rules.normalize_phone("phone", value, country)
    return normalized or re.sub(r"[^\d+]", "", value)


def _comparable(field: BillToField, value: str | None, country: str) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    if field.name in ("primary_contact.email", "address.country"):
        return value.casefold()
    if field.name == "address.postal_code":
        return value.replace(" ", "").casefold()
    if field.name == "primary_contact.phone":
        return _phone(value, country)
    return value


@dataclass(frozen=True)
class Difference:
    field: str
    label: str
    tenantry: str | None
    partner_center: str | None


def differences(organization: Organization, profile: Profile) -> list[Difference]:
    """The bill-to fields where the organization and Partner Center's billing profile differ,
    in the order of :data:`FIELDS`. Spacing, the case of email and country, the spacing of
    postal codes and the way a phone number is written are not differences."""
    country = organization.address_country
    found = []
    for field in FIELDS:
        ours = _text(getattr(organization, field.column))
        theirs = field.read(profile)
        if _comparable(field, ours, country) != _comparable(field, theirs, country):
            found.append(Difference(field.name, field.label, ours, theirs))
    return found


async def account_of(
    session: AsyncSession, organization: Organization
) -> PartnerCenterAccount | None:
    """The Partner Center account that holds the organization's tenant (one still listed first)."""
    query = (
        select(PartnerCenterAccount)
        .where(
            PartnerCenterAccount.platform_id == organization.platform_id,
            PartnerCenterAccount.organization_id == organization.id,
        )
        .order_by(
            PartnerCenterAccount.gone_at.is_not(None), PartnerCenterAccount.last_seen_at.desc()
        )
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


def _value_to_take(
    field: BillToField, value: str | None, country: str
) -> tuple[Any, FieldError | None]:
    """Partner Center's value as the organization's column holds it, or why it cannot."""
    if value is None:
        if field.required:
            return None, FieldError(field.name, "bill_to_empty",
                                    "Partner Center's bill-to has no value here to take")  # fmt: skip
        return None, None
    if field.name == "address.country":
        return value, rules.country_error(field.name, value)
    if field.name == "primary_contact.phone":
        normalized, error = rules.normalize_phone(field.name, value, country)
        return normalized, error
    if len(value) > field.max_length:
        return None, FieldError(field.name, "too_long",
                                f"Partner Center's value is longer than {field.max_length} "
                                "characters")  # fmt: skip
    return value, None


async def take(
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    fields: Iterable[str],
    *,
    if_match: str | None,
) -> tuple[Organization, list[str]]:
    """Copy Partner Center's values of ``fields`` onto the organization, in the caller's
    transaction, audited (``organization.bill_to_taken``) and noted as a sync change
    (``bill_to_taken``). Fields that do not differ are left alone; returns the organization and
    the fields taken. Refused (422) as a whole when a value cannot be stored, naming the field."""
    require(actor, Permission.SYNC_RUN)
    organization = await repository.get_for_update(session, actor, organization_id)
    if if_match is not None and if_match.strip().removeprefix("W/") != organization.etag:
        raise PreconditionFailed(
            f"the organization is at version {organization.version}, not {if_match}; "
            "reload it and choose again"
        )
    account = await account_of(session, organization)
    if account is None or account.billing_profile is None:
        raise Conflict(
            f"{organization.display_name} has no bill-to read from Partner Center yet: "
            "its tenant is not linked to a Partner Center customer, or no sync has read it"
        )
    profile = account.billing_profile
    wanted = set(fields)
    chosen = [d for d in differences(organization, profile) if d.field in wanted]
    if not chosen:
        return organization, []
    country = next((d.partner_center for d in chosen if d.field == "address.country"), None)
    country = (country or organization.address_country).upper()
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for difference in chosen:
        field = BY_NAME[difference.field]
        value, error = _value_to_take(field, difference.partner_center, country)
        if error is not None:
            errors.append(error)
        values[field.column] = value
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(organization)
    for column, value in values.items():
        setattr(organization, column, value)
    organization.updated_at = utcnow()
    await session.flush()
    taken = [d.field for d in chosen]
    await record(
        session, actor, action="organization.bill_to_taken", target_type="organization",
        target_id=organization.id, organization_id=organization.id,
        changes=diff(before, snapshot(organization)) | {"fields": taken},
    )  # fmt: skip
    change = SyncChange(
        run_id=None, organization_id=organization.id, action="bill_to_taken",
        changes={d.field: [d.tenantry, values[BY_NAME[d.field].column]] for d in chosen},
        occurred_at=utcnow(),
    )  # fmt: skip
    session.add(change)
    await session.flush()
    return organization, taken
