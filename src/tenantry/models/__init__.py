"""All models, importable from one place (Alembic reads ``Base.metadata`` from here)."""

from tenantry.models.audit import AuditEvent
from tenantry.models.base import Base, utcnow
from tenantry.models.commerce import CartItem, Order, OrderStatus
from tenantry.models.idempotency import IdempotencyRecord
from tenantry.models.identity import (
    ApiToken,
    AuthSession,
    EmailToken,
    EmailTokenPurpose,
    ExternalIdentity,
    Invitation,
    LoginAttempt,
    Membership,
    Role,
    SignInMethod,
    SignInRequirement,
    User,
)
from tenantry.models.organization import (
    CustomPropertyDefinition,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    PlatformConfig,
    PlatformModel,
    Segment,
    organization_segments,
)
from tenantry.models.outbox import OutboxItem, OutboxStatus
from tenantry.models.tenant import (
    EventOutcome,
    GdapRelationship,
    GdapStatus,
    LinkMethod,
    MicrosoftTenant,
    PartnerCenterEvent,
    ServiceDetails,
    ServiceDetailsStatus,
    TenantChoice,
)

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuthSession",
    "Base",
    "CartItem",
    "CustomPropertyDefinition",
    "EmailToken",
    "EmailTokenPurpose",
    "EventOutcome",
    "ExternalIdentity",
    "GdapRelationship",
    "GdapStatus",
    "IdempotencyRecord",
    "Invitation",
    "LinkMethod",
    "LoginAttempt",
    "Membership",
    "MicrosoftTenant",
    "Order",
    "OrderStatus",
    "Organization",
    "OrganizationKind",
    "OrganizationStatus",
    "OutboxItem",
    "OutboxStatus",
    "PartnerCenterEvent",
    "PlatformConfig",
    "PlatformModel",
    "Role",
    "Segment",
    "ServiceDetails",
    "ServiceDetailsStatus",
    "SignInMethod",
    "SignInRequirement",
    "TenantChoice",
    "User",
    "organization_segments",
    "utcnow",
]
