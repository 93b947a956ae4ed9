"""Agreement bodies: template metadata, customer acceptances, direct-signed status."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import field_serializer

from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.resources import ResponseModel
from tenantry_sandbox.store.agreements import AgreementTemplate, CustomerAgreement


class AgreementMetadataOut(ResponseModel):
    template_id: uuid.UUID
    agreement_type: str
    agreement_link: str
    version_rank: int


class ContactIn(RequestModel):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone_number: str | None = None


class AgreementIn(RequestModel):
    primary_contact: ContactIn | None = None
    template_id: str | None = None
    date_agreed: datetime | None = None
    type: str | None = None


class Contact(ResponseModel):
    first_name: str
    last_name: str
    email: str
    phone_number: str | None = None


class AgreementOut(ResponseModel):
    user_id: uuid.UUID | None = None
    primary_contact: Contact
    template_id: uuid.UUID
    date_agreed: datetime
    type: str
    agreement_link: str | None = None

    @field_serializer("date_agreed")
    def _utc_milliseconds(self, value: datetime) -> str:
        """``2018-06-14T00:00:00.000Z``, as the service writes dates."""
        return (
            value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{value.microsecond // 1000:03d}Z"
        )


class AgreementDocumentOut(ResponseModel):
    country: str
    language: str
    display_uri: str
    download_uri: str
    attributes: dict[str, str] = {"objectType": "AgreementDocument"}


class DirectSignedStatusOut(ResponseModel):
    is_signed: bool


def agreement_metadata(template: AgreementTemplate) -> AgreementMetadataOut:
    return AgreementMetadataOut(
        template_id=template.template_id,
        agreement_type=template.agreement_type,
        agreement_link=template.agreement_link,
        version_rank=template.version_rank,
    )


def agreement(row: CustomerAgreement, *, link: str | None, with_user: bool) -> AgreementOut:
    return AgreementOut(
        user_id=row.user_id if with_user else None,
        primary_contact=Contact(
            first_name=row.contact_first_name,
            last_name=row.contact_last_name,
            email=row.contact_email,
            phone_number=row.contact_phone_number,
        ),
        template_id=row.template_id,
        date_agreed=row.date_agreed,
        type=row.agreement_type,
        agreement_link=link,
    )
