"""Who is calling: identity's :class:`tenantry.deps.Authenticator`, installed by the app.

The page machinery (``web/``) and ``deps`` ask it through the app instead of importing identity,
so the lower layers do not know the higher one.
"""

from __future__ import annotations

from functools import partial

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.after_response import after_response
from tenantry.deps import CSRF_HEADER, SAFE_METHODS, SignedIn
from tenantry.errors import Forbidden, TenantryError, Unauthorized
from tenantry.identity import auth
from tenantry.identity.on_behalf import service as on_behalf
from tenantry.models import User
from tenantry.security import Actor, secrets_equal


class SessionsAndTokens:
    """API tokens (``Authorization: Bearer``) and browser sessions (the session cookie)."""

    session_cookie = auth.SESSION_COOKIE

    async def actor(self, request: Request, session: AsyncSession) -> Actor:
        writing = request.method not in SAFE_METHODS
        authorization = request.headers.get("authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials:
            actor, used_long_ago = await auth.actor_from_api_token(session, credentials.strip())
            if used_long_ago and actor.token_id is not None:
                # Whatever the request's outcome: a refused call is a use too.
                database = request.app.state.database
                after_response(request, partial(auth.record_token_use, database, actor.token_id))
            return actor
        cookie = request.cookies.get(auth.SESSION_COOKIE)
        if not cookie:
            raise Unauthorized("sign in, or send an API token as 'Authorization: Bearer <token>'")
        auth_session = await auth.load_session(session, cookie)
        if auth_session is None:
            raise Unauthorized("your session has ended; sign in again")
        if writing:
            form_token = getattr(request.state, "csrf_form", None)
            submitted = request.headers.get(CSRF_HEADER) or form_token
            if not submitted or not secrets_equal(submitted, auth_session.csrf_token):
                raise Forbidden(
                    "the form is missing its CSRF token or it does not match; reload the page"
                )
        await on_behalf.settle(request, session, auth_session, writing=writing)
        actor = await auth.actor_from_session(session, auth_session)
        request.state.auth_session = auth_session
        return actor

    async def signed_in(self, request: Request, session: AsyncSession) -> SignedIn | None:
        secret = request.cookies.get(auth.SESSION_COOKIE)
        auth_session = await auth.load_session(session, secret) if secret else None
        if auth_session is None:
            return None
        user = await session.get(User, auth_session.user_id)
        if user is None or not user.is_active:
            return None
        actor: Actor | None = None
        if auth_session.organization_id is not None:
            writing = request.method not in SAFE_METHODS
            await on_behalf.settle(request, session, auth_session, writing=writing)
            try:
                actor = await auth.actor_from_session(session, auth_session)
            except TenantryError:
                actor = None
        return SignedIn(auth_session, user, actor)
