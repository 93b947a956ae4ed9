"""A linked customer's directory as imported from its Microsoft tenant: users, domains, the
licenses it holds (ours and other providers'), who holds which, the imports that brought them
in, and the trials converted to paid after its orders.

Microsoft is the source of truth; these rows are what the last import read. Each row carries the
organization (the unit every query is scoped by) and the platform.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type, utcnow


class DirectoryImportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    # Finished, but some users' licenses could not be read (listed in ``problems``).
    PARTIAL = "partial"
    FAILED = "failed"


class DirectoryImport(IdMixin, TimestampMixin, Base):
    """One import of a customer's directory: why, where it stands, and what it changed.

    ``open_for`` holds the organization's id while the import is queued or running and is
    cleared when it ends: the unique constraint lets one import per organization be open, so a
    second request at the same moment joins it. ``checkpoint`` is where a running import stands
    (phase, continuation token, last user done), written with each page's changes, so an import
    killed at any point goes on from there.
    """

    __tablename__ = "directory_imports"
    __table_args__ = (Index("ix_directory_imports_organization_created", "organization_id",
                            "created_at"),)  # fmt: skip

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    open_for: Mapped[uuid.UUID | None] = mapped_column(unique=True, default=None)
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # Why it was asked for: "first_order:<order id>", "manual", "schedule"...
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[DirectoryImportStatus] = mapped_column(enum_type(DirectoryImportStatus, 16))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Requests that joined this import instead of starting another.
    joined: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    checkpoint: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    users_added: Mapped[int] = mapped_column(default=0)
    users_updated: Mapped[int] = mapped_column(default=0)
    users_removed: Mapped[int] = mapped_column(default=0)
    users_unchanged: Mapped[int] = mapped_column(default=0)
    domains_added: Mapped[int] = mapped_column(default=0)
    domains_removed: Mapped[int] = mapped_column(default=0)
    licenses_added: Mapped[int] = mapped_column(default=0)
    licenses_updated: Mapped[int] = mapped_column(default=0)
    licenses_removed: Mapped[int] = mapped_column(default=0)
    assignments_added: Mapped[int] = mapped_column(default=0)
    assignments_removed: Mapped[int] = mapped_column(default=0)
    calls_made: Mapped[int] = mapped_column(default=0)
    # What could not be read, each {"what", "message"} (the import went on without it).
    problems: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # Why a failed import stopped.
    error: Mapped[str | None] = mapped_column(Text, default=None)


class DirectoryUser(IdMixin, TimestampMixin, Base):
    """A user of the customer's tenant as the last import listed it."""

    __tablename__ = "directory_users"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id"),
        Index("ix_directory_users_organization_name", "organization_id", "display_name"),
    )

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    # Microsoft Entra object id of the user.
    user_id: Mapped[str] = mapped_column(String(64))
    user_principal_name: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(256))
    first_name: Mapped[str | None] = mapped_column(String(64), default=None)
    last_name: Mapped[str | None] = mapped_column(String(64), default=None)
    # ISO 3166 two letters; without one Microsoft assigns no license.
    usage_location: Mapped[str | None] = mapped_column(String(2), default=None)
    state: Mapped[str | None] = mapped_column(String(32), default=None)
    # The import that last listed the user; the one after that removes users it did not list.
    seen_import_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class DirectoryAssignment(Base):
    """One license (SKU) one user holds."""

    __tablename__ = "directory_assignments"

    directory_user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("directory_users.id", ondelete="CASCADE"), primary_key=True
    )
    # Microsoft Entra skuId (the subscribed SKU's productSku.id).
    sku_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class LicenseSource(enum.StrEnum):
    """Who sold the licenses of a SKU the customer holds."""

    OURS = "ours"  # every unit comes from subscriptions bought through this platform
    OTHER_PROVIDER = "other_provider"  # none does: bought elsewhere
    BOTH = "both"  # some units are ours, the rest another provider's


class DirectoryLicense(IdMixin, TimestampMixin, Base):
    """A SKU the customer's tenant holds (a subscribed SKU), with how many units are ours."""

    __tablename__ = "directory_licenses"
    __table_args__ = (UniqueConstraint("organization_id", "sku_id"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    sku_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(256))
    sku_part_number: Mapped[str | None] = mapped_column(String(128), default=None)
    capability_status: Mapped[str | None] = mapped_column(String(32), default=None)
    active_units: Mapped[int] = mapped_column(default=0)
    consumed_units: Mapped[int] = mapped_column(default=0)
    suspended_units: Mapped[int] = mapped_column(default=0)
    warning_units: Mapped[int] = mapped_column(default=0)
    # Units of active subscriptions of ours that provide this SKU, and the rest of the active
    # units (bought from another provider, or directly from Microsoft).
    our_units: Mapped[int] = mapped_column(default=0)
    other_units: Mapped[int] = mapped_column(default=0)
    # Of our units, those of trial subscriptions (free until converted to paid).
    trial_units: Mapped[int] = mapped_column(default=0)
    source: Mapped[LicenseSource] = mapped_column(enum_type(LicenseSource, 16))
    # Partner Center subscription ids of ours that provide it.
    subscription_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    seen_import_id: Mapped[uuid.UUID | None] = mapped_column(default=None)

    @property
    def available_units(self) -> int:
        return max(self.active_units - self.consumed_units, 0)


class DirectoryDomain(IdMixin, Base):
    """A domain of the customer's tenant."""

    __tablename__ = "directory_domains"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(253))
    # The tenant's initial <prefix>.onmicrosoft.com domain.
    is_initial: Mapped[bool] = mapped_column(default=False)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrialConversionStatus(enum.StrEnum):
    CONVERTED = "converted"
    NOT_CONVERTED = "not_converted"


class TrialConversion(IdMixin, TimestampMixin, Base):
    """What became of one trial subscription of a product an order bought."""

    __tablename__ = "trial_conversions"
    __table_args__ = (Index("ix_trial_conversions_organization_created", "organization_id",
                            "created_at"),)  # fmt: skip

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    trial_subscription_id: Mapped[str] = mapped_column(String(64))
    offer_id: Mapped[str | None] = mapped_column(String(128), default=None)
    offer_name: Mapped[str | None] = mapped_column(String(400), default=None)
    status: Mapped[TrialConversionStatus] = mapped_column(enum_type(TrialConversionStatus, 16))
    # "conversion" (legacy offers) or "transition" (new commerce).
    method: Mapped[str | None] = mapped_column(String(16), default=None)
    # In plain words: why it was not converted, or what a converted trial's users lost.
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    paid_subscription_id: Mapped[str | None] = mapped_column(String(64), default=None)
    target_offer_id: Mapped[str | None] = mapped_column(String(128), default=None)
    quantity: Mapped[int | None] = mapped_column(default=None)
    # Users who held the trial's license before, and those of them still holding it after.
    users_before: Mapped[int] = mapped_column(default=0)
    users_kept: Mapped[int] = mapped_column(default=0)
    users_lost: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The products whose purchase asked for the conversion.
    product_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
