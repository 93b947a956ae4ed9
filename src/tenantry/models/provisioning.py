"""Provisioning: a new tenant's first administrator credentials until the customer collects them,
and where each paid order stands in Partner Center.

``new_tenant_credentials`` keeps the user name and password Partner Center returned when it
created the tenant, sealed with the credentials key, only until the one-time link is opened or
expires; then ``sealed`` is emptied and only the fact remains. ``order_provisioning`` is the
provisioning job's memory: what it already did in Partner Center for the order (customer,
cart, checkout, Partner Center's order ids), saved after every step so a killed worker resumes
where it stopped instead of buying again.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type


class CredentialsErased(enum.StrEnum):
    """Why the sealed credentials were erased."""

    OPENED = "opened"  # shown once through the link
    EXPIRED = "expired"  # the link expired unopened


class NewTenantCredentials(IdMixin, TimestampMixin, Base):
    """The first Global Administrator's sign-in for a tenant Tenantry created, until collected."""

    __tablename__ = "new_tenant_credentials"

    platform_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[uuid.UUID]
    initial_domain: Mapped[str] = mapped_column(String(253))
    # Who the link was emailed to (the customer's administrator).
    recipient_email: Mapped[str] = mapped_column(String(254))
    # SHA-256 of the link's secret: the link itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    # Fernet token of {"user_name", "password"}; None once erased.
    sealed: Mapped[str | None] = mapped_column(Text, default=None)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    erased_at: Mapped[datetime | None] = mapped_column(default=None)
    erased_because: Mapped[CredentialsErased | None] = mapped_column(
        enum_type(CredentialsErased, 16), default=None
    )


class ProvisioningStep(enum.StrEnum):
    """The next thing the provisioning job does for an order."""

    TENANT = "tenant"  # create the new tenant in Partner Center (a new-tenant order only)
    AGREEMENT = "agreement"  # the Microsoft Customer Agreement gate
    CART = "cart"  # create the Partner Center cart from the order's lines
    CHECKOUT = "checkout"  # check the cart out: Microsoft's order is placed here
    FOLLOW = "follow"  # follow Microsoft's provisioning status until every line is done
    DONE = "done"  # subscriptions recorded, order completed


class OrderProvisioning(TimestampMixin, Base):
    """What the provisioning job did in Partner Center for one order, and what comes next."""

    __tablename__ = "order_provisioning"

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    platform_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[ProvisioningStep] = mapped_column(enum_type(ProvisioningStep, 16))
    # The order's provisioning attempt (``orders.provisioning_attempts``) the cart belongs to: a
    # retry after a refusal starts a new round whose request ids differ, so Partner Center acts
    # again instead of repeating its refusal.
    round: Mapped[int] = mapped_column(default=1)
    # Carts made in this round (a new one when Partner Center let the last expire).
    carts_made: Mapped[int] = mapped_column(default=0)
    # Counts the job's runs for the order: each continuation's outbox key includes it.
    run: Mapped[int] = mapped_column(default=0)
    # The Partner Center customer (= Microsoft tenant id) the order buys for.
    customer_tenant_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # The lines sent to Partner Center (catalog item, quantity, term, billing cycle).
    cart_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cart_id: Mapped[str | None] = mapped_column(String(64), default=None)
    checked_out_at: Mapped[datetime | None] = mapped_column(default=None)
    # Partner Center's order ids the checkout made (one per order group).
    partner_center_order_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Order groups the checkout could not place ({"code", "description"} each), when some were.
    checkout_errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    subscription_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # While Partner Center is unreachable, throttling or the new tenant is not ready yet: since
    # when, why (in words), and when the job looks again.
    waiting_since: Mapped[datetime | None] = mapped_column(default=None)
    waiting_reason: Mapped[str | None] = mapped_column(Text, default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    waits: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
