"""Request and answer shapes of the platform's own agreements (/api/v1/platform-agreements)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import Path
from pydantic import Field, Strict

from tenantry.models import AgreementKind
from tenantry.schemas import Id, InputSchema, ReadSchema
from tenantry.text import Text

BODY_MAX = 100_000
# A version number in a path fits the database's integer column (larger ones are none: 422).
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]


class PlatformAgreement(enum.StrEnum):
    """The platform's own agreements (the Microsoft Customer Agreement is Microsoft's)."""

    PLATFORM_TERMS = AgreementKind.PLATFORM_TERMS.value
    PROFESSIONAL_SECRECY = AgreementKind.PROFESSIONAL_SECRECY.value

    @property
    def kind(self) -> AgreementKind:
        return AgreementKind(self.value)


class VersionCreate(InputSchema):
    """A new version: published at once, never edited afterwards (a change is a new version)."""

    title: Annotated[str, Text(min_length=1, max_length=200)]
    body: Annotated[str, Text(min_length=1, max_length=BODY_MAX, multiline=True)]
    # JSON carries dates as text (the strict input mode wants a date object).
    effective_on: Annotated[date, Strict(False)] | None = Field(
        default=None,
        description="The day (UTC) from which customers accept this version; today when left "
        "out. Not in the past, nor before the previous version's.",
    )


class VersionRead(ReadSchema):
    id: uuid.UUID
    kind: AgreementKind
    version: int
    title: str
    body: str
    effective_on: date | None
    published_at: datetime
    published_by_id: uuid.UUID | None


class SecrecySegments(InputSchema):
    """The segments whose organizations sign the professional-secrecy agreement (all of them:
    a segment left out no longer requires it)."""

    segment_ids: list[Id] = Field(max_length=500)


class SecrecySegmentsRead(ReadSchema):
    segment_ids: list[uuid.UUID]


class SecrecyRequirement(InputSchema):
    """The whole setting (a PUT, not a partial update): whether the customer signs it."""

    required: bool


class AcceptanceRead(ReadSchema):
    version: int
    accepted_at: datetime
    accepted_by: str


class AgreementStatusRead(ReadSchema):
    """One of the platform's agreements for one organization."""

    kind: AgreementKind
    required: bool = Field(description="Whether the organization must accept it before ordering")
    required_because: list[str] = Field(
        description="Why: 'organization' (marked itself) or the names of its segments that "
        "require it; 'customer' for the platform's terms"
    )
    current_version: int | None = Field(description="None while no version applies yet")
    accepted: AcceptanceRead | None = Field(description="Its latest acceptance, of any version")
    satisfied: bool = Field(description="Accepted in the current version, or not required")


class OrganizationAgreementsRead(ReadSchema):
    organization_id: uuid.UUID
    requires_professional_secrecy: bool = Field(
        description="Marked on the organization itself (its segments may also require it)"
    )
    agreements: list[AgreementStatusRead]
