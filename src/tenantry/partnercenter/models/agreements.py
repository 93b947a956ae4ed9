"""Microsoft Customer Agreement attestation and the indirect reseller's MPA status."""

from __future__ import annotations

from tenantry.partnercenter.models.base import (
    Attributes,
    PartnerCenterModel,
    Resource,
    Timestamp,
    WireEnum,
)


class AgreementType(WireEnum):
    MICROSOFT_CUSTOMER_AGREEMENT = "MicrosoftCustomerAgreement"
    MICROSOFT_CLOUD_AGREEMENT = "MicrosoftCloudAgreement"


class AgreementMetadata(Resource):
    """An agreement template; its ``template_id`` goes into the attestation."""

    template_id: str | None = None
    agreement_type: str | None = None
    agreement_link: str | None = None
    version_rank: int | None = None


class AgreementDocument(Resource):
    """Where to read (``display_uri``) and download (``download_uri``, Word) an agreement
    template's document for a country and language."""

    country: str | None = None
    language: str | None = None
    display_uri: str | None = None
    download_uri: str | None = None


class Contact(PartnerCenterModel):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone_number: str | None = None


class Agreement(PartnerCenterModel):
    """The partner's confirmation that the customer accepted an agreement.

    ``user_id`` (the confirming partner user) is filled in by Partner Center from the token.
    """

    user_id: str | None = None
    primary_contact: Contact | None = None
    template_id: str | None = None
    date_agreed: Timestamp = None
    type: str | None = None
    agreement_link: str | None = None
    attributes: Attributes | None = None


class MpaStatus(PartnerCenterModel):
    is_agreement_signed: bool


class DirectSignedStatus(PartnerCenterModel):
    """True when the customer accepted the Microsoft Customer Agreement in the admin center."""

    is_signed: bool
