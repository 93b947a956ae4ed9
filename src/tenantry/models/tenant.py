"""Microsoft tenants: the one a customer organization holds, the Service Details choice made at
checkout until it holds one, and the GDAP relationships asked of it.

Which tenant an organization holds is ``organizations.tenant_id`` (unique per platform: a tenant
belongs to at most one organization of a platform). ``microsoft_tenants`` keeps what is known of
that tenant and how it came to be linked.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type


class LinkMethod(enum.StrEnum):
    """How an organization came to hold its tenant."""

    VERIFIED = "verified"  # the Verify authorization button found the accepted relationship
    WEBHOOK = "webhook"  # Partner Center said the customer accepted the relationship
    CREATED = "created"  # Tenantry created the tenant in Partner Center (orders issue)
    ENTERED = "entered"  # staff typed the tenant ID on the organization, checked then
    SYNCED = "synced"  # the sync with Partner Center brought it in (sync issue)


class MicrosoftTenant(TimestampMixin, Base):
    """What is known of the tenant an organization holds (one row per linked organization)."""

    __tablename__ = "microsoft_tenants"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(index=True)
    company_name: Mapped[str | None] = mapped_column(String(200), default=None)
    initial_domain: Mapped[str | None] = mapped_column(String(253), default=None)
    default_domain: Mapped[str | None] = mapped_column(String(253), default=None)
    verified_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    # "direct" (the platform is the partner of record) or "indirect" (through a reseller).
    relationship: Mapped[str] = mapped_column(String(16))
    # For an indirect relationship: the reseller organization the customer accepted.
    reseller_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), default=None
    )
    link_method: Mapped[LinkMethod] = mapped_column(enum_type(LinkMethod, 16))
    linked_at: Mapped[datetime]
    linked_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # The Partner Center event that linked it, when a webhook did.
    linked_by_event_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class TenantChoice(enum.StrEnum):
    NEW = "new"  # a new tenant with this .onmicrosoft.com prefix, created at provisioning
    EXISTING = "existing"  # the customer already has a tenant: authorization link, then verify


class ServiceDetailsStatus(enum.StrEnum):
    HELD = "held"  # a new tenant's prefix, held for the order
    AWAITING_AUTHORIZATION = "awaiting_authorization"  # the link is out, not accepted yet
    LINKED = "linked"  # the tenant is linked: the step is done


class ServiceDetails(TimestampMixin, Base):
    """The checkout's Service Details step for one organization: which tenant its orders are for.

    Shown until the organization holds a tenant. For a new tenant it holds the prefix (the
    orders issue creates the tenant at provisioning); for an existing one, the authorization
    link that was handed out and what the last Verify found.
    """

    __tablename__ = "service_details"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    platform_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    choice: Mapped[TenantChoice] = mapped_column(enum_type(TenantChoice, 16))
    status: Mapped[ServiceDetailsStatus] = mapped_column(enum_type(ServiceDetailsStatus, 32))
    # New tenant: the prefix of <prefix>.onmicrosoft.com, lower case.
    domain_prefix: Mapped[str | None] = mapped_column(String(27), default=None)
    # Existing tenant: a domain the customer uses with Microsoft 365 (default or initial).
    customer_domain: Mapped[str | None] = mapped_column(String(253), default=None)
    # The reseller (organization) whose indirect link it is; None for a direct CSP's link.
    reseller_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), default=None
    )
    authorization_url: Mapped[str | None] = mapped_column(Text, default=None)
    chosen_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    last_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # The code of what the last Verify found missing (see tenants.verification), if anything.
    last_verify_outcome: Mapped[str | None] = mapped_column(String(64), default=None)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class GdapStatus(enum.StrEnum):
    """Microsoft Graph's delegatedAdminRelationship status values."""

    CREATED = "created"
    APPROVAL_PENDING = "approvalPending"
    APPROVED = "approved"
    ACTIVATING = "activating"
    ACTIVE = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    TERMINATION_REQUESTED = "terminationRequested"
    TERMINATING = "terminating"
    TERMINATED = "terminated"
    UNKNOWN = "unknownFutureValue"


class GdapRelationship(IdMixin, TimestampMixin, Base):
    """A granular delegated admin relationship asked of a customer's tenant."""

    __tablename__ = "gdap_relationships"
    __table_args__ = (Index("ix_gdap_relationships_status_end", "status", "end_at"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The customer organization whose tenant is asked.
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # Who asks: the platform or a reseller organization.
    requested_by_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    tenant_id: Mapped[uuid.UUID]
    # Microsoft Graph's id of the relationship ({guid}-{guid}); unique once known.
    relationship_id: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    display_name: Mapped[str] = mapped_column(String(50))
    template: Mapped[str] = mapped_column(String(64))
    # [{"id": Entra role definition id, "name": role name}]
    roles: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    duration_days: Mapped[int]
    auto_extend: Mapped[bool] = mapped_column(default=False)
    status: Mapped[GdapStatus] = mapped_column(enum_type(GdapStatus, 32))
    approval_url: Mapped[str | None] = mapped_column(Text, default=None)
    activated_at: Mapped[datetime | None] = mapped_column(default=None)
    end_at: Mapped[datetime | None] = mapped_column(default=None)
    # Expiry reminders already sent, as days before the end: [30, 7].
    reminders_sent: Mapped[list[int]] = mapped_column(JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


class EventOutcome(enum.StrEnum):
    RECEIVED = "received"  # recorded; its job has not run yet
    HANDLED = "handled"  # a handler acted on it
    IGNORED = "ignored"  # nothing to do (an unknown type is kept and listed as this)
    FAILED = "failed"  # the handler failed for good; the reason is kept


class PartnerCenterEvent(IdMixin, Base):
    """A webhook callback from Partner Center, recorded once per platform whatever its type."""

    __tablename__ = "partner_center_events"
    __table_args__ = (
        Index("ix_partner_center_events_received", "received_at"),
        UniqueConstraint("platform_id", "body_sha256"),
    )

    # The platform whose Partner Center account sent it (partnercenter_events.service).
    platform_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    # SHA-256 of the delivered body: a replayed or retried delivery is the same event.
    body_sha256: Mapped[str] = mapped_column(String(64))
    event_name: Mapped[str] = mapped_column(String(128), index=True)
    resource_uri: Mapped[str | None] = mapped_column(Text, default=None)
    resource_name: Mapped[str | None] = mapped_column(String(128), default=None)
    audit_uri: Mapped[str | None] = mapped_column(Text, default=None)
    resource_change_utc: Mapped[str | None] = mapped_column(String(64), default=None)
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime]
    outcome: Mapped[EventOutcome] = mapped_column(
        enum_type(EventOutcome, 16), default=EventOutcome.RECEIVED
    )
    handled_at: Mapped[datetime | None] = mapped_column(default=None)
    # What the handler did or why it did nothing, in words staff can read.
    detail: Mapped[str | None] = mapped_column(Text, default=None)
