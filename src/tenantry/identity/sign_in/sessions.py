"""Password sign-in for the pages: server-side sessions, organization choice, sign-out.

The cookie carries a random secret; only its SHA-256 is stored (``AuthSession.token_hash``).
Every sign-in makes a new session and ends the one the browser had, so a session id planted
before sign-in is worthless afterwards. A person who belongs to several organizations signs in
once and then picks the organization to work in; the choice is kept on the session.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Forbidden, TenantryError, Unauthorized
from tenantry.identity.auth import (
    SIGN_IN_REFUSED,
    actor_from_session,
    ensure_may_sign_in,
    memberships_of,
)
from tenantry.identity.on_behalf import service as on_behalf
from tenantry.identity.passwords.hashing import hash_password, needs_rehash, verify_password
from tenantry.identity.service import find_user
from tenantry.identity.sign_in import throttle
from tenantry.identity.sign_in.requirements import ensure_method_admitted
from tenantry.models import AuthSession, Membership, Organization, SignInMethod, User, utcnow
from tenantry.security import Actor, hash_secret, new_secret
from tenantry.settings import Settings

SESSION_TOKEN_PREFIX = "tss"  # noqa: S105 - a label, not a secret
# The same words whether the account is unknown, the password wrong or the account disabled.
WRONG_CREDENTIALS = "the email address or password is not right"


@dataclass(frozen=True)
class SignedIn:
    secret: str
    auth_session: AuthSession
    user: User
    # False for a person who belongs to no organization yet: they go on to register one.
    has_organizations: bool = True

    def landing(self, next_path: str) -> str:
        """Where the browser goes after signing in on its way to ``next_path``."""
        if self.auth_session.organization_id is not None:
            return next_path
        target = "/register/organization" if not self.has_organizations else "/select-organization"
        return f"{target}?next={quote(next_path, safe='/')}"


@dataclass(frozen=True)
class Choice:
    membership: Membership
    organization: Organization

    @property
    def may_sign_in(self) -> bool:
        return self.organization.status not in SIGN_IN_REFUSED


async def choices(session: AsyncSession, user_id: uuid.UUID) -> list[Choice]:
    """The organizations the person belongs to, by name; blocked ones included (shown, not
    selectable)."""
    return [Choice(m, o) for m, o in await memberships_of(session, user_id)]


async def sign_in(
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
    trusted_browser: bool,
    replaces: str | None = None,
) -> SignedIn:
    """Check the password (throttled) and open a session. Raises :class:`TooManyRequests`,
    :class:`Unauthorized` (wrong credentials, one message for every cause) or, once the password
    is proven, :class:`Forbidden` when every organization of the person is blocked or rejected.

    A failure is recorded in the caller's transaction before raising: commit it."""
    user = await check_password(
        session, settings, email=email, password=password, ip=ip, trusted_browser=trusted_browser
    )
    return await open_session(
        session, settings, user, method=SignInMethod.PASSWORD, ip=ip, user_agent=user_agent,
        replaces=replaces,
    )  # fmt: skip


async def check_password(
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    ip: str | None,
    trusted_browser: bool,
) -> User:
    """The person whose password this is (throttled): :class:`TooManyRequests`, or
    :class:`Unauthorized` with one message for every cause. A failure is recorded in the
    caller's transaction before raising: commit it."""
    await throttle.check(session, settings, email=email, ip=ip, trusted=trusted_browser)
    user = await find_user(session, email)
    # Verify even when there is no account, so both answers take the same time.
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        await throttle.record_failure(session, email=email, ip=ip)
        raise Unauthorized(WRONG_CREDENTIALS)
    await throttle.forget_failures(session, email=email)
    assert user.password_hash is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


async def open_session(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    method: SignInMethod,
    ip: str | None,
    user_agent: str | None,
    replaces: str | None = None,
) -> SignedIn:
    """Open a session for a person whose credentials were proven (by ``method``).

    A person with one organization they may use enters it at once; with several, the one they
    last worked in, or none yet (they pick one); with none at all (just signed up) the session has no organization and
    the person registers theirs. Organizations whose sign-in requirement does not admit
    ``method`` are not entered. Raises :class:`Forbidden` when every organization of the person
    is blocked or rejected, or requires another sign-in method."""
    every = await choices(session, user.id)
    available = [c for c in every if c.may_sign_in]
    if every and not available:
        for choice in every:
            ensure_may_sign_in(choice.organization)
    admitted = [c for c in available if c.organization.sign_in_requirement.admits(method)]
    if available and not admitted:
        ensure_method_admitted(available[0].organization, method, signed_in=False)
    if replaces:
        await end_session(session, replaces)
    now = utcnow()
    user.last_login_at = now
    secret, digest = new_secret(SESSION_TOKEN_PREFIX)
    auth_session = AuthSession(
        token_hash=digest,
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=now + _max_age(settings),
        ip=(ip or "")[:64] or None,
        user_agent=(user_agent or "")[:300] or None,
        method=method,
    )
    session.add(auth_session)
    await session.flush()
    remembered = [c for c in admitted if c.organization.id == user.last_organization_id]
    if len(admitted) == 1 or remembered:
        await enter_organization(session, auth_session, (remembered or admitted)[0].organization.id)
    return SignedIn(secret, auth_session, user, has_organizations=bool(every))


def _max_age(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.session_max_age_seconds)


async def enter_organization(
    session: AsyncSession, auth_session: AuthSession, organization_id: uuid.UUID
) -> Actor:
    """Work in one of the person's organizations from now on (the audit trail records it)."""
    row = (
        await session.execute(
            select(Membership, Organization)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(
                Membership.user_id == auth_session.user_id,
                Membership.organization_id == organization_id,
            )
        )
    ).first()
    if row is None:
        raise Forbidden("you are not a member of that organization")
    organization = row[1]
    ensure_may_sign_in(organization)
    ensure_method_admitted(organization, auth_session.method)
    await on_behalf.end(session, auth_session, on_behalf.EndReason.SWITCHED_ORGANIZATION)
    auth_session.organization_id = organization.id
    auth_session.updated_at = utcnow()
    user = await session.get(User, auth_session.user_id)
    if user is not None and user.last_organization_id != organization.id:
        user.last_organization_id = organization.id  # the next sign-in starts here
    await session.flush()
    actor = await actor_from_session(session, auth_session)
    await record(
        session, actor, action="user.signed_in", target_type="user", target_id=auth_session.user_id,
        organization_id=organization.id,
        changes={"after": {"organization": organization.display_name, "role": actor.role.value}},
    )  # fmt: skip
    return actor


async def end_session(session: AsyncSession, secret: str) -> None:
    """Sign out: the session row goes, so the cookie is worthless even if it was copied."""
    auth_session = (
        await session.execute(
            select(AuthSession).where(AuthSession.token_hash == hash_secret(secret))
        )
    ).scalar_one_or_none()
    if auth_session is None:
        return
    await on_behalf.end(session, auth_session, on_behalf.EndReason.SIGNED_OUT)
    actor: Actor | None = None
    if auth_session.organization_id is not None:
        try:
            actor = await actor_from_session(session, auth_session)
        except TenantryError:
            actor = None  # blocked or removed meanwhile: nobody to name in the trail
    await session.execute(delete(AuthSession).where(AuthSession.id == auth_session.id))
    if actor is not None:
        await record(
            session, actor, action="user.signed_out", target_type="user",
            target_id=auth_session.user_id, organization_id=actor.organization_id,
        )  # fmt: skip
    # Expired sessions of the same person are of no use to anyone.
    await on_behalf.close_windows(
        session, AuthSession.user_id == auth_session.user_id, AuthSession.expires_at <= utcnow(),
        reason=on_behalf.EndReason.TIMED_OUT,
    )  # fmt: skip
    await session.execute(
        delete(AuthSession).where(
            AuthSession.user_id == auth_session.user_id, AuthSession.expires_at <= utcnow()
        )
    )
