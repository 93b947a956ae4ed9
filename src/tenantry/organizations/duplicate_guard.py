"""Staff creating an organization are warned when it looks like one the platform has already.

The matching is ``duplicates.find`` across the whole platform. What staff learn of a match
depends on their scope: an organization they may see is named (and linked on the page); one
outside their scope (another reseller's customer) only as "an organization with this domain
already exists on the platform", once per sign, without its name, id or how many there are.
They typed the value themselves, so that sentence tells them nothing about anyone else but that
the value is taken; it lets a reseller stop before it creates a second record of a company the
platform serves already, and the platform's staff (who see every match) can sort it out.

Creation then needs ``confirm_duplicate``; a confirmed creation is audited with what was shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Conflict, FieldError
from tenantry.models import Organization
from tenantry.organizations.duplicates import Candidate, Match, find
from tenantry.organizations.schemas import OrganizationCreate
from tenantry.security import Actor, organization_scope


class PossibleDuplicate(Conflict):
    code = "possible_duplicate"
    title = "The organization may exist already"


def candidate_of(data: OrganizationCreate) -> Candidate:
    return Candidate(
        country=data.address.country.upper(),
        domain=data.domain,
        registration_number=data.registration_number,
        vat_id=data.vat_id,
        tenant_id=data.tenant_id,
    )


async def _visible(session: AsyncSession, actor: Actor, matches: Sequence[Match]) -> set[uuid.UUID]:
    ids = {m.existing.id for m in matches}
    rows = await session.execute(
        select(Organization.id).where(organization_scope(actor), Organization.id.in_(ids))
    )
    return set(rows.scalars())


def _shown(matches: Sequence[Match], visible: set[uuid.UUID]) -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = []
    hidden_signs: set[str] = set()
    for match in matches:
        entry: dict[str, Any] = {"field": match.field, "value": match.value}
        if match.existing.id in visible:
            name = match.existing.display_name
            shown.append(
                entry | {
                    "organization_id": str(match.existing.id), "display_name": name,
                    "status": match.existing.status.value,
                    "message": f"the {match.sign} {match.value} belongs to {name}",
                }
            )  # fmt: skip
        elif match.field not in hidden_signs:
            hidden_signs.add(match.field)
            shown.append(
                entry | {
                    "organization_id": None, "display_name": None, "status": None,
                    "message": f"an organization with this {match.sign} already exists on the "
                    "platform",
                }
            )  # fmt: skip
    return shown


def _field_errors(shown: list[dict[str, Any]]) -> list[FieldError]:
    by_field: dict[str, list[str]] = {}
    for entry in shown:
        by_field.setdefault(entry["field"], []).append(entry["message"])
    return [
        FieldError(field, "possible_duplicate", "; ".join(messages))
        for field, messages in by_field.items()
    ]


async def check(
    session: AsyncSession,
    actor: Actor,
    candidate: Candidate,
    *,
    confirmed: bool,
    exclude: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """The matches as ``actor`` may learn of them; raises :class:`PossibleDuplicate` listing
    them unless ``confirmed``. An empty list: nothing alike on the platform."""
    matches = await find(session, actor.platform_id, candidate, exclude=exclude)
    if not matches:
        return []
    shown = _shown(matches, await _visible(session, actor, matches))
    if confirmed:
        return shown
    raise PossibleDuplicate(
        "this organization may exist already: "
        + "; ".join(entry["message"] for entry in shown)
        + '. Check the matches; to create it all the same, send "confirm_duplicate": true',
        errors=_field_errors(shown),
        matches=shown,
    )


async def record_confirmed(
    session: AsyncSession, actor: Actor, organization: Organization, shown: list[dict[str, Any]]
) -> None:
    """Audit a creation made despite the matches shown (only what the actor was shown: the
    event is readable by whoever sees the new organization)."""
    if not shown:
        return
    kept = ("field", "value", "organization_id", "display_name")
    await record(
        session, actor, action="organization.possible_duplicate_confirmed",
        target_type="organization", target_id=organization.id, organization_id=organization.id,
        changes={"after": {"matches": [{k: entry[k] for k in kept} for entry in shown]}},
    )  # fmt: skip
