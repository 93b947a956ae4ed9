"""Responses to writes, kept so a retry with the same ``MS-RequestId`` replays the first answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow


class StoredResponse(SandboxBase):
    __tablename__ = "idempotent_responses"

    partner_tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    method: Mapped[str] = mapped_column(String(8), primary_key=True)
    path: Mapped[str] = mapped_column(String(512), primary_key=True)
    status: Mapped[int]
    headers: Mapped[str] = mapped_column(Text)  # JSON list of [name, value]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
