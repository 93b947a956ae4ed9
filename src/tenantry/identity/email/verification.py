"""Proving that a person owns their email address, by a link sent to it.

An account whose address is not proven may sign in and look around, but may not order:
the orders code calls :func:`require_verified_email` before it places anything with
Microsoft, so nobody can buy on the strength of an address they do not read.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Forbidden
from tenantry.identity.email import tokens as email_tokens
from tenantry.identity.on_behalf.service import refuse_credential_change
from tenantry.models import EmailTokenPurpose, User, utcnow
from tenantry.notifications import send_email
from tenantry.security import Actor

PURPOSE = EmailTokenPurpose.VERIFY_EMAIL


class EmailNotVerified(Forbidden):
    code: ClassVar[str] = "email_not_verified"
    title: ClassVar[str] = "Email address not verified"


def require_verified_email(user: User) -> None:
    """Raise a 403 (code ``email_not_verified``) unless ``user`` has proven their address.

    Call it before anything that spends money or binds the organization (placing an order);
    the problem tells the person to use the link we emailed, or ask for a new one at
    ``POST /verify-email/send``.
    """
    if user.email_verified_at is None:
        raise EmailNotVerified(
            "confirm your email address first: use the link we emailed you, or ask for a new one"
        )


async def send_link(session: AsyncSession, actor: Actor | None, user: User) -> None:
    """Email ``user`` a new verification link (earlier links stop working). Never from a session
    acting for a customer."""
    if actor is not None:
        refuse_credential_change(actor)
    issued = await email_tokens.issue(session, user, PURPOSE)
    await record(
        session, actor, action="user.email_verification_sent", target_type="user",
        target_id=user.id, organization_id=actor.organization_id if actor else None,
        actor_label=None if actor else user.email,
    )  # fmt: skip
    await send_email(
        session,
        to=user.email,
        template="verify_email",
        context={
            "full_name": user.full_name,
            "token": issued.secret,
            "valid_hours": int(email_tokens.LIFETIME[PURPOSE].total_seconds() // 3600),
        },
        idempotency_key=f"verify_email:{issued.token.id}",
    )


async def verify(session: AsyncSession, secret: str) -> User:
    """Use a verification link: the address is proven from now on. Raises
    :class:`~tenantry.identity.email_tokens.TokenRefused` for an unknown, used or expired link."""
    token = await email_tokens.consume(session, secret, PURPOSE)
    user = await session.get_one(User, token.user_id)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        await record(
            session, None, action="user.email_verified", target_type="user", target_id=user.id,
            organization_id=None, actor_label=user.email, changes={"after": {"email": user.email}},
        )  # fmt: skip
    await session.flush()
    return user
