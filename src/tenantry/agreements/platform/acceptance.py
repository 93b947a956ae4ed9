"""Which of the platform's agreements an organization must accept, and accepting them.

Every customer accepts the platform's terms of business: when it registers (a box on the form),
or, when it came about otherwise (made by staff, found by the sync) or a new version applies
since, before its next order. The professional-secrecy agreement applies to the customers the
platform marks, itself or through one of its segments. An acceptance is evidence
(``agreements.evidence``): who, when, which version, by which route; accepting the same version
again keeps the first record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import evidence
from tenantry.agreements.platform import versions
from tenantry.agreements.rules import AcceptingPerson
from tenantry.audit.service import record
from tenantry.errors import Conflict, FieldError, Forbidden
from tenantry.models import (
    AcceptanceRoute,
    AgreementAcceptance,
    AgreementKind,
    AgreementVersion,
    Organization,
    OrganizationKind,
    Role,
    Segment,
    User,
    organization_segments,
    utcnow,
)
from tenantry.security import Actor

PLATFORM_KINDS = (AgreementKind.PLATFORM_TERMS, AgreementKind.PROFESSIONAL_SECRECY)


@dataclass(frozen=True)
class AgreementStatus:
    """One platform agreement for one organization, as the gate and the pages read it."""

    kind: AgreementKind
    required_because: list[str]  # "customer", "organization", or segment names
    current: AgreementVersion | None
    accepted: AgreementAcceptance | None  # the latest acceptance, of any version
    accepted_version: int | None

    @property
    def required(self) -> bool:
        return bool(self.required_because)

    @property
    def satisfied(self) -> bool:
        """Not required, or accepted in the version that applies now (or a later one). A
        required agreement with no version published yet is not satisfied: ordering waits."""
        if not self.required:
            return True
        if self.current is None or self.accepted_version is None:
            return False
        return self.accepted_version >= self.current.version


async def secrecy_segments(session: AsyncSession, organization: Organization) -> list[str]:
    """Names of the organization's segments that require the professional-secrecy agreement."""
    rows = await session.scalars(
        select(Segment.name)
        .join(organization_segments, organization_segments.c.segment_id == Segment.id)
        .where(
            organization_segments.c.organization_id == organization.id,
            Segment.requires_professional_secrecy.is_(True),
        )
        .order_by(Segment.name)
    )
    return list(rows)


async def _reasons(
    session: AsyncSession, organization: Organization, kind: AgreementKind
) -> list[str]:
    if organization.kind is not OrganizationKind.CUSTOMER:
        return []
    if kind is AgreementKind.PLATFORM_TERMS:
        return ["customer"]
    marked = ["organization"] if organization.requires_professional_secrecy else []
    return marked + await secrecy_segments(session, organization)


async def status_of(
    session: AsyncSession, organization: Organization, kind: AgreementKind
) -> AgreementStatus:
    latest = (await evidence.acceptances_of(session, organization.id, kind))[:1]
    accepted = latest[0] if latest else None
    accepted_version = None
    if accepted is not None and accepted.agreement_version_id is not None:
        row = await session.get(AgreementVersion, accepted.agreement_version_id)
        accepted_version = row.version if row else None
    return AgreementStatus(
        kind, await _reasons(session, organization, kind),
        await versions.current(session, organization.platform_id, kind), accepted,
        accepted_version,
    )  # fmt: skip


async def statuses(session: AsyncSession, organization: Organization) -> list[AgreementStatus]:
    return [await status_of(session, organization, kind) for kind in PLATFORM_KINDS]


def may_accept(actor: Actor, organization: Organization) -> bool:
    """Only the customer's own administrators accept for it: not its users, and not staff
    acting for it (an acceptance binds the customer)."""
    return (
        actor.organization_id == organization.id
        and actor.organization_kind is OrganizationKind.CUSTOMER
        and actor.role is Role.CUSTOMER_ADMIN
        and not actor.acting_on_behalf
    )


def split_name(full_name: str) -> tuple[str, str]:
    """A person's first and last name from their full name (the last word is the last name)."""
    first, _, last = " ".join(full_name.split()).rpartition(" ")
    return (first, last) if first else (last, "")


@dataclass(frozen=True)
class Signatory:
    """Who signs, as the evidence keeps it (their email is their sign-in's)."""

    person: AcceptingPerson
    position: str | None = None


async def accept(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    kind: AgreementKind,
    *,
    version_number: int,
    signatory: Signatory,
    date_agreed: datetime | None = None,
) -> AgreementAcceptance:
    """Record the customer's acceptance of the version it read. Refused (409) when that version
    no longer applies (a newer one was published meanwhile: read it first)."""
    if not may_accept(actor, organization):
        raise Forbidden(
            "an administrator of the customer accepts the platform's agreements, signed in to "
            "their own account",
            reason="customer_admin_accepts",
        )
    current = await versions.current(session, organization.platform_id, kind)
    label = versions.LABELS[kind]
    if current is None:
        raise Conflict(f"no version of the {label} has been published yet", reason="no_version")
    if current.version != version_number:
        raise Conflict(
            f"version {version_number} of the {label} is not the one that applies now (version "
            f"{current.version}); read the current version and accept it",
            reason="version_changed",
        )
    for row in await evidence.acceptances_of(session, organization.id, kind):
        if row.agreement_version_id == current.id:
            return row  # accepted already (a form posted twice): the first record stands
    person = signatory.person
    acceptance = await evidence.record_acceptance(
        session, organization, kind=kind, route=AcceptanceRoute.CUSTOMER_IN_PRODUCT,
        date_agreed=date_agreed or utcnow(), actor=actor, person=person,
        agreement_version_id=current.id,
        request={"agreement": kind.value, "version": current.version, "title": current.title,
                 "text_sha256": versions.text_digest(current),
                 "signatory": {"first_name": person.first_name, "last_name": person.last_name,
                               "email": person.email, "position": signatory.position}},
    )  # fmt: skip
    await record(
        session, actor, action="agreement.accepted", target_type="organization",
        target_id=organization.id, organization_id=organization.id,
        platform_id=organization.platform_id,
        changes={"after": {"kind": kind.value, "version": current.version,
                           "acceptance_id": acceptance.id, "position": signatory.position}},
    )  # fmt: skip
    return acceptance


TERMS_FIELD = "accept_terms"


async def terms_at_registration(
    session: AsyncSession, platform_id: uuid.UUID, ticked: bool
) -> tuple[AgreementVersion | None, list[FieldError]]:
    """The terms a registrant accepts with the registration form (None when the platform
    publishes none), and the error when the box is not ticked."""
    terms = await versions.current(session, platform_id, AgreementKind.PLATFORM_TERMS)
    if terms is None or ticked:
        return terms, []
    return terms, [FieldError(TERMS_FIELD, "required",
                              "tick the box to accept the terms of business")]  # fmt: skip


async def accept_as_admin(
    session: AsyncSession, organization: Organization, registrant: User, terms: AgreementVersion
) -> AgreementAcceptance:
    """``registrant`` (the customer's admin) accepted ``terms``: with the registration form,
    or, in the demo data, before."""
    actor = Actor(
        platform_id=organization.platform_id, organization_id=organization.id,
        organization_kind=organization.kind, role=Role.CUSTOMER_ADMIN,
        label=f"{registrant.full_name} <{registrant.email}>", user_id=registrant.id,
    )  # fmt: skip
    person = AcceptingPerson(*split_name(registrant.full_name), registrant.email, None)
    return await accept(
        session, actor, organization, AgreementKind.PLATFORM_TERMS,
        version_number=terms.version, signatory=Signatory(person),
    )  # fmt: skip
