"""Who a proven Microsoft account is here: signing in, signing up, and adding it to an account.

- A Microsoft account seen before (an ``ExternalIdentity``, by its tenant and object id) signs its
  person in.
- An unknown one whose email address no account has yet signs up: a person with a confirmed email
  address and no password. A work account may sign up only when its email domain is on the list
  of the platform whose storefront the browser came through
  (``PlatformConfig.work_account_domains``). The list is consulted at sign-up only: a work account
  that is known keeps signing in if its domain later leaves the list (blocking an organization, or
  its sign-in requirement, is how people are kept out).
- An unknown one whose email address an account has already is never joined to that account on
  the strength of the address: anyone can create a Microsoft Entra tenant and give one of its
  users any address. The person proves the account is theirs with its password, and then the
  Microsoft account is added to it (:func:`add_to`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import diff, record
from tenantry.errors import Conflict, Forbidden
from tenantry.identity.microsoft.oidc import AccountKind, MicrosoftAccount
from tenantry.identity.service import create_user, find_user
from tenantry.models import ExternalIdentity, Organization, SignInMethod, User, utcnow
from tenantry.organizations import repository

PROVIDER = "microsoft"
DISABLED = "this account is disabled; ask your organization's admin"


class AccountExists(Conflict):
    """The address belongs to an account already; the Microsoft account is not joined to it."""

    code = "account_exists"

    def __init__(self, user: User, account: MicrosoftAccount, methods: list[SignInMethod]) -> None:
        self.user, self.account, self.methods = user, account, methods
        self.has_password = user.password_hash is not None
        super().__init__(f"an account with the email address {account.email} exists already")


class WorkDomainNotAllowed(Forbidden):
    """A work account from a domain the seller's platform does not take sign-ups from."""

    code = "work_domain_not_allowed"

    def __init__(self, account: MicrosoftAccount, seller: Organization | None) -> None:
        self.account, self.seller = account, seller
        where = f"at {seller.display_name}" if seller else "here"
        super().__init__(
            f"work accounts from {account.domain} cannot be used to register {where}",
            domain=account.domain,
        )


async def identity_of(session: AsyncSession, account: MicrosoftAccount) -> ExternalIdentity | None:
    found = await session.execute(
        select(ExternalIdentity).where(
            ExternalIdentity.provider == PROVIDER,
            ExternalIdentity.tenant_id == account.tenant_id,
            ExternalIdentity.subject == account.object_id,
        )
    )
    return found.scalar_one_or_none()


async def sign_in_or_up(
    session: AsyncSession, account: MicrosoftAccount, *, seller: Organization | None
) -> User:
    """The person this Microsoft account signs in, created if it is new and may sign up.

    Raises :class:`AccountExists`, :class:`WorkDomainNotAllowed`, or :class:`Forbidden` for a
    disabled account."""
    identity = await identity_of(session, account)
    if identity is not None:
        user = await session.get(User, identity.user_id)
        if user is None or not user.is_active:
            raise Forbidden(DISABLED)
        identity.email = account.email
        identity.last_used_at = utcnow()
        return user
    existing = await find_user(session, account.email)
    if existing is not None:
        raise AccountExists(existing, account, await _methods(session, existing))
    if account.kind is AccountKind.WORK:
        await _ensure_domain_allowed(session, account, seller)
    user = await create_user(
        session, email=account.email, full_name=account.name, password=None, verified=True
    )
    await _add_identity(session, user, account)
    await record(
        session, None, action="user.signed_up", target_type="user", target_id=user.id,
        organization_id=None, platform_id=seller.platform_id if seller else None,
        actor_label=f"{user.full_name} <{user.email}>",
        changes=diff({}, {"email": user.email, "full_name": user.full_name,
                          "sign_in_method": account.kind.method}),
    )  # fmt: skip
    return user


async def add_to(session: AsyncSession, user: User, account: MicrosoftAccount) -> None:
    """Add the Microsoft account to a person who has just proven their password."""
    if await identity_of(session, account) is not None:
        return  # added meanwhile (a second click): nothing to do
    await _add_identity(session, user, account)
    await record(
        session, None, action="user.microsoft_account_added", target_type="user",
        target_id=user.id, organization_id=None, actor_label=f"{user.full_name} <{user.email}>",
        changes=diff({}, {"sign_in_method": account.kind.method, "email": account.email}),
    )  # fmt: skip


async def _add_identity(session: AsyncSession, user: User, account: MicrosoftAccount) -> None:
    session.add(
        ExternalIdentity(
            user_id=user.id,
            provider=PROVIDER,
            tenant_id=account.tenant_id,
            subject=account.object_id,
            method=account.kind.method,
            email=account.email,
            last_used_at=utcnow(),
        )
    )
    await session.flush()


async def _methods(session: AsyncSession, user: User) -> list[SignInMethod]:
    """The Microsoft sign-in methods the person has (for telling them how to sign in)."""
    rows = await session.execute(
        select(ExternalIdentity.method).where(ExternalIdentity.user_id == user.id).distinct()
    )
    return sorted(rows.scalars())


async def _ensure_domain_allowed(
    session: AsyncSession, account: MicrosoftAccount, seller: Organization | None
) -> None:
    if seller is None:
        raise WorkDomainNotAllowed(account, None)
    config = await repository.platform_config(session, seller.platform_id)
    allowed = {domain.strip().lower() for domain in config.work_account_domains}
    if account.domain not in allowed:
        raise WorkDomainNotAllowed(account, seller)
