"""Sync with Partner Center: what Partner Center knows of each customer and reseller, the runs
that brought it in, the organizations they match, and the merges that followed.

Partner Center is the source of truth for bill-to; Tenantry keeps a copy of what it last read
(``partner_center_customers``) next to its own organization, so staff see where the two differ
and choose. The tenant ID is the key everywhere: one row per tenant and platform.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type


class PartnerCenterAccountKind(enum.StrEnum):
    CUSTOMER = "customer"
    RESELLER = "reseller"  # an indirect reseller in the distributor's network


class PartnerCenterAccount(IdMixin, TimestampMixin, Base):
    """The last state read from Partner Center of one customer or indirect reseller.

    ``organization_id`` is the organization holding the tenant (None: not linked to any, listed
    for staff). ``fingerprint`` is a hash of the listed fields, so a re-sync that lists the same
    values skips the account without calling Partner Center again.
    """

    __tablename__ = "partner_center_accounts"
    __table_args__ = (
        UniqueConstraint("platform_id", "kind", "tenant_id"),
        Index("ix_partner_center_accounts_unlinked", "platform_id", "organization_id"),
    )

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    kind: Mapped[PartnerCenterAccountKind] = mapped_column(enum_type(PartnerCenterAccountKind, 16))
    tenant_id: Mapped[uuid.UUID]
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), default=None, index=True
    )
    company_name: Mapped[str] = mapped_column(String(400))
    # Customers: companyProfile.domain (the initial .onmicrosoft.com one) and the others known.
    initial_domain: Mapped[str | None] = mapped_column(String(253), default=None)
    default_domain: Mapped[str | None] = mapped_column(String(253), default=None)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Resellers: PartnerID (MPN ID) and the relationship's state and location.
    mpn_id: Mapped[str | None] = mapped_column(String(16), default=None)
    # Customers: "reseller" / "none" ...; resellers: the relationship state ("Active").
    relationship: Mapped[str | None] = mapped_column(String(32), default=None)
    # Customers of an indirect reseller: the reseller's partner tenant id.
    reseller_tenant_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    registration_number: Mapped[str | None] = mapped_column(String(64), default=None)
    # The billing profile as Partner Center returned it (bill-to), and its etag.
    billing_profile: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    billing_etag: Mapped[str | None] = mapped_column(String(64), default=None)
    # What an order to this customer would miss in the bill-to (empty: complete).
    billing_missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    last_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set when a full sync no longer lists it (the relationship ended); cleared if it comes back.
    gone_at: Mapped[datetime | None] = mapped_column(default=None)
    last_run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sync_runs.id", ondelete="SET NULL"), default=None
    )
    # The last platform run that found it in an indirect reseller's customer list: a customer a
    # complete run listed but no reseller's list named has left its reseller.
    attributed_run_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class SyncScope(enum.StrEnum):
    PLATFORM = "platform"  # every reseller and customer of the platform
    RESELLER = "reseller"  # one reseller and its customers
    ORGANIZATION = "organization"  # one customer


class SyncTrigger(enum.StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"  # "Sync now" (pages, API, CLI)
    WEBHOOK = "webhook"  # a Partner Center event
    AUDIT = "audit"  # a change found in Partner Center's audit records
    START = "start"  # the first sync when the platform starts with none done


class SyncRunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    # Finished, but some accounts failed (listed in sync_run_errors).
    PARTIAL = "partial"
    FAILED = "failed"


class SyncRun(IdMixin, TimestampMixin, Base):
    """One sync: what it covered, what asked for it, and what it found.

    ``checkpoint`` is where it stands (phase, continuation token, accounts done), written with
    each page's changes in one transaction, so a run killed at any point resumes from there.
    A "Sync now" while a run of the same scope is queued or running joins that run.
    """

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_platform_created", "platform_id", "created_at"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    scope: Mapped[SyncScope] = mapped_column(enum_type(SyncScope, 16))
    # The reseller or customer organization for a narrower scope.
    scope_organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), default=None
    )
    # A customer known only by tenant (a webhook or audit record about one not yet synced).
    scope_tenant_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    trigger: Mapped[SyncTrigger] = mapped_column(enum_type(SyncTrigger, 16))
    status: Mapped[SyncRunStatus] = mapped_column(enum_type(SyncRunStatus, 16), index=True)
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # How many requests joined this run instead of starting another.
    joined: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    checkpoint: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)
    merged: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    calls_made: Mapped[int] = mapped_column(default=0)
    # Calls a naive sync would have made (one per account and resource) that this one skipped.
    calls_saved: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class SyncRunError(IdMixin, Base):
    """One account a run could not sync, and why."""

    __tablename__ = "sync_run_errors"

    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    company_name: Mapped[str | None] = mapped_column(String(400), default=None)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), default=None
    )
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime]


class SyncChange(IdMixin, Base):
    """What a run changed on one organization (field -> [before, after])."""

    __tablename__ = "sync_changes"
    __table_args__ = (Index("ix_sync_changes_organization", "organization_id", "occurred_at"),)

    run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sync_runs.id", ondelete="SET NULL"), default=None, index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    # "created", "updated", "linked", "bill_to_taken", "merged" ...
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime]


class SyncCursor(TimestampMixin, Base):
    """Per platform: how far the audit records were read, and when the last full sync ended."""

    __tablename__ = "sync_cursors"

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    audit_records_until: Mapped[datetime | None] = mapped_column(default=None)
    last_full_sync_at: Mapped[datetime | None] = mapped_column(default=None)
    # Unlinked Partner Center accounts already announced in the daily email.
    unlinked_announced_until: Mapped[datetime | None] = mapped_column(default=None)


class MatchStatus(enum.StrEnum):
    OPEN = "open"
    MERGED = "merged"  # two organizations became one
    LINKED = "linked"  # the Partner Center account was linked to the proposed organization
    DISMISSED = "dismissed"  # staff said they are different


class MatchProposal(IdMixin, TimestampMixin, Base):
    """Two things that look like the same company: an organization without a tenant and a
    Partner Center account, or two organizations (duplicates made before the sync).

    ``evidence`` lists the rules that matched (verified domain, registration number, VAT ID,
    normalised name) with the values compared, so staff see why.
    """

    __tablename__ = "match_proposals"
    # One proposal per pair: ``pair_key`` is the two ids in a fixed order (see tenantry.sync).
    __table_args__ = (UniqueConstraint("platform_id", "pair_key"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # Exactly one of these two is set.
    other_organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), default=None, index=True
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partner_center_accounts.id", ondelete="CASCADE"), default=None, index=True
    )
    pair_key: Mapped[str] = mapped_column(String(80))
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[MatchStatus] = mapped_column(enum_type(MatchStatus, 16), index=True)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class OrganizationRedirect(Base):
    """An organization merged into another: its id keeps leading to the one that remains."""

    __tablename__ = "organization_redirects"

    from_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    to_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    merged_at: Mapped[datetime]
    merged_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # The merged-away organization's fields as they were, for the record.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MicrosoftSubscription(IdMixin, TimestampMixin, Base):
    """A linked customer's subscription as Partner Center last listed it."""

    __tablename__ = "microsoft_subscriptions"
    __table_args__ = (UniqueConstraint("platform_id", "subscription_id"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[uuid.UUID]
    subscription_id: Mapped[str] = mapped_column(String(64))
    offer_id: Mapped[str | None] = mapped_column(String(128), default=None)
    offer_name: Mapped[str | None] = mapped_column(String(400), default=None)
    friendly_name: Mapped[str | None] = mapped_column(String(400), default=None)
    quantity: Mapped[int] = mapped_column(default=0)
    status: Mapped[str | None] = mapped_column(String(32), default=None)
    is_trial: Mapped[bool] = mapped_column(default=False)
    auto_renew: Mapped[bool | None] = mapped_column(default=None)
    billing_cycle: Mapped[str | None] = mapped_column(String(32), default=None)
    term_duration: Mapped[str | None] = mapped_column(String(16), default=None)
    commitment_end_at: Mapped[datetime | None] = mapped_column(default=None)
    order_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # The resource as read, for fields Tenantry does not model (yet).
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_synced_at: Mapped[datetime]
