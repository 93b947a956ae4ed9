"""Does an organization being created or registered look like one the platform has already?

The signs, each looked for within the platform (every status, so a blocked or pending record is
found too):

- the same domain (case ignored);
- the same company registration number in the same country (spaces, dots, hyphens and slashes
  ignored: ``1358 5628`` is ``13585628``);
- the same VAT ID in the same country, with or without its country prefix (``DK13585628`` is
  ``13585628`` in Denmark), punctuation ignored the same way;
- the same Microsoft tenant.

This is the matching only; who is told what about a match is the caller's decision (staff see
what their scope allows, ``guard``; a registering stranger sees nothing, ``registration``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from tenantry.models import Organization

# Enough to point staff at the records; more of the same adds nothing.
MAX_MATCHES_PER_SIGN = 5
SIGN_NAMES = {
    "domain": "domain",
    "registration_number": "company registration number",
    "vat_id": "VAT ID",
    "tenant_id": "Microsoft tenant ID",
}
_PUNCTUATION = (" ", ".", "-", "/")


@dataclass(frozen=True)
class Candidate:
    """What identifies the organization being created or registered."""

    country: str
    domain: str | None = None
    registration_number: str | None = None
    vat_id: str | None = None
    tenant_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Match:
    """An existing organization that shares ``field`` (one of SIGN_NAMES) with the candidate."""

    field: str
    value: str
    existing: Organization

    @property
    def sign(self) -> str:
        return SIGN_NAMES[self.field]


def compact(number: str) -> str:
    """A registration number or VAT ID without its punctuation, in capitals."""
    return re.sub(r"[\s.\-/]", "", number).upper()


def compact_column(column: InstrumentedAttribute[str | None]) -> ColumnElement[str]:
    expression: Any = column
    for character in _PUNCTUATION:
        expression = func.replace(expression, character, "")
    return func.upper(expression)


def vat_forms(vat_id: str, country: str) -> set[str]:
    """The ways the same VAT ID is written: bare, and with the country's prefix (EL for GR)."""
    number = compact(vat_id)
    prefixes = {country, "EL" if country == "GR" else country}
    bare = number[2:] if number[:2] in prefixes else number
    return {bare} | {prefix + bare for prefix in prefixes}


def _conditions(candidate: Candidate) -> list[tuple[str, str, ColumnElement[bool]]]:
    country = candidate.country.upper()
    found: list[tuple[str, str, ColumnElement[bool]]] = []
    if candidate.domain:
        domain = candidate.domain.lower()
        found.append(("domain", domain, func.lower(Organization.domain) == domain))
    same_country = Organization.address_country == country
    if candidate.registration_number and (number := compact(candidate.registration_number)):
        same_number = compact_column(Organization.registration_number) == number
        found.append(
            ("registration_number", candidate.registration_number, same_country & same_number)
        )
    if candidate.vat_id and compact(candidate.vat_id):
        forms = vat_forms(candidate.vat_id, country)
        same_vat = compact_column(Organization.vat_id).in_(sorted(forms))
        found.append(("vat_id", candidate.vat_id, same_country & same_vat))
    if candidate.tenant_id is not None:
        same_tenant = Organization.tenant_id == candidate.tenant_id
        found.append(("tenant_id", str(candidate.tenant_id), same_tenant))
    return found


async def find(
    session: AsyncSession,
    platform_id: uuid.UUID,
    candidate: Candidate,
    *,
    exclude: uuid.UUID | None = None,
) -> Sequence[Match]:
    """Every sign the candidate shares with organizations of the platform (``exclude``: the
    organization itself, when it is being edited), a few organizations per sign."""
    matches: list[Match] = []
    for field, value, condition in _conditions(candidate):
        query = (
            select(Organization)
            .where(Organization.platform_id == platform_id, condition)
            .order_by(Organization.created_at, Organization.id)
            .limit(MAX_MATCHES_PER_SIGN)
        )
        if exclude is not None:
            query = query.where(Organization.id != exclude)
        for existing in (await session.execute(query)).scalars():
            matches.append(Match(field, value, existing))
    return matches
