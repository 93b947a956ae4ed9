"""Agreements: template metadata, confirming a customer's acceptance of the Microsoft Customer
Agreement (attestation), reading confirmations, and the customer's own (direct) signature.

- ``GET /v1/agreements?agreementType=`` (App+User; omitted: Microsoft Cloud Agreement, ``*``: all)
- ``POST /v1/customers/{id}/agreements`` (App+User) -> 201, ``userId`` from the token
- ``GET /v1/customers/{id}/agreements?agreementType=`` (App+User)
- ``GET /v1/customers/{id}/directSignedMicrosoftCustomerAgreementStatus`` (App+User)
- ``GET /v1/agreementtemplates/{templateId}/document?language=&country=`` (App+User): the
  document links of the Microsoft Customer Agreement for a country (case-sensitive, ``US`` when
  omitted; 400 for a country without one) and language (``en-US`` when omitted or not offered)
"""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query

from tenantry_sandbox import errors
from tenantry_sandbox.api import CustomerOfUser, Session, UserCaller, partner_center_router
from tenantry_sandbox.resources import Collection, collection
from tenantry_sandbox.schemas.agreements import (
    AgreementDocumentOut,
    AgreementIn,
    AgreementMetadataOut,
    AgreementOut,
    DirectSignedStatusOut,
    agreement,
    agreement_metadata,
)
from tenantry_sandbox.store import agreements
from tenantry_sandbox.store.agreements import (
    DEFAULT_DOCUMENT_COUNTRY,
    MICROSOFT_CUSTOMER_AGREEMENT,
    CustomerAgreement,
    document_language,
    templates_of,
)

router = partner_center_router(tags=["agreements"])


def _templates(agreement_type: str | None) -> list[agreements.AgreementTemplate]:
    templates = templates_of(agreement_type)
    if templates is None:
        raise errors.invalid_property(
            f"agreementType '{agreement_type}' is not supported.", "agreementType"
        )
    return templates


@router.get("/agreements", summary="Get agreement metadata")
async def agreement_metadata_list(
    caller: UserCaller,
    agreement_type: Annotated[str | None, Query(alias="agreementType")] = None,
) -> Collection[AgreementMetadataOut]:
    items = [agreement_metadata(t) for t in _templates(agreement_type)]
    return collection(items, self_uri="/agreements")


@router.post(
    "/customers/{customer_id:uuid}/agreements",
    status_code=201,
    summary="Confirm a customer's acceptance of an agreement",
)
async def confirm_agreement(
    body: AgreementIn, customer: CustomerOfUser, caller: UserCaller, session: Session
) -> AgreementOut:
    contact = body.primary_contact
    required: dict[str, Any] = {
        "primaryContact.firstName": contact and contact.first_name,
        "primaryContact.lastName": contact and contact.last_name,
        "primaryContact.email": contact and contact.email,
        "templateId": body.template_id,
        "dateAgreed": body.date_agreed,
        "type": body.type,
    }
    missing = [name for name, value in required.items() if not value]
    if missing:
        raise errors.invalid_property(
            "Required properties are missing: " + ", ".join(missing), *missing
        )
    assert contact is not None and body.date_agreed is not None and body.type is not None
    templates = _templates(body.type)
    template = next((t for t in templates if str(t.template_id) == body.template_id), None)
    if template is None:
        raise errors.invalid_property(
            f"templateId {body.template_id} is not the current template of {body.type}.",
            "templateId",
        )
    date_agreed = body.date_agreed
    if date_agreed.tzinfo is None:
        date_agreed = date_agreed.replace(tzinfo=UTC)
    row = CustomerAgreement(
        id=uuid.uuid4(),
        customer_id=customer.id,
        partner_tenant_id=caller.tenant_id,
        template_id=template.template_id,
        agreement_type=template.agreement_type,
        date_agreed=date_agreed,
        contact_first_name=contact.first_name or "",
        contact_last_name=contact.last_name or "",
        contact_email=contact.email or "",
        contact_phone_number=contact.phone_number,
        user_id=caller.object_id,
    )
    session.add(row)
    await session.flush()
    return agreement(row, link=None, with_user=True)


@router.get("/customers/{customer_id:uuid}/agreements", summary="Get confirmed agreements")
async def customer_agreements(
    customer: CustomerOfUser,
    session: Session,
    agreement_type: Annotated[str | None, Query(alias="agreementType")] = None,
) -> Collection[AgreementOut]:
    templates = _templates(agreement_type or "*")
    links = {t.agreement_type: t.agreement_link for t in templates}
    rows = await agreements.of_customer(session, customer.id, list(links))
    items = [agreement(row, link=links[row.agreement_type], with_user=False) for row in rows]
    result = collection(items)
    result.attributes = None  # the documented answer carries only totalCount and items
    return result


@router.get(
    "/customers/{customer_id:uuid}/directSignedMicrosoftCustomerAgreementStatus",
    summary="Whether the customer accepted the Microsoft Customer Agreement itself",
)
async def direct_signed_status(customer: CustomerOfUser) -> DirectSignedStatusOut:
    return DirectSignedStatusOut(is_signed=customer.mca_direct_signed)


@router.get(
    "/agreementtemplates/{template_id}/document",
    summary="Links to an agreement template's document for a country and language",
)
async def agreement_document(
    template_id: str,
    caller: UserCaller,
    language: Annotated[str | None, Query()] = None,
    country: Annotated[str | None, Query()] = None,
) -> AgreementDocumentOut:
    template = MICROSOFT_CUSTOMER_AGREEMENT
    if template_id.strip().lower() != str(template.template_id):
        raise errors.not_found(
            f"Agreement template {template_id} was not found; only the Microsoft Customer "
            "Agreement has documents."
        )
    country = country or DEFAULT_DOCUMENT_COUNTRY
    given = document_language(country, language)
    if given is None:
        raise errors.invalid_property(
            f"The Microsoft Customer Agreement is not offered in country '{country}'.", "country"
        )
    query = urlencode({"country": country, "language": given})
    return AgreementDocumentOut(
        country=country,
        language=given,
        display_uri=f"{template.agreement_link}?{query}",
        download_uri=f"{template.agreement_link}?{query}&format=docx",
    )
