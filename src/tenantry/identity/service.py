"""Creating people, memberships and API tokens."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Conflict, FieldError, ValidationFailed
from tenantry.identity.auth import API_TOKEN_PREFIX
from tenantry.identity.passwords import hash_password
from tenantry.models import ApiToken, Membership, Organization, Role, User, utcnow
from tenantry.security import ROLES_BY_KIND, Actor, new_secret


def check_role_fits(organization: Organization, role: Role, field: str = "role") -> None:
    if role not in ROLES_BY_KIND[organization.kind]:
        allowed = ", ".join(sorted(r.value for r in ROLES_BY_KIND[organization.kind]))
        raise ValidationFailed(
            [
                FieldError(
                    field, "role_for_kind", f"a {organization.kind.value} has the roles {allowed}"
                )
            ]
        )


async def find_user(session: AsyncSession, email: str) -> User | None:
    query = select(User).where(func.lower(User.email) == email.strip().lower())
    return (await session.execute(query)).scalar_one_or_none()


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    full_name: str,
    password: str | None,
    verified: bool = False,
) -> User:
    if await find_user(session, email) is not None:
        raise Conflict(f"an account with the email {email} exists already")
    user = User(
        email=email.strip().lower(),
        full_name=full_name,
        password_hash=hash_password(password) if password else None,
        email_verified_at=utcnow() if verified else None,
    )
    session.add(user)
    await session.flush()
    return user


async def add_membership(
    session: AsyncSession, actor: Actor | None, user: User, organization: Organization, role: Role
) -> Membership:
    check_role_fits(organization, role)
    membership = Membership(user_id=user.id, organization_id=organization.id, role=role)
    session.add(membership)
    await session.flush()
    await record(
        session, actor, action="membership.added", target_type="user", target_id=user.id,
        organization_id=organization.id, platform_id=organization.platform_id,
        changes={"after": {"email": user.email, "role": role.value}},
    )  # fmt: skip
    return membership


async def issue_api_token(
    session: AsyncSession,
    actor: Actor | None,
    organization: Organization,
    *,
    role: Role,
    name: str,
    valid_for: timedelta,
    created_by_id: uuid.UUID | None = None,
) -> tuple[ApiToken, str]:
    """Returns the token row and its secret; the secret is shown once and never stored."""
    check_role_fits(organization, role)
    secret, digest = new_secret(API_TOKEN_PREFIX)
    token = ApiToken(
        organization_id=organization.id,
        role=role,
        name=name,
        prefix=secret[: len(API_TOKEN_PREFIX) + 7],
        token_hash=digest,
        created_by_id=created_by_id,
        expires_at=utcnow() + valid_for,
    )
    session.add(token)
    await session.flush()
    await record(
        session, actor, action="api_token.issued", target_type="api_token", target_id=token.id,
        organization_id=organization.id, platform_id=organization.platform_id,
        changes={"after": {"name": name, "role": role.value, "expires_at": token.expires_at}},
    )  # fmt: skip
    return token, secret
