"""Signing up with an email address and a password.

The account can sign in at once (to register its organization and fill a cart); it may order
only after the emailed link proved the address (``identity.verification``). Every sign-up counts
against the address it came from, as password resets do, so nobody mass-creates accounts or
probes many addresses from one place.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import text
from tenantry.audit.service import record
from tenantry.errors import Conflict, FieldError, ValidationFailed
from tenantry.identity.email import verification
from tenantry.identity.passwords import policy as password_policy
from tenantry.identity.service import create_user, find_user
from tenantry.identity.sign_in import sessions, throttle
from tenantry.identity.sign_in.sessions import SignedIn
from tenantry.models import SignInMethod
from tenantry.settings import Settings

_THROTTLE_PREFIX = "signup:"
MAX_NAME = 200


def _checked(full_name: str, email: str, password: str, confirmation: str) -> tuple[str, str, str]:
    """The normalised name, email and password, or every broken rule at once."""
    errors: list[FieldError] = []
    try:
        full_name = text.clean(full_name)
    except text.TextRefused as refused:
        errors.append(FieldError("full_name", refused.rule, refused.message))
    else:
        if not full_name:
            errors.append(FieldError("full_name", "required", "enter your name"))
        elif len(full_name) > MAX_NAME:
            errors.append(FieldError("full_name", "too_long", f"use at most {MAX_NAME} characters"))
    normalized = ""
    try:
        normalized = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        errors.append(FieldError("email", "email", f"enter a valid email address: {exc}"))
    errors.extend(password_policy.problems(password, email=normalized or email))
    if password != confirmation:
        errors.append(FieldError("password_confirmation", "match", "the passwords do not match"))
    if errors:
        raise ValidationFailed(errors)
    return full_name, normalized, password_policy.normalize(password)


async def sign_up(
    session: AsyncSession,
    settings: Settings,
    *,
    full_name: str,
    email: str,
    password: str,
    confirmation: str,
    ip: str | None,
    user_agent: str | None,
    replaces: str | None = None,
) -> SignedIn:
    """Create the account, email the link that proves the address, and sign the person in.

    Raises :class:`TooManyRequests`, :class:`ValidationFailed` (each field and rule) or
    :class:`Conflict` on ``email`` when an account has the address already. The attempt is
    recorded in the caller's transaction: commit it even when this raises."""
    key = _THROTTLE_PREFIX + (ip or throttle.UNKNOWN_ADDRESS)
    await throttle.check(session, settings, email=key, ip=key, trusted=False)
    await throttle.record_failure(session, email=key, ip=key)
    full_name, email, password = _checked(full_name, email, password, confirmation)
    if await find_user(session, email) is not None:
        message = (
            f"an account with the email address {email} exists already; sign in, or reset "
            "its password if you forgot it"
        )
        raise Conflict(message, errors=[FieldError("email", "taken", message)])
    user = await create_user(session, email=email, full_name=full_name, password=password)
    await record(
        session, None, action="user.signed_up", target_type="user", target_id=user.id,
        organization_id=None, actor_label=f"{user.full_name} <{user.email}>",
        changes={"after": {"email": user.email, "full_name": user.full_name}},
    )  # fmt: skip
    await verification.send_link(session, None, user)
    return await sessions.open_session(
        session, settings, user, method=SignInMethod.PASSWORD, ip=ip, user_agent=user_agent,
        replaces=replaces,
    )  # fmt: skip
