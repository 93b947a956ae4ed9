"""People, memberships and API tokens: who belongs to which organization, in which role.

Managing members and API tokens needs the permission for it and applies to the caller's own
organization and, for a seller, to the organizations it manages (``security.manages``). An
organization outside the caller's scope answers 404, like everything else.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import diff, record
from tenantry.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from tenantry.identity.auth import API_TOKEN_PREFIX, memberships_of
from tenantry.identity.on_behalf.service import refuse_credential_change
from tenantry.identity.passwords.hashing import hash_password
from tenantry.identity.schemas import (
    ApiTokenCreate,
    MembershipRead,
    MeRead,
    OrganizationRef,
    PersonRead,
    TokenIdentity,
)
from tenantry.models import ApiToken, Membership, Organization, Role, User, utcnow
from tenantry.organizations import repository as organizations
from tenantry.pagination import aware_datetime, keyset_page
from tenantry.security import (
    ROLE_PERMISSIONS,
    ROLES_BY_KIND,
    Actor,
    Permission,
    manages,
    new_secret,
    require,
)

# An organization always keeps at least one (active) person in one of these roles.
ADMIN_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.RESELLER_ADMIN, Role.CUSTOMER_ADMIN})


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


def check_role_ceiling(actor: Actor, role: Role, field: str = "role") -> None:
    """Nobody hands out more than they have: the role's permissions must all be the caller's."""
    if not ROLE_PERMISSIONS[role] <= ROLE_PERMISSIONS[actor.role]:
        message = f"the role {role.value} may do more than your role {actor.role.value}"
        raise Forbidden(message, errors=[FieldError(field, "exceeds_your_role", message)])


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
        changes=diff({}, {"email": user.email, "role": role}),
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
        changes=diff({}, {"name": name, "role": role, "expires_at": token.expires_at}),
    )  # fmt: skip
    return token, secret


async def administered(
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    permission: Permission,
    *,
    for_update: bool = True,
) -> Organization:
    """The organization whose people or tokens the actor changes: its own, or one it manages.

    Writes lock the organization's row, so two admins removing each other at once cannot leave
    it without an admin. Never while acting for a customer: people, tokens and sign-in settings
    are credentials.
    """
    refuse_credential_change(actor)
    require(actor, permission)
    load = organizations.get_for_update if for_update else organizations.get
    organization = await load(session, actor, organization_id)
    if organization.id != actor.organization_id and not manages(actor, organization):
        raise Forbidden(
            f"{organization.display_name} is managed by its own admins and by its seller"
        )
    return organization


# Members ---------------------------------------------------------------------------------------


async def members_page(
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[tuple[Membership, User]], str | None]:
    """Everyone who may see an organization may see who belongs to it, oldest member first."""
    require(actor, Permission.ORGANIZATION_READ)
    organization = await organizations.get(session, actor, organization_id)
    query = select(Membership).where(Membership.organization_id == organization.id)
    rows, next_cursor = await keyset_page(
        session, query, sort_column=Membership.created_at, id_column=Membership.id,
        cursor=cursor, limit=limit, parse_sort_value=aware_datetime,
    )  # fmt: skip
    users = await _users(session, [m.user_id for m in rows])
    return [(m, users[m.user_id]) for m in rows], next_cursor


async def _users(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
    if not ids:
        return {}
    rows = await session.execute(select(User).where(User.id.in_(ids)))
    return {u.id: u for u in rows.scalars()}


async def _member(
    session: AsyncSession, organization: Organization, user_id: uuid.UUID
) -> tuple[Membership, User]:
    row = (
        await session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organization_id == organization.id, Membership.user_id == user_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"user {user_id} is not a member of {organization.display_name}")
    return row[0], row[1]


async def _keep_an_admin(session: AsyncSession, organization: Organization, user: User) -> None:
    other_admins = (
        select(func.count())
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.organization_id == organization.id,
            Membership.role.in_(ADMIN_ROLES),
            Membership.user_id != user.id,
            User.is_active.is_(True),
        )
    )
    if not (await session.execute(other_admins)).scalar_one():
        raise Conflict(
            f"{user.full_name} is the last admin of {organization.display_name}; "
            "make someone else an admin first"
        )


async def change_member_role(
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    role: Role | None,
) -> tuple[Membership, User]:
    organization = await administered(session, actor, organization_id, Permission.MEMBERS_MANAGE)
    membership, user = await _member(session, organization, user_id)
    if role is None or role is membership.role:
        return membership, user
    check_role_fits(organization, role)
    check_role_ceiling(actor, role)
    if membership.role in ADMIN_ROLES and role not in ADMIN_ROLES:
        await _keep_an_admin(session, organization, user)
    before = membership.role
    membership.role = role
    membership.updated_at = utcnow()
    await session.flush()
    await record(
        session, actor, action="membership.role_changed", target_type="user", target_id=user.id,
        organization_id=organization.id, changes=diff({"role": before}, {"role": role}),
    )  # fmt: skip
    return membership, user


async def remove_member(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    organization = await administered(session, actor, organization_id, Permission.MEMBERS_MANAGE)
    membership, user = await _member(session, organization, user_id)
    if membership.role in ADMIN_ROLES:
        await _keep_an_admin(session, organization, user)
    await session.delete(membership)
    await session.flush()
    await record(
        session, actor, action="membership.removed", target_type="user", target_id=user.id,
        organization_id=organization.id,
        changes=diff({"email": user.email, "role": membership.role}, {}),
    )  # fmt: skip


# API tokens ------------------------------------------------------------------------------------


async def api_tokens_page(
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[ApiToken], str | None]:
    organization = await administered(
        session, actor, organization_id, Permission.API_TOKENS_MANAGE, for_update=False
    )
    query = select(ApiToken).where(ApiToken.organization_id == organization.id)
    return await keyset_page(
        session, query, sort_column=ApiToken.created_at, id_column=ApiToken.id,
        cursor=cursor, limit=limit, parse_sort_value=aware_datetime,
    )  # fmt: skip


async def create_api_token(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, data: ApiTokenCreate
) -> tuple[ApiToken, str]:
    organization = await administered(session, actor, organization_id, Permission.API_TOKENS_MANAGE)
    check_role_fits(organization, data.role)
    check_role_ceiling(actor, data.role)
    return await issue_api_token(
        session, actor, organization, role=data.role, name=data.name,
        valid_for=timedelta(days=data.expires_in_days), created_by_id=actor.user_id,
    )  # fmt: skip


async def revoke_api_token(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, token_id: uuid.UUID
) -> ApiToken:
    """Revoking a revoked token succeeds again without a second audit event."""
    organization = await administered(session, actor, organization_id, Permission.API_TOKENS_MANAGE)
    token = (
        await session.execute(
            select(ApiToken).where(
                ApiToken.id == token_id, ApiToken.organization_id == organization.id
            )
        )
    ).scalar_one_or_none()
    if token is None:
        raise NotFound(f"API token {token_id} not found in {organization.display_name}")
    if token.revoked_at is not None:
        return token
    token.revoked_at = utcnow()
    await session.flush()
    await record(
        session, actor, action="api_token.revoked", target_type="api_token", target_id=token.id,
        organization_id=organization.id,
        changes=diff({"revoked_at": None}, {"revoked_at": token.revoked_at}),
    )  # fmt: skip
    return token


# The caller ------------------------------------------------------------------------------------


async def describe(session: AsyncSession, actor: Actor) -> MeRead:
    organization = await organizations.get(session, actor, actor.organization_id)
    me = MeRead(
        kind="api_token" if actor.token_id else "user",
        label=actor.label,
        organization=OrganizationRef.model_validate(organization),
        role=actor.role,
        permissions=sorted(actor.permissions),
        on_behalf_of=actor.on_behalf_of_label,
        on_behalf_until=actor.on_behalf_until,
    )
    if actor.token_id and (token := await session.get(ApiToken, actor.token_id)):
        me.api_token = TokenIdentity.model_validate(token)
    if actor.user_id and (user := await session.get(User, actor.user_id)):
        me.user = PersonRead.model_validate(user)
        me.memberships = [
            MembershipRead(organization=OrganizationRef.model_validate(o), role=m.role)
            for m, o in await memberships_of(session, user.id)
        ]
    return me
