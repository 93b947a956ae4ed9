"""Agreements: the Microsoft Customer Agreement's status per customer, the evidence of every
acceptance, resellers' requests that their distributor attest, and the platform's own agreements
(its terms, and the professional-secrecy agreement some professions need).

``agreement_acceptances`` is evidence: rows are added, never changed (a mapper event refuses an
update), and a correction is a new row that names the one it corrects.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type


class AgreementKind(enum.StrEnum):
    MICROSOFT_CUSTOMER_AGREEMENT = "microsoft_customer_agreement"
    PLATFORM_TERMS = "platform_terms"  # the platform's own terms of business, versioned
    PROFESSIONAL_SECRECY = "professional_secrecy"  # e.g. Germany, section 203 StGB


class AcceptanceRoute(enum.StrEnum):
    """How an acceptance came about."""

    CUSTOMER_IN_PRODUCT = "customer_in_product"  # a customer admin accepted it in Tenantry
    STAFF_ATTESTATION = "staff_attestation"  # staff attested acceptance obtained elsewhere
    DIRECT_SIGNED = "direct_signed"  # the customer signed it in the Microsoft 365 admin center
    PARTNER_CENTER = "partner_center"  # found confirmed in Partner Center, made outside Tenantry


class MicrosoftAgreementState(enum.StrEnum):
    ACCEPTED = "accepted"  # an attestation is confirmed in Partner Center
    DIRECT_SIGNED = "direct_signed"  # signed by the customer in the admin center
    MISSING = "missing"  # Partner Center knows no acceptance: purchases are refused
    UNKNOWN = "unknown"  # not asked yet (no tenant, or Partner Center could not be reached)


# The states the scheduled refresh asks Partner Center about again, as the index's condition.
ASKED_AGAIN_SQL = "state IN ('missing', 'unknown')"


class AgreementAcceptance(IdMixin, Base):
    """One acceptance of one agreement by (or for) one organization: who, when, which version or
    template, by which route, what was sent to Partner Center and what it answered."""

    __tablename__ = "agreement_acceptances"
    __table_args__ = (
        Index("ix_agreement_acceptances_org_kind", "organization_id", "kind", "recorded_at"),
    )

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    kind: Mapped[AgreementKind] = mapped_column(enum_type(AgreementKind, 32))
    route: Mapped[AcceptanceRoute] = mapped_column(enum_type(AcceptanceRoute, 32))
    # The Microsoft tenant the acceptance is for (Microsoft Customer Agreement).
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # Microsoft's agreement template (never shown to a person), or the platform's version.
    template_id: Mapped[str | None] = mapped_column(String(64), default=None)
    agreement_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agreement_versions.id", ondelete="RESTRICT"), default=None
    )
    # The person who accepted, as attested (first/last name, email, phone).
    first_name: Mapped[str | None] = mapped_column(String(100), default=None)
    last_name: Mapped[str | None] = mapped_column(String(100), default=None)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    # When the customer accepted (UTC; a date attested by staff is its midnight UTC).
    date_agreed: Mapped[datetime]
    # Who recorded it in Tenantry (None: the system, e.g. found by a status refresh).
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    recorded_by_label: Mapped[str] = mapped_column(String(300))
    on_behalf_of_label: Mapped[str | None] = mapped_column(String(300), default=None)
    recorded_at: Mapped[datetime]
    # What was sent to Partner Center and what it answered (attestations), as JSON.
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    partner_center_request_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # A correction names the record it corrects (that one is kept as it was).
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agreement_acceptances.id", ondelete="RESTRICT"), default=None
    )
    # The reseller's request this attestation answered, when one did.
    attestation_request_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("attestation_requests.id", ondelete="SET NULL"), default=None
    )


class EvidenceIsImmutable(RuntimeError):
    """An acceptance record was about to be changed: add a correcting record instead."""


@event.listens_for(AgreementAcceptance, "before_update")
def _refuse_update(_mapper: Mapper[Any], _connection: Any, target: AgreementAcceptance) -> None:
    raise EvidenceIsImmutable(
        f"agreement acceptance {target.id} is evidence and is never changed; record a correction"
    )


class MicrosoftAgreementStatus(TimestampMixin, Base):
    """The Microsoft Customer Agreement status of one customer organization, as last known."""

    __tablename__ = "microsoft_agreement_statuses"
    # The scheduled refresh reads the statuses it asks again, oldest first, from this index alone.
    __table_args__ = (
        Index(
            "ix_microsoft_agreement_statuses_asked_again",
            "checked_at",
            "organization_id",
            postgresql_where=text(ASKED_AGAIN_SQL),
            sqlite_where=text(ASKED_AGAIN_SQL),
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    state: Mapped[MicrosoftAgreementState] = mapped_column(
        enum_type(MicrosoftAgreementState, 16), default=MicrosoftAgreementState.UNKNOWN
    )
    # The evidence behind "accepted" / "direct_signed".
    acceptance_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agreement_acceptances.id", ondelete="SET NULL"), default=None
    )
    date_agreed: Mapped[datetime | None] = mapped_column(default=None)
    route: Mapped[AcceptanceRoute | None] = mapped_column(
        enum_type(AcceptanceRoute, 32), default=None
    )
    # Accepted in the product for a tenant that does not exist yet (a new tenant, created when
    # the first order is provisioned): confirmed to Partner Center right after the creation.
    pending_acceptance_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agreement_acceptances.id", ondelete="SET NULL"), default=None
    )
    checked_at: Mapped[datetime | None] = mapped_column(default=None)
    # Why the last refresh could not tell (Partner Center unreachable, throttled, ...).
    check_error: Mapped[str | None] = mapped_column(String(500), default=None)


class AttestationRequestStatus(enum.StrEnum):
    OPEN = "open"
    ATTESTED = "attested"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class AttestationRequest(IdMixin, TimestampMixin, Base):
    """A reseller's request that its distributor attest a customer's acceptance (resellers may
    not attest themselves)."""

    __tablename__ = "attestation_requests"
    __table_args__ = (Index("ix_attestation_requests_platform_status", "platform_id", "status"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    reseller_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AttestationRequestStatus] = mapped_column(
        enum_type(AttestationRequestStatus, 16), default=AttestationRequestStatus.OPEN
    )
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    requested_by_label: Mapped[str] = mapped_column(String(300))
    # What the reseller knows of the acceptance (the distributor checks and may correct it).
    first_name: Mapped[str | None] = mapped_column(String(100), default=None)
    last_name: Mapped[str | None] = mapped_column(String(100), default=None)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    date_agreed: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome_note: Mapped[str | None] = mapped_column(Text, default=None)


class AgreementVersion(IdMixin, TimestampMixin, Base):
    """A published version of one of the platform's own agreements (its terms, the
    professional-secrecy agreement). The newest published version is the one to accept."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("platform_id", "kind", "version"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    kind: Mapped[AgreementKind] = mapped_column(enum_type(AgreementKind, 32))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime]
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # The day (UTC) from which this version is the one to accept; None: from its publication.
    effective_on: Mapped[date | None] = mapped_column(default=None)


class PublishedVersionIsFinal(RuntimeError):
    """A published agreement version was about to be changed: publish a new version instead."""


@event.listens_for(AgreementVersion, "before_update")
def _refuse_version_update(
    _mapper: Mapper[Any], _connection: Any, target: AgreementVersion
) -> None:
    raise PublishedVersionIsFinal(
        f"agreement version {target.id} is published and never changed; publish a new version"
    )
