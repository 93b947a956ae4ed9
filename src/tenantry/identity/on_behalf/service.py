"""Login on behalf of a customer: a seller's staff member opens a customer's catalog as that
customer, for a limited time, under their own name.

The window lives on the staff member's own sign-in session (``AuthSession.on_behalf_*``). While
it is open the session acts as the customer's admin (:func:`acting_actor`): the customer's
organization and ``customer_admin`` role, but the staff member's own name and id in
``Actor.label``/``user_id`` and the customer in ``Actor.on_behalf_of_label``, so every audit
event of the session reads "A (A's organization) acting for B". Credentials are out of reach:
``Actor.can`` never grants :data:`~tenantry.security.CREDENTIAL_PERMISSIONS` while acting, and
:func:`refuse_credential_change` guards everything else that changes how someone signs in.

It ends when the person ends it, signs out, switches organization or has their password reset,
and by itself after ``TENANTRY_ON_BEHALF_MINUTES``. Starting and ending are audit events on the
customer. Closing a window is a conditional UPDATE, so of two requests (or a request and the
periodic job) that close the same window exactly one records it.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

import structlog
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from starlette.requests import Request

from tenantry.audit.service import record
from tenantry.db import Database
from tenantry.errors import Conflict, Forbidden
from tenantry.models import (
    AuthSession,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Role,
    User,
    utcnow,
)
from tenantry.organizations import repository as organizations
from tenantry.security import Actor, Permission, manages
from tenantry.settings import Settings

# Where staff land once they act for a customer: the customer's catalog.
STORE_PATH = "/store"
STARTED = "on_behalf.started"
ENDED = "on_behalf.ended"
REFUSED_STATUSES = frozenset({OrganizationStatus.BLOCKED, OrganizationStatus.REJECTED})
_WINDOW_FIELDS = ("on_behalf_organization_id", "on_behalf_started_at", "on_behalf_expires_at")
_BATCH = 500
log = structlog.get_logger(__name__)


class EndReason(enum.StrEnum):
    """Why a window ended (``changes.after.reason`` of its ``on_behalf.ended`` event)."""

    ENDED = "ended"  # the End button
    TIMED_OUT = "timed_out"
    SIGNED_OUT = "signed_out"
    SWITCHED_ORGANIZATION = "switched_organization"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a reason, not a secret


class ActingForCustomer(Forbidden):
    code: ClassVar[str] = "acting_on_behalf"
    title: ClassVar[str] = "Not while acting for a customer"


class OnBehalfEnded(Conflict):
    code: ClassVar[str] = "on_behalf_ended"
    title: ClassVar[str] = "The session as the customer has ended"


@dataclass(frozen=True)
class Window:
    """What the pages show: who acts for whom, until when (or that it just ended)."""

    staff_name: str
    staff_organization: str
    customer_id: uuid.UUID
    customer_name: str
    until: datetime
    ended: bool = False

    @property
    def until_text(self) -> str:
        return self.until.strftime("%H:%M UTC")


def _credentials_refused(customer_name: str | None) -> ActingForCustomer:
    return ActingForCustomer(
        f"you are acting for {customer_name}, so passwords, email addresses, people, API tokens "
        "and sign-in settings cannot be changed; end the session as the customer first"
    )


def refuse_credential_change(actor: Actor) -> None:
    """Raise :class:`ActingForCustomer` (403) when ``actor`` acts for a customer. Call it before
    anything that changes how someone signs in: passwords, email confirmation, people, API
    tokens, sign-in methods and requirements."""
    if actor.acting_on_behalf:
        raise _credentials_refused(actor.on_behalf_of_label)


async def refuse_credential_change_in(
    session: AsyncSession, auth_session: AuthSession | None
) -> None:
    """:func:`refuse_credential_change` for pages that have a browser's session but no actor
    (forgotten password, password reset)."""
    if auth_session is not None and is_open(auth_session, utcnow()):
        customer = (await _parties(session, auth_session)).customer
        raise _credentials_refused(customer.display_name)


def refusal(actor: Actor, customer: Organization) -> str | None:
    """Why ``actor`` may not act for ``customer`` (None: it may)."""
    if actor.token_id is not None or actor.user_id is None:
        return "only a person signed in to the pages can act for a customer, never an API token"
    if actor.acting_on_behalf:
        return f"you are acting for {actor.on_behalf_of_label} already; end that session first"
    permission = Permission.ORGANIZATION_ACT_ON_BEHALF
    if not actor.can(permission):
        return f"the role {actor.role.value} may not act for customers ({permission.value})"
    if customer.kind is not OrganizationKind.CUSTOMER or not manages(actor, customer):
        return f"{customer.display_name} is not a customer you sell to"
    if customer.status in REFUSED_STATUSES:
        reason = f": {customer.status_reason}" if customer.status_reason else ""
        return f"{customer.display_name} is {customer.status.value}{reason}"
    return None


def offered_minutes(request: Request, actor: Actor, customer: Organization) -> int | None:
    """How long "Open as this customer" would act for ``customer`` (None: not offered), for the
    signed-in browser session a page was opened with."""
    if getattr(request.state, "auth_session", None) is None or refusal(actor, customer):
        return None
    settings: Settings = request.app.state.settings
    return settings.on_behalf_minutes


def acting_actor(
    user: User, staff_organization: Organization | None, customer: Organization, until: datetime
) -> Actor:
    where = f" ({staff_organization.display_name})" if staff_organization else ""
    return Actor(
        platform_id=customer.platform_id,
        organization_id=customer.id,
        organization_kind=customer.kind,
        role=Role.CUSTOMER_ADMIN,
        label=f"{user.full_name} <{user.email}>{where}",
        user_id=user.id,
        on_behalf_of_label=customer.display_name,
        on_behalf_until=until,
    )


def is_open(auth_session: AuthSession, now: datetime) -> bool:
    expires = auth_session.on_behalf_expires_at
    return (
        auth_session.on_behalf_organization_id is not None and expires is not None and expires > now
    )


@dataclass(frozen=True)
class _Parties:
    user: User
    staff_organization: Organization | None
    customer: Organization
    until: datetime

    @property
    def actor(self) -> Actor:
        return acting_actor(self.user, self.staff_organization, self.customer, self.until)

    def window(self, *, ended: bool) -> Window:
        staff = self.staff_organization
        return Window(
            staff_name=self.user.full_name,
            staff_organization=staff.display_name if staff else "",
            customer_id=self.customer.id,
            customer_name=self.customer.display_name,
            until=self.until,
            ended=ended,
        )


async def _parties(session: AsyncSession, auth_session: AuthSession) -> _Parties:
    assert auth_session.on_behalf_organization_id is not None
    assert auth_session.on_behalf_expires_at is not None
    staff = auth_session.organization_id
    return _Parties(
        user=await session.get_one(User, auth_session.user_id),
        staff_organization=await session.get(Organization, staff) if staff else None,
        customer=await session.get_one(Organization, auth_session.on_behalf_organization_id),
        until=auth_session.on_behalf_expires_at,
    )


async def acting_for(
    session: AsyncSession, auth_session: AuthSession, own: Actor, user: User
) -> Actor:
    """The session's actor: ``own``, or while a window is open the customer's. The rules are
    checked on every request: losing the role, or the customer being blocked or moved to another
    seller, stops the session at once (403, until the window is ended)."""
    if not is_open(auth_session, utcnow()):
        return own
    parties = await _parties(session, auth_session)
    if message := refusal(own, parties.customer):
        raise Forbidden(
            f"you can no longer act for {parties.customer.display_name}: {message}; end the "
            "session as the customer"
        )
    return acting_actor(user, parties.staff_organization, parties.customer, parties.until)


async def start(
    session: AsyncSession,
    settings: Settings,
    auth_session: AuthSession | None,
    actor: Actor,
    organization_id: uuid.UUID,
) -> Window:
    """Open a window on the signed-in session to act for a customer the actor sells to.
    Opening the same customer again while its window is open changes nothing."""
    if auth_session is None or actor.token_id is not None:
        raise Forbidden(
            "only a person signed in to the pages can act for a customer, never an API token"
        )
    now = utcnow()
    if is_open(auth_session, now) and auth_session.on_behalf_organization_id == organization_id:
        return (await _parties(session, auth_session)).window(ended=False)
    if actor.acting_on_behalf:
        raise Conflict(
            f"you are acting for {actor.on_behalf_of_label} already; end that session first"
        )
    customer = await organizations.get(session, actor, organization_id)  # 404 outside scope
    if message := refusal(actor, customer):
        raise Forbidden(message)
    # A window that ran out but whose end is not recorded yet is recorded first.
    await end(session, auth_session, EndReason.TIMED_OUT)
    until = min(now + timedelta(minutes=settings.on_behalf_minutes), auth_session.expires_at)
    values: dict[str, Any] = dict(zip(_WINDOW_FIELDS, (customer.id, now, until), strict=True))
    opened = await session.execute(
        update(AuthSession)
        .where(AuthSession.id == auth_session.id, AuthSession.on_behalf_organization_id.is_(None))
        .values(**values, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(opened, "rowcount", 0) != 1:
        raise Conflict("this session started acting for a customer meanwhile; reload the page")
    _set_window(auth_session, values)
    parties = await _parties(session, auth_session)
    await record(
        session, parties.actor, action=STARTED, target_type="organization", target_id=customer.id,
        organization_id=customer.id, changes={"after": {"until": until}},
    )  # fmt: skip
    return parties.window(ended=False)


async def end(session: AsyncSession, auth_session: AuthSession, reason: EndReason) -> Window | None:
    """Close the session's window and record why; None when there was none (or another request
    closed it first). A window that had run out ends as ``timed_out``, at its expiry."""
    if auth_session.on_behalf_organization_id is None:
        return None
    now = utcnow()
    started = auth_session.on_behalf_started_at
    closed = await session.execute(
        update(AuthSession)
        .where(
            AuthSession.id == auth_session.id,
            AuthSession.on_behalf_organization_id == auth_session.on_behalf_organization_id,
            AuthSession.on_behalf_started_at == started,
        )
        .values(dict.fromkeys(_WINDOW_FIELDS))
        .execution_options(synchronize_session=False)
    )
    if getattr(closed, "rowcount", 0) != 1:
        return None
    parties = await _parties(session, auth_session)
    _set_window(auth_session, dict.fromkeys(_WINDOW_FIELDS))
    lapsed = parties.until <= now
    ended_at = parties.until if lapsed else now
    await record(
        session, parties.actor, action=ENDED, target_type="organization",
        target_id=parties.customer.id, organization_id=parties.customer.id,
        changes={
            "after": {"reason": EndReason.TIMED_OUT if lapsed else reason, "ended_at": ended_at}
        },
    )  # fmt: skip
    return parties.window(ended=True)


def _set_window(auth_session: AuthSession, values: dict[str, Any]) -> None:
    """Mirror a bulk UPDATE on the loaded row, without marking it changed."""
    for name in _WINDOW_FIELDS:
        set_committed_value(auth_session, name, values[name])


async def close_windows(
    session: AsyncSession, *where: ColumnElement[bool], reason: EndReason
) -> int:
    """End and record every window of the sessions matching ``where`` (before they are deleted,
    or once they have expired); returns how many were recorded."""
    rows: Sequence[AuthSession] = (
        (
            await session.execute(
                select(AuthSession)
                .where(*where, AuthSession.on_behalf_organization_id.is_not(None))
                .limit(_BATCH)
            )
        )
        .scalars()
        .all()
    )
    return sum([await end(session, row, reason) is not None for row in rows])


async def settle(
    request: Request, session: AsyncSession, auth_session: AuthSession, *, writing: bool
) -> None:
    """Note in ``request.state.on_behalf`` what the page shows about acting for a customer, and
    end a window that has run out.

    A request that reads records the end in a short transaction of its own (its own transaction
    stays a read; losing the record here only defers it to the next request or the periodic
    job), then goes on as the staff member in their own organization, with a notice. A request
    that writes is refused instead (409 ``on_behalf_ended``): what was posted was meant for the
    customer, and must not be done in the staff member's own name. ``writing``: the request's
    transaction is a write one (on SQLite a second writer would wait for its lock)."""
    if auth_session.on_behalf_organization_id is None:
        return
    # The banner's End button posts with the session's token, also on an error page.
    request.state.csrf_token = auth_session.csrf_token
    if is_open(auth_session, utcnow()):
        request.state.on_behalf = (await _parties(session, auth_session)).window(ended=False)
        return
    window = (await _parties(session, auth_session)).window(ended=True)
    request.state.on_behalf = window
    if writing:
        raise OnBehalfEnded(
            f"your session as {window.customer_name} ended at {window.until_text}, so nothing "
            f"was saved; you are working in {window.staff_organization} again"
        )
    database: Database = request.app.state.database
    try:
        async with database.transaction() as own:
            await end(own, auth_session, EndReason.TIMED_OUT)
    except SQLAlchemyError:
        log.warning("on_behalf.end_not_recorded", auth_session_id=str(auth_session.id))
