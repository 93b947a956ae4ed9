"""What a list of organizations is narrowed to, as the API and the pages take it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tenantry.models import OrganizationKind, OrganizationStatus


@dataclass(frozen=True)
class OrganizationFilter:
    status: OrganizationStatus | None = None
    kind: OrganizationKind | None = None
    segment_id: uuid.UUID | None = None
    reseller_id: uuid.UUID | None = None
    q: str | None = None
