"""The authorization link, emailed to the customer: who asks, why, and what happens next."""

from __future__ import annotations

import re
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Conflict, FieldError, ValidationFailed
from tenantry.models import ServiceDetailsStatus, utcnow
from tenantry.notifications import send_email
from tenantry.security import Actor, Permission, require
from tenantry.tenants.service_details import Step, load

TEMPLATE = "tenant_authorization"
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


async def email_link(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, to: str | None
) -> tuple[Step, str]:
    """Queue the email with the authorization link; returns the step and the recipient.
    Sending the same link to the same address again within a minute sends it once."""
    require(actor, Permission.TENANTS_MANAGE)
    step = await load(session, actor, organization_id)
    details = step.details
    if (
        details is None
        or details.status is not ServiceDetailsStatus.AWAITING_AUTHORIZATION
        or not details.authorization_url
    ):
        raise Conflict(
            "there is no authorization link to send: choose 'already using Microsoft 365' in "
            "Service Details first",
            reason="no_authorization_requested",
        )
    recipient = (to or step.organization.contact_email or "").strip().lower()
    if not recipient:
        raise ValidationFailed(
            [FieldError("to", "required", "enter the email address of the customer's contact")]
        )
    if not _ADDRESS.fullmatch(recipient):
        raise ValidationFailed(
            [FieldError("to", "email", f"'{recipient}' is not an email address")]
        )
    seller = step.sellers.seller.display_name
    distributor = step.sellers.platform.display_name if step.sellers.reseller else None
    minute = utcnow().strftime("%Y%m%d%H%M")
    await send_email(
        session,
        to=recipient,
        template=TEMPLATE,
        context={
            "organization": step.organization.display_name,
            "seller": seller,
            "distributor": distributor,
            "asked_by": actor.label,
            "customer_domain": details.customer_domain,
            "authorization_url": details.authorization_url,
        },
        idempotency_key=f"{TEMPLATE}:{details.organization_id}:{recipient}:{minute}",
    )
    await record(
        session, actor, action="service_details.link_emailed", target_type="organization",
        target_id=step.organization.id, organization_id=step.organization.id,
        changes={"after": {"to": recipient}},
    )  # fmt: skip
    return step, recipient
