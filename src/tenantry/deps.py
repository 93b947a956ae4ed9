"""FastAPI dependencies shared by every router: the request's transaction and its actor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.errors import Forbidden, Unauthorized, invalid
from tenantry.identity import auth
from tenantry.identity.on_behalf import service as on_behalf
from tenantry.security import Actor, secrets_equal
from tenantry.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The one transaction a request owns: committed before the response is sent, or rolled back."""
    _refuse_nul_in_query(request)
    database: Database = request.app.state.database
    async with database.transaction(write=request.method not in SAFE_METHODS) as session:
        yield session


def _refuse_nul_in_query(request: Request) -> None:
    for name, value in request.query_params.multi_items():
        # Bodies are checked by InputSchema (see schemas.refuse_nul).
        if "\x00" in name + value:
            raise invalid(
                f"query.{name}", "nul_character", "text may not contain the NUL character"
            )


DbSession = Annotated[AsyncSession, Depends(db_session, scope="function")]


async def writing_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """For the rare GET that writes (opening an emailed link uses it up): a write transaction
    from the start, so on SQLite it waits for the write lock instead of failing to upgrade a
    read transaction while a job is writing."""
    _refuse_nul_in_query(request)
    database: Database = request.app.state.database
    async with database.transaction(write=True) as session:
        yield session


WritingDbSession = Annotated[AsyncSession, Depends(writing_db_session, scope="function")]


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_settings_dep)]


async def current_actor(request: Request, session: DbSession) -> Actor:
    """API callers present ``Authorization: Bearer <API token>``; pages and the browser use the
    session cookie, and then every write must also carry the session's CSRF token."""
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials:
        actor, used_long_ago = await auth.actor_from_api_token(session, credentials.strip())
        if used_long_ago and actor.token_id is not None:
            await auth.record_token_use(
                request.app.state.database,
                session,
                actor.token_id,
                writing=request.method not in SAFE_METHODS,
            )
    elif cookie := request.cookies.get(auth.SESSION_COOKIE):
        auth_session = await auth.load_session(session, cookie)
        if auth_session is None:
            raise Unauthorized("your session has ended; sign in again")
        if request.method not in SAFE_METHODS:
            form_token = getattr(request.state, "csrf_form", None)
            submitted = request.headers.get(CSRF_HEADER) or form_token
            if not submitted or not secrets_equal(submitted, auth_session.csrf_token):
                raise Forbidden(
                    "the form is missing its CSRF token or it does not match; reload the page"
                )
        writing = request.method not in SAFE_METHODS
        await on_behalf.settle(request, session, auth_session, writing=writing)
        actor = await auth.actor_from_session(session, auth_session)
        request.state.auth_session = auth_session
    else:
        raise Unauthorized("sign in, or send an API token as 'Authorization: Bearer <token>'")
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
