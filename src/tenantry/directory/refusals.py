"""Partner Center's answers in plain words, for people: why an import stopped, why a license
could not be assigned to someone, why a trial could not be converted.

Microsoft documents code 60012 (no license left) for license updates; a user without a usage
location is refused with the text "License assignment cannot be done for user with invalid usage
location." and no documented code, so it is recognised by its words (docs/partner-center.md).
"""

from __future__ import annotations

from tenantry.errors import Conflict
from tenantry.partnercenter.access import PartnerCenterUnavailable
from tenantry.partnercenter.errors import (
    AccessBlocked,
    AgreementRequired,
    Forbidden,
    LicensesExhausted,
    NotFound,
    PartnerCenterConfigurationError,
    PartnerCenterError,
    RelationshipMissing,
    ServerError,
    Throttled,
    TokenKindNotAllowed,
    TransportFailure,
)

UNREACHABLE = (Throttled, ServerError, TransportFailure)


class LicenseChangeRefused(Conflict):
    """Partner Center refused to change a user's licenses; ``detail`` says why, naming the user."""

    code = "license_change_refused"
    title = "Microsoft refused the license change"


class NoLicenseLeft(LicenseChangeRefused):
    code = "no_license_left"
    title = "No license of this kind is left"


class UsageLocationMissing(LicenseChangeRefused):
    code = "usage_location_missing"
    title = "The user has no usage location"


def _described(exc: PartnerCenterError) -> str:
    text = (exc.description or "").strip().rstrip(".")
    return f"{text} (Partner Center code {exc.code})" if exc.code else text or type(exc).__name__


def why_not(exc: PartnerCenterError, *, then: str = "it is tried again later") -> str:
    """Why a call about the customer's tenant failed, and what to do; ``then`` says what
    follows when Partner Center could not be reached (by default, a later import)."""
    if isinstance(exc, UNREACHABLE):
        return ("Partner Center could not be reached or was busy after several tries "
                f"({_described(exc)}); {then}.")  # fmt: skip
    if isinstance(exc, AgreementRequired):
        return ("Microsoft requires the customer's acceptance of the Microsoft Customer "
                "Agreement before any purchase: record it (the customer's agreements) and try "
                f"again. ({_described(exc)}.)")  # fmt: skip
    if isinstance(exc, RelationshipMissing):
        return ("Partner Center says the platform has no reseller relationship with this "
                "customer's tenant any more; link the tenant again.")  # fmt: skip
    if isinstance(exc, TokenKindNotAllowed | PartnerCenterConfigurationError):
        return ("Partner Center reads a customer's users and licenses only for a signed-in "
                "partner user (App+User); set the platform's Partner Center refresh token "
                f"(docs/partner-center-client.md). {_described(exc)}.")  # fmt: skip
    if isinstance(exc, AccessBlocked | Forbidden):
        return ("Partner Center refused access to the customer's directory "
                f"({_described(exc)}). The platform needs admin roles in the customer's tenant "
                "(GDAP: Directory Readers to read, License Administrator to assign).")  # fmt: skip
    if isinstance(exc, NotFound):
        return f"Partner Center does not know this customer or resource ({_described(exc)})."
    return f"Partner Center refused: {_described(exc)}."


def is_usage_location_refusal(exc: PartnerCenterError) -> bool:
    return "usage location" in (exc.description or "").lower()


def is_not_held_refusal(exc: PartnerCenterError) -> bool:
    return "does not have a corresponding license" in (exc.description or "").lower()


def license_change_refused(
    exc: PartnerCenterError, user: str, license_names: list[str]
) -> Exception:
    """The error a person sees when Partner Center refuses to change ``user``'s licenses."""
    names = " and ".join(license_names) or "the license"
    if isinstance(exc, UNREACHABLE):
        return PartnerCenterUnavailable(
            f"Partner Center could not be reached; nothing was changed for {user}. Try again in "
            "a few minutes."
        )
    if isinstance(exc, LicensesExhausted):
        return NoLicenseLeft(
            f"No {names} license is left for {user}: every one the customer holds is assigned. "
            "Buy more licenses, or remove one from someone who no longer needs it, then try "
            "again."
        )
    if is_usage_location_refusal(exc):
        return UsageLocationMissing(
            f"{user} has no usage location in Microsoft 365, and Microsoft assigns no license "
            "without one. Set the user's usage location (the country where they use the "
            "services) in the Microsoft 365 admin center, import again, then assign."
        )
    if isinstance(exc, NotFound):
        return LicenseChangeRefused(
            f"{user} is no longer in the customer's Microsoft tenant; import the directory again."
        )
    return LicenseChangeRefused(f"Microsoft refused to change {user}'s licenses. {why_not(exc)}")
