"""What a merge asks for and answers: which organization goes, and per field whose value stays."""

from __future__ import annotations

import enum
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tenantry.organizations.schemas import OrganizationRead


class MergeField(enum.StrEnum):
    """The fields the wizard shows side by side (the address and contact as wholes)."""

    LEGAL_NAME = "legal_name"
    DISPLAY_NAME = "display_name"
    REGISTRATION_NUMBER = "registration_number"
    VAT_ID = "vat_id"
    DOMAIN = "domain"
    INDUSTRY = "industry"
    ADDRESS = "address"
    PRIMARY_CONTACT = "primary_contact"
    PREFERRED_CURRENCY = "preferred_currency"
    ERP_ID = "erp_id"
    PARENT = "parent"  # the reseller that serves a customer
    MPN_ID = "mpn_id"  # a reseller's MPN ID
    SEGMENTS = "segments"
    CUSTOM_PROPERTIES = "custom_properties"


Side = Literal["keep", "merge"]


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merge_id: uuid.UUID = Field(
        description="The organization merged into the one in the path; it is deleted and its "
        "id redirects to the kept one."
    )
    fields: dict[MergeField, Side] = Field(
        default_factory=dict,
        description='Per field, whose value stays: "keep" (the default) or "merge". The '
        "tenant is not chosen: the one either holds stays (two different tenants are refused).",
    )


class MergeResult(BaseModel):
    organization: OrganizationRead
    merged_id: uuid.UUID
    # Rows moved from the merged organization, per table.column.
    moved: dict[str, int]
