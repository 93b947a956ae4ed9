"""Where an organization was first made (its own module: organization.py and sync.py use it)."""

from __future__ import annotations

import enum


class OrganizationSource(enum.StrEnum):
    TENANTRY = "tenantry"  # created by staff, registration or demo data
    PARTNER_CENTER = "partner_center"  # created by the sync from a Partner Center customer
