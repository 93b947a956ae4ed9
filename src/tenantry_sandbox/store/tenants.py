"""Directory tenants: every organization in the sandbox's world, partner or customer.

A tenant is what Microsoft Entra ID holds; Partner Center's partners and customers each point at
one. Domains and (later) people belong to tenants, so a domain prefix is unique across both.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow


class TenantKind(StrEnum):
    PARTNER = "partner"
    CUSTOMER = "customer"


class Tenant(SandboxBase):
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
