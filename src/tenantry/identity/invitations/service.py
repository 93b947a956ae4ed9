"""Invitations: the only way a person joins an organization someone else administers.

An admin invites an address in a role; the person behind it gets a single-use link that expires,
and joins only when they accept it, signed in with an account of that address. Inviting answers
the same whether or not the address has an account, so an admin learns nothing about accounts
outside their scope (no name, no last sign-in, not even whether one exists).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import diff, record
from tenantry.errors import Conflict, FieldError, Forbidden, NotFound
from tenantry.identity.email.tokens import Refusal, TokenRefused
from tenantry.identity.invitations.schemas import InvitationCreate
from tenantry.identity.service import (
    add_membership,
    administered,
    check_role_ceiling,
    check_role_fits,
)
from tenantry.models import Invitation, Membership, Organization, User, utcnow
from tenantry.notifications import send_email
from tenantry.pagination import aware_datetime, keyset_page
from tenantry.security import Actor, Permission, hash_secret, new_secret

LIFETIME = timedelta(days=7)
SECRET_PREFIX = "tin"  # noqa: S105 - a prefix, not a secret
ACCEPT_PATH = "/invitations/accept"


async def _send(
    session: AsyncSession, actor: Actor, organization: Organization, invitation: Invitation
) -> None:
    """Give the invitation a new secret and expiry (older links stop working) and email it."""
    secret, digest = new_secret(SECRET_PREFIX)
    invitation.token_hash = digest
    invitation.expires_at = utcnow() + LIFETIME
    await session.flush()
    await send_email(
        session,
        to=invitation.email,
        template="invitation",
        context={
            "organization": organization.display_name,
            "role": invitation.role.value.replace("_", " "),
            "invited_by": actor.label,
            "token": secret,
            "valid_days": LIFETIME.days,
        },
        idempotency_key=f"invitation:{invitation.id}:{invitation.sent_count}",
    )


async def _is_member(session: AsyncSession, organization: Organization, email: str) -> bool:
    query = (
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == organization.id, func.lower(User.email) == email)
    )
    return (await session.execute(query)).first() is not None


async def invite(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, data: InvitationCreate
) -> Invitation:
    """Invite ``data.email``; an open invitation of the same address is sent again instead.

    Being a member already is said (409): the caller sees the organization's members anyway.
    """
    organization = await administered(session, actor, organization_id, Permission.MEMBERS_MANAGE)
    check_role_fits(organization, data.role)
    check_role_ceiling(actor, data.role)
    email = data.email.strip().lower()
    if await _is_member(session, organization, email):
        message = f"{email} is a member of {organization.display_name} already"
        raise Conflict(message, errors=[FieldError("email", "already_member", message)])
    invitation = (
        await session.execute(
            select(Invitation).where(
                Invitation.organization_id == organization.id,
                Invitation.email == email,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if invitation is not None:
        invitation.role = data.role
        invitation.sent_count += 1
    else:
        invitation = Invitation(
            organization_id=organization.id, email=email, role=data.role, token_hash="",
            invited_by_id=actor.user_id, expires_at=utcnow(), sent_count=1,
        )  # fmt: skip
        session.add(invitation)
    await _send(session, actor, organization, invitation)
    await record(
        session, actor, action="invitation.sent", target_type="invitation",
        target_id=invitation.id, organization_id=organization.id,
        platform_id=organization.platform_id,
        changes=diff({}, {"email": email, "role": data.role, "expires_at": invitation.expires_at}),
    )  # fmt: skip
    return invitation


async def invitations_page(
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[Invitation], str | None]:
    """The invitations not accepted or revoked (expired ones too, to send again), oldest first."""
    organization = await administered(
        session, actor, organization_id, Permission.MEMBERS_MANAGE, for_update=False
    )
    query = select(Invitation).where(
        Invitation.organization_id == organization.id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
    )
    rows, next_cursor = await keyset_page(
        session, query, sort_column=Invitation.created_at, id_column=Invitation.id,
        cursor=cursor, limit=limit, parse_sort_value=aware_datetime,
    )  # fmt: skip
    return list(rows), next_cursor


async def _open_invitation(
    session: AsyncSession, organization: Organization, invitation_id: uuid.UUID
) -> Invitation:
    invitation = (
        await session.execute(
            select(Invitation).where(
                Invitation.id == invitation_id, Invitation.organization_id == organization.id
            )
        )
    ).scalar_one_or_none()
    if invitation is None:
        raise NotFound(f"invitation {invitation_id} not found in {organization.display_name}")
    if invitation.accepted_at is not None:
        raise Conflict(f"{invitation.email} accepted this invitation already")
    return invitation


async def resend(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, invitation_id: uuid.UUID
) -> Invitation:
    """Email a new link (the old one stops working) valid for another full period."""
    organization = await administered(session, actor, organization_id, Permission.MEMBERS_MANAGE)
    invitation = await _open_invitation(session, organization, invitation_id)
    if invitation.revoked_at is not None:
        raise Conflict("this invitation was revoked; invite the address again")
    invitation.sent_count += 1
    await _send(session, actor, organization, invitation)
    await record(
        session, actor, action="invitation.resent", target_type="invitation",
        target_id=invitation.id, organization_id=organization.id,
        changes=diff({}, {"expires_at": invitation.expires_at}),
    )  # fmt: skip
    return invitation


async def revoke(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, invitation_id: uuid.UUID
) -> None:
    """The link stops working; revoking again changes nothing."""
    organization = await administered(session, actor, organization_id, Permission.MEMBERS_MANAGE)
    invitation = await _open_invitation(session, organization, invitation_id)
    if invitation.revoked_at is not None:
        return
    invitation.revoked_at = utcnow()
    await session.flush()
    await record(
        session, actor, action="invitation.revoked", target_type="invitation",
        target_id=invitation.id, organization_id=organization.id,
        changes=diff({"email": invitation.email, "role": invitation.role}, {}),
    )  # fmt: skip


# Accepting -------------------------------------------------------------------------------------


async def find(session: AsyncSession, secret: str) -> tuple[Invitation, Organization]:
    """The invitation a link names; :class:`TokenRefused` when it does not work (any more)."""
    invitation = (
        await session.execute(
            select(Invitation).where(Invitation.token_hash == hash_secret(secret))
        )
    ).scalar_one_or_none()
    if invitation is None or invitation.revoked_at is not None:
        raise TokenRefused(Refusal.UNKNOWN)
    if invitation.accepted_at is not None:
        raise TokenRefused(Refusal.USED)
    if invitation.expires_at <= utcnow():
        raise TokenRefused(Refusal.EXPIRED)
    return invitation, await session.get_one(Organization, invitation.organization_id)


async def accept(session: AsyncSession, secret: str, user: User) -> Organization:
    """``user`` joins in the invited role, once: of two clicks at once exactly one wins.

    Only the account of the invited address may accept; the link reached that address, so
    accepting proves it (the address counts as confirmed).
    """
    invitation, organization = await find(session, secret)
    if user.email.lower() != invitation.email:
        raise Forbidden(
            f"this invitation is for {invitation.email}; sign in with that address to accept it"
        )
    now = utcnow()
    won = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=now, accepted_by_id=user.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise TokenRefused(Refusal.USED)
    if user.email_verified_at is None:
        user.email_verified_at = now
    if not await _is_member(session, organization, invitation.email):
        await add_membership(session, None, user, organization, invitation.role)
    await record(
        session, None, action="invitation.accepted", target_type="invitation",
        target_id=invitation.id, organization_id=organization.id, actor_label=user.email,
        changes=diff({}, {"email": user.email, "role": invitation.role}),
    )  # fmt: skip
    return organization
