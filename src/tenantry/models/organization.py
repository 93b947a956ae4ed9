"""Organizations: the platform owner, its resellers and their customers, in one table."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, UniqueConstraint, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type
from tenantry.models.identity import SignInRequirement
from tenantry.models.name_key import company_name_key
from tenantry.models.sync_source import OrganizationSource


class OrganizationKind(enum.StrEnum):
    PLATFORM = "platform"
    RESELLER = "reseller"
    CUSTOMER = "customer"


class PlatformModel(enum.StrEnum):
    """How the platform owner sells: through indirect resellers, or directly to customers."""

    INDIRECT_PROVIDER = "indirect_provider"
    DIRECT_CSP = "direct_csp"


class OrganizationStatus(enum.StrEnum):
    PENDING_APPROVAL = "pending_approval"
    ACTIVE = "active"
    BLOCKED = "blocked"
    REJECTED = "rejected"


organization_segments = Table(
    "organization_segments",
    Base.metadata,
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("segment_id", ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
)


class Organization(IdMixin, TimestampMixin, Base):
    __tablename__ = "organizations"
    __table_args__ = (
        UniqueConstraint("platform_id", "erp_id"),
        # A Microsoft tenant belongs to at most one organization of a platform.
        UniqueConstraint("platform_id", "tenant_id"),
        Index("ix_organizations_platform_parent", "platform_id", "parent_id"),
        # A page of the list, in (legal name, id) order, for staff and for a reseller's customers
        # (organizations.listing); the storefront's platform owner, by kind.
        Index("ix_organizations_platform_legal_name", "platform_id", "legal_name", "id"),
        Index("ix_organizations_parent_legal_name", "parent_id", "legal_name", "id"),
        Index("ix_organizations_kind_created_at", "kind", "created_at"),
        Index("ix_organizations_platform_name_key", "platform_id", "name_key"),
        Index(
            "ix_organizations_platform_registration_number", "platform_id", "registration_number"
        ),
    )

    kind: Mapped[OrganizationKind] = mapped_column(enum_type(OrganizationKind, 16))
    platform_model: Mapped[PlatformModel | None] = mapped_column(
        enum_type(PlatformModel, 32), default=None
    )
    # The platform owner's id, on every row (the owner's own row points at itself): the unit of tenancy.
    platform_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id"), default=None
    )
    status: Mapped[OrganizationStatus] = mapped_column(
        enum_type(OrganizationStatus, 24), index=True
    )
    status_reason: Mapped[str | None] = mapped_column(String(500), default=None)

    legal_name: Mapped[str] = mapped_column(String(200))
    # The legal name reduced for matching (models.name_key), kept on every write: duplicates
    # and Partner Center customers are found by it through an index.
    name_key: Mapped[str | None] = mapped_column(String(200), default=None)
    display_name: Mapped[str] = mapped_column(String(200))
    registration_number: Mapped[str | None] = mapped_column(String(64), default=None)
    vat_id: Mapped[str | None] = mapped_column(String(64), default=None)
    domain: Mapped[str | None] = mapped_column(String(253), default=None, index=True)
    industry: Mapped[str | None] = mapped_column(String(64), default=None)

    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200), default=None)
    address_city: Mapped[str] = mapped_column(String(100))
    address_region: Mapped[str | None] = mapped_column(String(100), default=None)
    address_postal_code: Mapped[str | None] = mapped_column(String(20), default=None)
    address_country: Mapped[str] = mapped_column(String(2))

    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(20), default=None)

    preferred_currency: Mapped[str] = mapped_column(String(3))
    erp_id: Mapped[str | None] = mapped_column(String(64), default=None)
    custom_properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    # Partner Center identity: the platform's and resellers' MPN (Partner) ID, a tenant's GUID.
    mpn_id: Mapped[str | None] = mapped_column(String(16), default=None)
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    # The last check of the MPN ID against Partner Center (tenants.mpn): "valid" or what failed.
    mpn_status: Mapped[str | None] = mapped_column(String(32), default=None)
    mpn_checked_at: Mapped[datetime | None] = mapped_column(default=None)

    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    # Where it was first made, and the last sync with Partner Center that read it (no foreign
    # key: sync_runs points at organizations already).
    source: Mapped[OrganizationSource] = mapped_column(
        enum_type(OrganizationSource, 16), default=OrganizationSource.TENANTRY
    )
    last_synced_at: Mapped[datetime | None] = mapped_column(default=None)
    last_sync_run_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # Self-registration: the person who registered the organization from a storefront.
    registered_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    sign_in_requirement: Mapped[SignInRequirement] = mapped_column(
        enum_type(SignInRequirement, 24), default=SignInRequirement.ANY
    )
    # Marked by the platform: this organization signs the professional-secrecy agreement before
    # it orders (also when one of its segments requires it).
    requires_professional_secrecy: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    segments: Mapped[list[Segment]] = relationship(
        secondary=organization_segments, lazy="raise", order_by="Segment.name"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def address(self) -> dict[str, str | None]:
        return {
            "line1": self.address_line1,
            "line2": self.address_line2,
            "city": self.address_city,
            "region": self.address_region,
            "postal_code": self.address_postal_code,
            "country": self.address_country,
        }

    @property
    def primary_contact(self) -> dict[str, str | None]:
        return {"name": self.contact_name, "email": self.contact_email, "phone": self.contact_phone}

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


@event.listens_for(Organization, "before_insert")
@event.listens_for(Organization, "before_update")
def _keep_name_key(
    _mapper: Mapper[Organization], _connection: Connection, target: Organization
) -> None:
    target.name_key = company_name_key(target.legal_name)


class Segment(IdMixin, TimestampMixin, Base):
    """A label the platform defines (for example "SMB", "Education") and puts on organizations."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("platform_id", "name"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(500), default=None)
    # Organizations in this segment sign the professional-secrecy agreement before ordering.
    requires_professional_secrecy: Mapped[bool] = mapped_column(default=False)


class CustomPropertyDefinition(IdMixin, TimestampMixin, Base):
    """A key the platform allows in organizations' custom properties."""

    __tablename__ = "custom_property_definitions"
    __table_args__ = (UniqueConstraint("platform_id", "key"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(default=False)


class PlatformConfig(TimestampMixin, Base):
    """Rules the platform owner sets for everyone under it."""

    __tablename__ = "platform_configs"

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    allowed_currencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    erp_id_required_for_orders: Mapped[bool] = mapped_column(default=False)
    # Work (Entra ID) accounts may sign up only from these email domains.
    work_account_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    notification_cc: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Resellers' customers need a complete billing address (country rules) before checkout.
    billing_address_required: Mapped[bool] = mapped_column(default=False)
