"""The identity platform's state: token-signing keys and issued refresh tokens.

Refresh tokens are opaque random strings; only their SHA-256 is stored. As with Microsoft's, a
refresh token stays valid until it expires even after it has been exchanged for a new one.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow


class SigningKey(SandboxBase):
    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_jwk: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RefreshToken(SandboxBase):
    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    tenant_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    user_principal_name: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
