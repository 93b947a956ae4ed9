"""All models, importable from one place (Alembic reads ``Base.metadata`` from here)."""

from tenantry.models.audit import AuditEvent
from tenantry.models.base import Base, utcnow
from tenantry.models.idempotency import IdempotencyRecord
from tenantry.models.identity import (
    ApiToken,
    AuthSession,
    EmailToken,
    EmailTokenPurpose,
    LoginAttempt,
    Membership,
    Role,
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

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuthSession",
    "Base",
    "CustomPropertyDefinition",
    "EmailToken",
    "EmailTokenPurpose",
    "IdempotencyRecord",
    "LoginAttempt",
    "Membership",
    "Organization",
    "OrganizationKind",
    "OrganizationStatus",
    "OutboxItem",
    "OutboxStatus",
    "PlatformConfig",
    "PlatformModel",
    "Role",
    "Segment",
    "User",
    "organization_segments",
    "utcnow",
]
