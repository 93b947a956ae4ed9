"""Microsoft Customer Agreement: templates, attestations, direct-signed status."""

from __future__ import annotations

from tenantry.partnercenter.core import APP_USER, ClientCore
from tenantry.partnercenter.models.agreements import (
    Agreement,
    AgreementDocument,
    AgreementMetadata,
    AgreementType,
    DirectSignedStatus,
)


class AgreementOperations(ClientCore):
    async def get_agreement_metadata(
        self, agreement_type: AgreementType | str = AgreementType.MICROSOFT_CUSTOMER_AGREEMENT
    ) -> list[AgreementMetadata]:
        """Agreement templates of a type; the attestation names one by ``template_id``."""
        return await self._items(
            AgreementMetadata,
            "get_agreement_metadata",
            self._pc_url("agreements"),
            params={"agreementType": str(agreement_type)},
            auth=APP_USER,
        )

    async def get_agreement_document(
        self, template_id: str, *, language: str | None = None, country: str | None = None
    ) -> AgreementDocument:
        """Links to a template's document for the customer's country (case-sensitive, Partner
        Center assumes ``US`` when omitted) and language (``en-US`` when omitted or not offered
        in that country)."""
        params = {k: v for k, v in (("language", language), ("country", country)) if v}
        return await self._call(
            AgreementDocument,
            "get_agreement_document",
            "GET",
            self._pc_url("agreementtemplates", template_id, "document"),
            params=params or None,
            auth=APP_USER,
        )

    async def create_customer_agreement(self, customer_id: str, agreement: Agreement) -> Agreement:
        """Confirm that the customer accepted the agreement (needed before any purchase)."""
        return await self._call(
            Agreement,
            "create_customer_agreement",
            "POST",
            self._pc_url("customers", customer_id, "agreements"),
            body=agreement,
            auth=APP_USER,
        )

    async def list_customer_agreements(
        self,
        customer_id: str,
        agreement_type: AgreementType | str = AgreementType.MICROSOFT_CUSTOMER_AGREEMENT,
    ) -> list[Agreement]:
        return await self._items(
            Agreement,
            "list_customer_agreements",
            self._pc_url("customers", customer_id, "agreements"),
            params={"agreementType": str(agreement_type)},
            auth=APP_USER,
        )

    async def get_direct_signed_status(self, customer_id: str) -> DirectSignedStatus:
        """Whether the customer accepted the agreement themselves in the admin center."""
        return await self._call(
            DirectSignedStatus,
            "get_direct_signed_status",
            "GET",
            self._pc_url("customers", customer_id, "directSignedMicrosoftCustomerAgreementStatus"),
            auth=APP_USER,
        )
