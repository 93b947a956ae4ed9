"""Which token a call needs: its kind and the resource scope."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TokenKind(StrEnum):
    # Client credentials grant: the application acting as itself.
    APP_ONLY = "app_only"
    # Refresh token grant of the secure application model: the application acting for a
    # partner user who signed in once with MFA.
    APP_USER = "app_user"


class AuthRequirement(StrEnum):
    """What an operation accepts, as each Partner Center page documents it."""

    ANY = "any"
    APP_USER = "app_user"


@dataclass(frozen=True, slots=True)
class Credential:
    kind: TokenKind
    scope: str
