"""What the sync API takes and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from tenantry.models import SyncRunStatus, SyncScope, SyncTrigger
from tenantry.schemas import Id, InputSchema, ReadSchema


class SyncRunCreate(InputSchema):
    scope: Literal["platform", "reseller", "organization"] = Field(description="platform, reseller (the reseller and its customers) "
                             "or organization (one customer)")  # fmt: skip
    organization_id: Id | None = Field(
        default=None, description="The reseller or customer organization; not for platform"
    )


class SyncRunErrorRead(ReadSchema):
    tenant_id: uuid.UUID | None
    company_name: str | None
    organization_id: uuid.UUID | None
    code: str
    message: str
    occurred_at: datetime


class SyncRunRead(ReadSchema):
    id: uuid.UUID
    scope: SyncScope
    scope_organization_id: uuid.UUID | None
    scope_tenant_id: uuid.UUID | None
    trigger: SyncTrigger
    status: SyncRunStatus
    joined: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    created: int
    updated: int
    unchanged: int
    matched: int
    merged: int
    failed: int
    calls_made: int
    calls_saved: int
    error: str | None


class SyncRunDetail(SyncRunRead):
    errors: list[SyncRunErrorRead] = Field(default_factory=list)


class SyncRunRequested(SyncRunRead):
    joined_existing: bool = Field(description="True when the request joined a run already "
                                  "queued or running instead of starting one")  # fmt: skip
