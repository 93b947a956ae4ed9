"""An organization's sign-in requirement: how its people's sessions must have been opened.

An organization's admin may require one sign-in method (``Organization.sign_in_requirement``).
A session whose method the requirement does not admit cannot enter the organization
(``sessions.enter_organization``) nor act in it (``auth.actor_from_session``), so a change takes
effect at its people's next request. API tokens are not sessions and are not affected.
"""

from __future__ import annotations

from tenantry.errors import Forbidden
from tenantry.models import Organization, SignInMethod, SignInRequirement

R = SignInRequirement
REQUIRED: dict[SignInRequirement, str] = {
    R.ANY: "any sign-in method",
    R.PASSWORD: "an email address and password",
    R.MICROSOFT: "a Microsoft account",
    R.MICROSOFT_WORK: "a work account (Microsoft Entra ID)",
}
# How to sign in so as to comply, as the sign-in page words it.
HOW: dict[SignInRequirement, str] = {
    R.ANY: "sign in",
    R.PASSWORD: "sign in with your email address and password",
    R.MICROSOFT: "use 'Sign in with Microsoft'",
    R.MICROSOFT_WORK: "use 'Sign in with a work account'",
}
USED: dict[SignInMethod, str] = {
    SignInMethod.PASSWORD: "a password",
    SignInMethod.MICROSOFT_PERSONAL: "a personal Microsoft account",
    SignInMethod.MICROSOFT_WORK: "a work account",
}
REASON = "sign_in_method_required"


def refusal(organization: Organization, method: SignInMethod, *, signed_in: bool) -> str | None:
    """Why a session opened with ``method`` may not work in the organization (None: it may).

    ``signed_in``: the person has a session already (they must sign out first), rather than
    being at the sign-in page."""
    requirement = organization.sign_in_requirement
    if requirement.admits(method):
        return None
    step = f"sign out and {HOW[requirement]}" if signed_in else f"{HOW[requirement]} instead"
    return f"{organization.display_name} requires signing in with {REQUIRED[requirement]}; {step}"


def ensure_method_admitted(
    organization: Organization, method: SignInMethod, *, signed_in: bool = True
) -> None:
    message = refusal(organization, method, signed_in=signed_in)
    if message is not None:
        raise Forbidden(
            message, reason=REASON, sign_in_requirement=organization.sign_in_requirement.value
        )


def lockout(
    organization: Organization, requirement: SignInRequirement, method: SignInMethod
) -> str:
    """What an admin is told when the requirement they set would shut their own session out."""
    return (
        f"you signed in with {USED[method]}, so requiring {REQUIRED[requirement]} would lock you "
        f"out of {organization.display_name}; sign out, {HOW[requirement]}, then set the "
        "requirement again"
    )


# The choices of the organization page's form.
OPTIONS: list[tuple[str, str]] = [
    (R.ANY.value, "Any: a password or a Microsoft account"),
    (R.PASSWORD.value, "An email address and password"),
    (R.MICROSOFT.value, "A Microsoft account, personal or work"),
    (R.MICROSOFT_WORK.value, "A work account (Microsoft Entra ID)"),
]
