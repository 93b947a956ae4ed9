"""Throttling password guessing, without letting an attacker lock the real owner out.

Only failed sign-ins are kept (``LoginAttempt``), for one hour, and three limits apply:

* **per address**: ``settings.login_attempts_per_hour_per_address`` failures from
  one address, whatever the accounts. One address guessing many accounts stops here. The limit is
  higher than the per-account one because an office shares one address.
* **per account**: ``settings.login_attempts_per_hour`` failures for one email, from any address.
  Guessing one account from many addresses stops here. Unknown emails are counted the same way,
  so the answer never tells whether an account exists.
* **trusted browser**: a browser that has signed in to the account before carries a signed
  cookie naming that account (``TRUSTED_BROWSER_COOKIE``, 90 days). For that account it is not
  held back by the two limits above (which others can fill), only by failures for the same
  account from the same address. So an attacker who fills the per-account limit from elsewhere
  does not lock the owner out of the browser they use every day, and a stolen cookie still buys
  only ``login_attempts_per_hour`` guesses an hour per address.

A successful sign-in clears the account's failures.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import TooManyRequests
from tenantry.models import LoginAttempt, utcnow
from tenantry.settings import Settings

WINDOW = timedelta(hours=1)
KEEP_FOR = timedelta(days=1)
TRUSTED_BROWSER_COOKIE = "tenantry_trusted_browser"
TRUSTED_BROWSER_MAX_AGE = int(timedelta(days=90).total_seconds())
UNKNOWN_ADDRESS = "unknown"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="tenantry.trusted-browser")


def _account_digest(email: str) -> str:
    # The cookie names the account by a digest, not the address itself.
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]


def trusted_browser_token(settings: Settings, email: str) -> str:
    return _serializer(settings).dumps(_account_digest(email))


def is_trusted_browser(settings: Settings, token: str | None, email: str) -> bool:
    if not token:
        return False
    try:
        value = _serializer(settings).loads(token, max_age=TRUSTED_BROWSER_MAX_AGE)
    except BadSignature:
        return False
    return bool(value == _account_digest(email))


async def _refuse_if_over(
    session: AsyncSession, condition: ColumnElement[bool], limit: int
) -> None:
    now = utcnow()
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(LoginAttempt.attempted_at)).where(
                condition, LoginAttempt.attempted_at >= now - WINDOW
            )
        )
    ).one()
    if count >= limit:
        wait = max(60, math.ceil(((oldest + WINDOW) - now).total_seconds())) if oldest else 3600
        minutes = math.ceil(wait / 60)
        raise TooManyRequests(
            f"too many failed sign-ins; try again in {minutes} minute{'s' if minutes > 1 else ''}",
            retry_after=wait,
        )


async def check(
    session: AsyncSession, settings: Settings, *, email: str, ip: str | None, trusted: bool
) -> None:
    """Raise :class:`TooManyRequests` when this attempt must not even be tried."""
    email, ip = normalize_email(email), ip or UNKNOWN_ADDRESS
    per_account = settings.login_attempts_per_hour
    if trusted:
        await _refuse_if_over(
            session, (LoginAttempt.email == email) & (LoginAttempt.ip == ip), per_account
        )
        return
    await _refuse_if_over(
        session, LoginAttempt.ip == ip, settings.login_attempts_per_hour_per_address
    )
    await _refuse_if_over(session, LoginAttempt.email == email, per_account)


async def record_failure(session: AsyncSession, *, email: str, ip: str | None) -> None:
    now = utcnow()
    await session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - KEEP_FOR))
    session.add(
        LoginAttempt(
            email=normalize_email(email)[:254], ip=(ip or UNKNOWN_ADDRESS)[:64], attempted_at=now
        )
    )
    await session.flush()


async def forget_failures(session: AsyncSession, *, email: str) -> None:
    await session.execute(delete(LoginAttempt).where(LoginAttempt.email == normalize_email(email)))
