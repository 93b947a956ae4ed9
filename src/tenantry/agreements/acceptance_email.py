"""The acceptance request: an email asking the customer's admin to accept the Microsoft Customer
Agreement in the Microsoft 365 admin center (how a reseller, which may not attest, gets it
accepted). It says who asks and links to the admin center page; it carries no credentials. Once
the customer signed there, Partner Center reports the agreement signed directly.

Sent at most once a day to one address for one customer (a double click sends one email).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import attestations
from tenantry.audit.service import record
from tenantry.errors import Conflict, invalid
from tenantry.models import Organization, utcnow
from tenantry.notifications import send_email
from tenantry.partnercenter.links import customer_agreement_url
from tenantry.security import Actor, Permission, require


@dataclass(frozen=True)
class Sent:
    sent_to: str
    link: str
    already_sent_today: bool


def _address(value: str | None, organization: Organization) -> str:
    raw = (value or "").strip() or organization.contact_email
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise invalid("to", "email", f"'{raw}' is not a valid email address: {exc}") from exc


async def send(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, to: str | None, *,
    admin_center_url: str,
) -> Sent:  # fmt: skip
    if not actor.can(Permission.AGREEMENTS_ATTEST):
        require(actor, Permission.AGREEMENTS_REQUEST_ATTESTATION)
    organization = await attestations.customer(session, actor, organization_id)
    view = await attestations.view(session, actor, organization)
    if view.satisfied:
        raise Conflict(
            f"{organization.display_name} has already accepted the Microsoft Customer Agreement "
            f"({view.state.replace('_', ' ')}); no request was sent"
        )
    address = _address(to, organization)
    link = customer_agreement_url(admin_center_url=admin_center_url)
    requester = await session.get_one(Organization, actor.organization_id)
    started = utcnow()
    key = f"mca_acceptance_request:{organization.id}:{address}:{started.date().isoformat()}"
    outbox = await send_email(
        session, to=address, template="mca_acceptance_request",
        context={
            "customer": organization.display_name, "contact_name": organization.contact_name,
            "requester": requester.display_name,
            # A person's name; never an API token's label (it shows part of the token).
            "requested_by": actor.label if actor.user_id else "", "link": link,
        },
        idempotency_key=key,
    )  # fmt: skip
    # The outbox answers the row of an earlier send with the same key: nothing new is sent.
    already = outbox.created_at.replace(tzinfo=None) < started.replace(tzinfo=None)
    if not already:
        await record(
            session, actor, action="agreements.mca_acceptance_request_sent",
            target_type="organization", target_id=organization.id,
            organization_id=organization.id, platform_id=organization.platform_id,
            changes={"after": {"to": address}},
        )  # fmt: skip
    return Sent(address, link, already)
