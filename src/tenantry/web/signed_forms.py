"""CSRF protection for forms shown before sign-in, and the cookie flags every page cookie gets.

Before sign-in there is no session to hold a CSRF token: the form and a cookie carry the same
signed random value (a signed double-submit cookie), so another site cannot post the form.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, Signer

from tenantry.settings import Settings
from tenantry.web.forms import tokens_match


def set_private_cookie(
    response: Response, settings: Settings, name: str, value: str, *, max_age: int, path: str = "/"
) -> None:
    """HttpOnly, SameSite=Lax, and Secure when the site is served over HTTPS."""
    response.set_cookie(
        name, value, max_age=max_age, path=path, httponly=True, samesite="lax",
        secure=settings.cookie_secure,
    )  # fmt: skip


@dataclass(frozen=True)
class SignedFormCookie:
    cookie: str
    salt: str
    path: str = "/"
    max_age: int = 3600

    def _signer(self, settings: Settings) -> Signer:
        return Signer(settings.secret_key, salt=self.salt)

    def is_valid(self, settings: Settings, token: str | None) -> bool:
        if not token:
            return False
        try:
            self._signer(settings).unsign(token)
        except BadSignature:
            return False
        return True

    def token_for(self, request: Request, settings: Settings) -> str:
        """The browser's current token when it is still valid, else a new one."""
        token = request.cookies.get(self.cookie)
        if token and self.is_valid(settings, token):
            return token
        return self._signer(settings).sign(secrets.token_urlsafe(32)).decode()

    def accepts(self, request: Request, settings: Settings, submitted: str | None) -> bool:
        """The form carries the same signed value as the cookie this site set."""
        cookie = request.cookies.get(self.cookie)
        return self.is_valid(settings, cookie) and tokens_match(cookie, submitted)

    def attach(self, response: Response, settings: Settings, token: str) -> None:
        set_private_cookie(
            response, settings, self.cookie, token, max_age=self.max_age, path=self.path
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(self.cookie, path=self.path)
