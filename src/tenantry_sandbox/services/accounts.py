"""Who can sign in, and as what: personal Microsoft accounts and work accounts.

An account is found by its username in this order:

1. the accounts managed through ``/_sandbox/accounts`` (personal accounts, and work accounts added
   to any tenant with or without the Global Administrator role);
2. the distributor's admin (``TENANTRY_SANDBOX_PARTNER_ADMIN_UPN``), with the object id its
   refresh tokens carry;
3. the directory users of customer tenants (``customer_users``). The user a tenant was created
   with (``admin@<initial domain>``, its first user) is the tenant's Global Administrator, as
   Partner Center makes it when it creates a customer; other users hold no admin role.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox import errors
from tenantry_sandbox.services.identity import partner_user
from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.store import accounts, domains, users
from tenantry_sandbox.store.accounts import AuthorizationCode, SignInAccount
from tenantry_sandbox.store.domains import Domain
from tenantry_sandbox.store.tenants import Tenant, TenantKind
from tenantry_sandbox.store.users import CustomerUser, user_row

# The tenant Microsoft issues personal (consumer) accounts' tokens from.
CONSUMER_TENANT_ID = uuid.UUID("9188040d-6c67-4c5b-b112-36a304b66dad")

# Personal accounts every seeded world has, so a sign-in can be tried at once.
SEEDED_PERSONAL_ACCOUNTS = (
    ("avery.jensen@outlook.com", "Avery", "Jensen"),
    ("priya.patel@hotmail.com", "Priya", "Patel"),
    ("mateo.garcia@outlook.com", "Mateo", "Garcia"),
)


@dataclass(frozen=True)
class Account:
    object_id: uuid.UUID
    tenant_id: uuid.UUID
    username: str
    display_name: str
    given_name: str | None = None
    family_name: str | None = None
    personal: bool = False
    global_admin: bool = False


def account_of(row: SignInAccount | AuthorizationCode) -> Account:
    """The account an account row, or an authorization code issued to it, describes."""
    return Account(
        object_id=row.object_id,
        tenant_id=row.tenant_id,
        username=row.username,
        display_name=row.display_name,
        given_name=row.given_name,
        family_name=row.family_name,
        personal=row.personal,
        global_admin=row.global_admin,
    )


async def _of_user(session: AsyncSession, user: CustomerUser) -> Account:
    first_seq = await session.scalar(
        select(func.min(CustomerUser.seq)).where(CustomerUser.customer_id == user.customer_id)
    )
    return Account(
        object_id=user.id,
        tenant_id=user.customer_id,
        username=user.user_principal_name.lower(),
        display_name=user.display_name,
        given_name=user.first_name,
        family_name=user.last_name,
        global_admin=user.seq == first_seq,
    )


def _distributor_admin(settings: SandboxSettings) -> Account:
    user = partner_user(settings.partner_tenant_id, settings.partner_admin_upn)
    return Account(
        object_id=user.object_id,
        tenant_id=settings.partner_tenant_id,
        username=settings.partner_admin_upn.lower(),
        display_name=f"{settings.partner_name} admin",
        global_admin=True,
    )


async def find(session: AsyncSession, settings: SandboxSettings, username: str) -> Account | None:
    name = username.strip()
    if not name:
        return None
    row = await accounts.by_username(session, name)
    if row is not None:
        return account_of(row)
    if name.lower() == settings.partner_admin_upn.lower():
        return _distributor_admin(settings)
    found = await session.execute(
        select(CustomerUser).where(CustomerUser.user_principal_name.in_({name, name.lower()}))
    )
    user = found.scalars().first()
    return await _of_user(session, user) if user is not None else None


async def by_object_id(
    session: AsyncSession, settings: SandboxSettings, object_id: uuid.UUID
) -> Account | None:
    row = await session.get(SignInAccount, object_id)
    if row is not None:
        return account_of(row)
    admin = _distributor_admin(settings)
    if object_id == admin.object_id:
        return admin
    found = await session.execute(select(CustomerUser).where(CustomerUser.id == object_id))
    user = found.scalar_one_or_none()
    return await _of_user(session, user) if user is not None else None


async def suggestions(
    session: AsyncSession,
    settings: SandboxSettings,
    *,
    tenant_id: uuid.UUID | None,
    personal: bool | None,
    limit: int = 12,
) -> list[Account]:
    """Accounts the sign-in page offers to pick: managed ones, then a tenant's directory users."""
    found = [
        account_of(row)
        for row in await accounts.listed(
            session, tenant_id=tenant_id, personal=personal, limit=limit
        )
    ]
    if personal is not True and tenant_id in (None, settings.partner_tenant_id):
        found.append(_distributor_admin(settings))
    if tenant_id is not None and personal is not True:
        rows = await users.page(session, tenant_id, after=0, limit=limit)
        found.extend([await _of_user(session, user) for user in rows])
    unique = {account.username: account for account in reversed(found)}
    return sorted(unique.values(), key=lambda a: (not a.global_admin, a.username))[:limit]


async def tenant_of_name(session: AsyncSession, name: str) -> Tenant | None:
    """A tenant by GUID or by one of its domains."""
    try:
        return await session.get(Tenant, uuid.UUID(name))
    except ValueError:
        domain = await session.get(Domain, name.strip().lower())
        return await session.get(Tenant, domain.tenant_id) if domain is not None else None


async def create(
    session: AsyncSession,
    settings: SandboxSettings,
    *,
    username: str,
    display_name: str | None,
    given_name: str | None,
    family_name: str | None,
    tenant_id: uuid.UUID | None,
    global_admin: bool,
) -> Account:
    """Add a managed account; a work account of a customer tenant becomes a directory user too."""
    name = username.strip().lower()
    local, _, domain = name.partition("@")
    if not local or "." not in domain:
        raise errors.invalid_property(f"'{username}' is not a username (name@domain).", "username")
    if await find(session, settings, name) is not None:
        raise errors.PartnerCenterError(409, 3000, f"The account {name} already exists.")
    owner = await session.get(Domain, domain)
    if tenant_id is None and owner is not None:
        raise errors.invalid_property(
            f"The domain {domain} belongs to tenant {owner.tenant_id}; give tenantId to add a "
            "work account there.",
            "tenantId",
        )
    tenant: Tenant | None = None
    if tenant_id is not None:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None:
            raise errors.tenant_not_found(tenant_id)
        if domain not in await domains.names_of(session, tenant_id):
            raise errors.invalid_property(
                f"The domain {domain} is not a domain of tenant {tenant_id}.", "username"
            )
    display = display_name or " ".join(filter(None, (given_name, family_name))) or local
    row = SignInAccount(
        object_id=uuid.uuid4(),
        username=name,
        tenant_id=tenant_id or CONSUMER_TENANT_ID,
        personal=tenant_id is None,
        display_name=display,
        given_name=given_name,
        family_name=family_name,
        global_admin=global_admin and tenant_id is not None,
    )
    session.add(row)
    if tenant is not None and tenant_id is not None and tenant.kind == TenantKind.CUSTOMER.value:
        values = user_row(
            tenant_id,
            row.object_id,
            name,
            first_name=given_name,
            last_name=family_name,
            display_name=display,
            usage_location=None,
        )
        session.add(CustomerUser(**values))
    await session.flush()
    return account_of(row)


async def delete(session: AsyncSession, username: str) -> bool:
    row = await accounts.by_username(session, username)
    if row is None:
        return False
    user = await session.execute(select(CustomerUser).where(CustomerUser.id == row.object_id))
    directory_user = user.scalar_one_or_none()
    if directory_user is not None:
        await session.delete(directory_user)
    await session.delete(row)
    await session.flush()
    return True


async def seed_personal_accounts(session: AsyncSession) -> int:
    """Add the seeded personal accounts that are missing; returns how many were added."""
    added = 0
    for username, given, family in SEEDED_PERSONAL_ACCOUNTS:
        if await accounts.by_username(session, username) is not None:
            continue
        session.add(
            SignInAccount(
                object_id=uuid.uuid5(CONSUMER_TENANT_ID, username),
                username=username,
                tenant_id=CONSUMER_TENANT_ID,
                personal=True,
                display_name=f"{given} {family}",
                given_name=given,
                family_name=family,
            )
        )
        added += 1
    await session.flush()
    return added
