"""Agreement templates and the customer acceptances partners confirm (MCA attestation)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.binding import enum_key
from tenantry_sandbox.db import SandboxBase, utcnow


@dataclass(frozen=True)
class AgreementTemplate:
    template_id: uuid.UUID
    agreement_type: str
    agreement_link: str
    version_rank: int = 0


MICROSOFT_CUSTOMER_AGREEMENT = AgreementTemplate(
    uuid.UUID("117a77b0-9360-443b-8795-c6dedc750cf9"),
    "MicrosoftCustomerAgreement",
    "https://aka.ms/customeragreement",
)
MICROSOFT_CLOUD_AGREEMENT = AgreementTemplate(
    uuid.UUID("998b88de-aa99-4388-a42c-1b3517d49490"),
    "MicrosoftCloudAgreement",
    "https://learn.microsoft.com/partner-center/agreements",
)
TEMPLATES = (MICROSOFT_CLOUD_AGREEMENT, MICROSOFT_CUSTOMER_AGREEMENT)


def templates_of(agreement_type: str | None) -> list[AgreementTemplate] | None:
    """Templates for ``agreementType`` (omitted: Microsoft Cloud Agreement; ``*``: all);
    None for an unknown type."""
    if agreement_type is None:
        return [MICROSOFT_CLOUD_AGREEMENT]
    if agreement_type.strip() == "*":
        return list(TEMPLATES)
    matching = [t for t in TEMPLATES if enum_key(t.agreement_type) == enum_key(agreement_type)]
    return matching or None


# The countries whose Microsoft Customer Agreement document the sandbox offers, and in which
# languages (a sample of Microsoft's list; the first is the country's own).
DOCUMENT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "US": ("en-US", "es-US"),
    "CA": ("en-CA", "fr-CA"),
    "GB": ("en-GB",),
    "IE": ("en-IE",),
    "DK": ("da-DK", "en-US"),
    "SE": ("sv-SE", "en-US"),
    "NO": ("nb-NO", "en-US"),
    "FI": ("fi-FI", "sv-FI", "en-US"),
    "DE": ("de-DE", "en-US"),
    "AT": ("de-AT", "en-US"),
    "CH": ("de-CH", "fr-CH", "it-CH", "en-US"),
    "FR": ("fr-FR", "en-US"),
    "BE": ("nl-BE", "fr-BE", "en-US"),
    "NL": ("nl-NL", "en-US"),
    "ES": ("es-ES", "en-US"),
    "IT": ("it-IT", "en-US"),
    "PL": ("pl-PL", "en-US"),
}
DEFAULT_DOCUMENT_COUNTRY = "US"
DEFAULT_DOCUMENT_LANGUAGE = "en-US"


def document_language(country: str, language: str | None) -> str | None:
    """The language the document is given in (``en-US`` when the one asked for is not offered
    in the country), or None when the country has no document."""
    offered = DOCUMENT_LANGUAGES.get(country)
    if offered is None:
        return None
    return language if language in offered else DEFAULT_DOCUMENT_LANGUAGE


class CustomerAgreement(SandboxBase):
    __tablename__ = "customer_agreements"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    partner_tenant_id: Mapped[uuid.UUID]
    template_id: Mapped[uuid.UUID]
    agreement_type: Mapped[str] = mapped_column(String(64))
    date_agreed: Mapped[datetime]
    contact_first_name: Mapped[str] = mapped_column(String(50))
    contact_last_name: Mapped[str] = mapped_column(String(50))
    contact_email: Mapped[str] = mapped_column(String(256))
    contact_phone_number: Mapped[str | None] = mapped_column(String(64))
    # The partner user who confirmed the acceptance (the App+User token's object id).
    user_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


async def of_customer(
    session: AsyncSession, customer_id: uuid.UUID, agreement_types: list[str]
) -> list[CustomerAgreement]:
    rows = await session.execute(
        select(CustomerAgreement)
        .where(
            CustomerAgreement.customer_id == customer_id,
            CustomerAgreement.agreement_type.in_(agreement_types),
        )
        .order_by(CustomerAgreement.date_agreed, CustomerAgreement.created_at)
    )
    return list(rows.scalars())
