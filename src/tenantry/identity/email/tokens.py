"""One-time links sent by email: proving an address, resetting a password.

The link carries a random secret; only its SHA-256 is stored (:class:`EmailToken`). A token is
used once: :func:`consume` marks it used with ``UPDATE ... WHERE used_at IS NULL``, so of two
clicks arriving together exactly one wins, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import EmailToken, EmailTokenPurpose, User, utcnow
from tenantry.security import hash_secret, new_secret

LIFETIME = {
    # Long enough to find the email after a weekend of not reading it.
    EmailTokenPurpose.VERIFY_EMAIL: timedelta(hours=48),
    # Short: the link is as good as the password until it is used.
    EmailTokenPurpose.RESET_PASSWORD: timedelta(hours=1),
}
_PREFIX = {EmailTokenPurpose.VERIFY_EMAIL: "tve", EmailTokenPurpose.RESET_PASSWORD: "trp"}


class Refusal(enum.StrEnum):
    """Why a link does not work (the page tells the person which)."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class TokenRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class Issued:
    secret: str
    token: EmailToken


async def issue(session: AsyncSession, user: User, purpose: EmailTokenPurpose) -> Issued:
    """A new link for ``user``. Earlier unused links of the same purpose stop working: only the
    newest email counts."""
    now = utcnow()
    await session.execute(
        update(EmailToken)
        .where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
        )
        .values(expires_at=now, updated_at=now)
    )
    secret, digest = new_secret(_PREFIX[purpose])
    token = EmailToken(
        purpose=purpose, user_id=user.id, token_hash=digest, expires_at=now + LIFETIME[purpose]
    )
    session.add(token)
    await session.flush()
    return Issued(secret, token)


async def peek(session: AsyncSession, secret: str, purpose: EmailTokenPurpose) -> EmailToken:
    """The token a link names, if it still works (for showing a form); raises
    :class:`TokenRefused`. Does not use it up."""
    token = (
        await session.execute(
            select(EmailToken).where(
                EmailToken.token_hash == hash_secret(secret), EmailToken.purpose == purpose
            )
        )
    ).scalar_one_or_none()
    if token is None:
        raise TokenRefused(Refusal.UNKNOWN)
    if token.used_at is not None:
        raise TokenRefused(Refusal.USED)
    if token.expires_at <= utcnow():
        raise TokenRefused(Refusal.EXPIRED)
    return token


async def consume(session: AsyncSession, secret: str, purpose: EmailTokenPurpose) -> EmailToken:
    """Use the link once; raises :class:`TokenRefused` when it is unknown, used or expired."""
    token = await peek(session, secret, purpose)
    now = utcnow()
    claimed = await session.execute(
        update(EmailToken)
        .where(
            EmailToken.id == token.id,
            EmailToken.used_at.is_(None),
            EmailToken.expires_at > now,
        )
        .values(used_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise TokenRefused(Refusal.USED)
    await session.refresh(token)
    return token
