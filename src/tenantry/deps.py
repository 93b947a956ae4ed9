"""FastAPI dependencies shared by every router: the request's transaction and its actor.

Who the actor is comes from an :class:`Authenticator` the app installs (identity's), so this
module knows no domain package."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.errors import invalid
from tenantry.models import AuthSession, User
from tenantry.security import Actor
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


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_settings_dep)]


@dataclass(frozen=True)
class SignedIn:
    """Whoever a browser's session cookie names: the session, the person, and the actor they
    work as (``None`` while they have no organization yet, or it may not be used now)."""

    auth_session: AuthSession
    user: User
    actor: Actor | None


class Authenticator(Protocol):
    """Who is calling. Identity provides it and the app installs it (:func:`install_authenticator`),
    so this module and the page machinery (``web/``) never import the identity package."""

    session_cookie: str

    async def actor(self, request: Request, session: AsyncSession) -> Actor:
        """The caller of an API route or page (API token, or session cookie plus CSRF token on
        a write); ``Unauthorized``/``Forbidden`` when there is none that may act."""
        ...

    async def signed_in(self, request: Request, session: AsyncSession) -> SignedIn | None:
        """Who is signed in, for public pages: never raises, ``None`` for nobody."""
        ...


def install_authenticator(app: FastAPI, authenticator: Authenticator) -> None:
    app.state.authenticator = authenticator


def authenticator(request: Request) -> Authenticator:
    found: Authenticator | None = getattr(request.app.state, "authenticator", None)
    if found is None:
        raise RuntimeError("no authenticator installed: create the app with tenantry.app")
    return found


async def current_actor(request: Request, session: DbSession) -> Actor:
    """API callers present ``Authorization: Bearer <API token>``; pages and the browser use the
    session cookie, and then every write must also carry the session's CSRF token."""
    actor = await authenticator(request).actor(request, session)
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
