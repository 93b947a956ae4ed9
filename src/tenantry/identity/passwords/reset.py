"""Resetting a forgotten password by a link sent to the account's address.

Asking for a link answers the same way whether or not the account exists, and takes the same
time: the request only writes an outbox job (:data:`JOB_KIND`) naming the address, and the
worker looks the account up later (:mod:`tenantry.identity.tasks`). Requests are throttled per
account and per address with the sign-in throttle's rules, counted apart from sign-in failures.

Setting the new password uses the link once, ends every session of the person (whoever had
the old password is signed out), and emails the person that the password changed.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.audit.service import record
from tenantry.errors import FieldError, ValidationFailed
from tenantry.identity.email import tokens as email_tokens
from tenantry.identity.on_behalf import service as on_behalf
from tenantry.identity.passwords import policy as password_policy
from tenantry.identity.passwords.hashing import hash_password
from tenantry.identity.service import find_user
from tenantry.identity.sign_in import throttle
from tenantry.models import AuthSession, EmailTokenPurpose, User, utcnow
from tenantry.notifications import send_email
from tenantry.settings import Settings

PURPOSE = EmailTokenPurpose.RESET_PASSWORD
JOB_KIND = "identity.password_reset"
# Reset requests are kept in the sign-in throttle's table under these prefixes, so they are
# limited by the same rules without counting as failed sign-ins (or the reverse).
_THROTTLE_PREFIX = "reset:"


def _throttle_keys(email: str, ip: str | None) -> tuple[str, str]:
    return _THROTTLE_PREFIX + email, _THROTTLE_PREFIX + (ip or throttle.UNKNOWN_ADDRESS)


async def request_link(
    session: AsyncSession, settings: Settings, *, email: str, ip: str | None
) -> None:
    """Ask for a reset link for ``email``. Raises :class:`TooManyRequests` when throttled;
    otherwise the same work is done whatever the address."""
    email = throttle.normalize_email(email)
    key_email, key_ip = _throttle_keys(email, ip)
    await throttle.check(session, settings, email=key_email, ip=key_ip, trusted=False)
    await throttle.record_failure(session, email=key_email, ip=key_ip)
    await jobs.enqueue(
        session, kind=JOB_KIND, payload={"email": email},
        idempotency_key=f"{JOB_KIND}:{uuid.uuid4()}",
    )  # fmt: skip


async def send_link(session: AsyncSession, email: str) -> bool:
    """The worker's half: email a link if an active account has this address."""
    user = await find_user(session, email)
    if user is None or not user.is_active:
        return False
    issued = await email_tokens.issue(session, user, PURPOSE)
    await send_email(
        session,
        to=user.email,
        template="reset_password",
        context={
            "full_name": user.full_name,
            "token": issued.secret,
            "valid_minutes": int(email_tokens.LIFETIME[PURPOSE].total_seconds() // 60),
        },
        idempotency_key=f"reset_password:{issued.token.id}",
    )
    return True


async def user_of_link(session: AsyncSession, secret: str) -> User:
    """Whose password a link resets; raises :class:`TokenRefused` when it no longer works."""
    token = await email_tokens.peek(session, secret, PURPOSE)
    return await session.get_one(User, token.user_id)


async def reset(session: AsyncSession, secret: str, *, password: str, confirmation: str) -> User:
    """Set a new password with a reset link. Raises :class:`ValidationFailed` (naming
    ``password`` or ``password_confirmation`` and the rule) or :class:`TokenRefused`."""
    user = await user_of_link(session, secret)
    errors = password_policy.problems(password, email=user.email)
    if not errors and password != confirmation:
        errors = [FieldError("password_confirmation", "mismatch", "the two passwords differ")]
    if errors:
        raise ValidationFailed(errors)
    await email_tokens.consume(session, secret, PURPOSE)
    user.password_hash = hash_password(password_policy.normalize(password))
    # The link was sent to the address, so following it proves the address too.
    user.email_verified_at = user.email_verified_at or utcnow()
    reason = on_behalf.EndReason.PASSWORD_RESET
    await on_behalf.close_windows(session, AuthSession.user_id == user.id, reason=reason)
    ended = await session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    await record(
        session, None, action="user.password_reset", target_type="user", target_id=user.id,
        organization_id=None, actor_label=user.email,
        changes={"after": {"sessions_ended": getattr(ended, "rowcount", 0)}},
    )  # fmt: skip
    await throttle.forget_failures(session, email=user.email)
    await send_email(
        session,
        to=user.email,
        template="password_changed",
        context={"full_name": user.full_name},
        idempotency_key=f"password_changed:{user.id}:{uuid.uuid4()}",
    )
    await session.flush()
    return user
