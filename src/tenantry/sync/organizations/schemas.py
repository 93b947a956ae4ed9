"""The bill-to of an organization beside Partner Center's, and taking Partner Center's values."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from tenantry.schemas import InputSchema

BillToFieldName = Literal[
    "legal_name",
    "address.line1",
    "address.line2",
    "address.city",
    "address.region",
    "address.postal_code",
    "address.country",
    "primary_contact.name",
    "primary_contact.email",
    "primary_contact.phone",
]


class BillToDifference(BaseModel):
    field: BillToFieldName = Field(description="The organization's field (as in its API)")
    label: str
    tenantry: str | None = Field(description="The organization's value in Tenantry")
    partner_center: str | None = Field(description="The value in Partner Center's bill-to")


class BillToRead(BaseModel):
    organization_id: uuid.UUID
    linked: bool = Field(
        description="A Partner Center customer holds the organization's tenant and the sync read "
        "its bill-to; when false, differences and missing are empty"
    )
    account_id: uuid.UUID | None = None
    tenant_id: uuid.UUID | None = None
    read_at: datetime | None = Field(
        default=None, description="When the sync last read the customer in Partner Center"
    )
    differences: list[BillToDifference]
    incomplete: bool = Field(
        description="Partner Center's bill-to lacks what an order needs: orders to this "
        "customer will fail until it is completed in Partner Center"
    )
    missing: list[str] = Field(
        description="What the bill-to lacks, by Partner Center's field names "
        "(companyName, email, firstName, lastName, defaultAddress.addressLine1, "
        "defaultAddress.city, defaultAddress.state, defaultAddress.postalCode, "
        "defaultAddress.country, defaultAddress.phoneNumber)"
    )
    version: int = Field(description="The organization's version; send it as If-Match to take")


class BillToTake(InputSchema):
    fields: list[BillToFieldName] = Field(
        min_length=1, max_length=10,
        description="The fields whose Partner Center value the organization takes; fields that "
        "do not differ are left alone",
    )  # fmt: skip


class BillToTaken(BillToRead):
    taken: list[BillToFieldName] = Field(description="The fields that took Partner Center's value")
