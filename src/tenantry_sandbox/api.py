"""What every Partner Center route shares: the session, the caller, paging and customer access.

Route modules build their router with ``partner_center_router()`` and declare what they need:

- ``Session``: the request's transaction (committed before the response is sent);
- ``AnyCaller`` / ``UserCaller``: a valid bearer token, App-only or App+User; ``UserCaller``
  refuses app-only tokens with 403 / 900329 for the operations Microsoft documents as App+User;
- ``CustomerOfAnyCaller`` / ``CustomerOfUser``: the ``{customer_id}`` in the path, which the
  caller must have a relationship with (403 / 20002 otherwise);
- ``SeekParams``: a seek-paged request (``size``, ``filter``, ``seekOperation``,
  ``MS-ContinuationToken``).

Every authenticated request counts against the partner's rate limit.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox import errors
from tenantry_sandbox.paging import SeekRequest
from tenantry_sandbox.resources import PartnerCenterRoute
from tenantry_sandbox.state import SandboxState, get_state
from tenantry_sandbox.store import customers, partners, relationships
from tenantry_sandbox.store.customers import Customer
from tenantry_sandbox.store.partners import Partner
from tenantry_sandbox.tokens import Caller, InvalidToken

State = Annotated[SandboxState, Depends(get_state)]


async def _session(state: State) -> AsyncIterator[AsyncSession]:
    async with state.db.transaction() as session:
        yield session


# scope="function": the commit runs when the route returns, before the response is sent.
Session = Annotated[AsyncSession, Depends(_session, scope="function")]


async def _authenticated(request: Request, state: State) -> Caller:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.access_denied("the request has no bearer token")
    try:
        caller = await state.tokens.verify(token.strip(), state.db.sessionmaker)
    except InvalidToken as exc:
        raise errors.access_denied(str(exc)) from exc
    state.limiter.hit(str(caller.tenant_id))
    return caller


AnyCaller = Annotated[Caller, Depends(_authenticated)]


async def _app_user(caller: AnyCaller) -> Caller:
    if caller.app_only:
        raise errors.app_only_not_supported()
    return caller


UserCaller = Annotated[Caller, Depends(_app_user)]


async def _calling_partner(caller: AnyCaller, session: Session) -> Partner:
    partner = await partners.get(session, caller.tenant_id)
    if partner is None:
        raise errors.access_denied(f"tenant {caller.tenant_id} has no Partner Center account")
    return partner


CallingPartner = Annotated[Partner, Depends(_calling_partner)]

CustomerId = Annotated[uuid.UUID, Path()]


async def accessible_customer(
    session: AsyncSession, caller: Caller, customer_id: uuid.UUID, state: SandboxState
) -> Customer:
    """The customer, if the caller has an active relationship with it. A customer created
    less than ``state.new_customer_ready_seconds`` ago is not found yet (404/60003): Microsoft
    takes a while to make a new customer known everywhere."""
    customer = await customers.get(session, customer_id)
    if customer is None:
        raise errors.tenant_not_found(customer_id)
    ready = state.new_customer_ready_seconds
    if ready and (state.clock.now() - customer.created_at).total_seconds() < ready:
        raise errors.tenant_not_found(customer_id)
    if await relationships.active_for(session, customer_id, caller.tenant_id) is None:
        raise errors.no_relationship(caller.tenant_id, customer_id)
    return customer


async def _customer_of_any_caller(
    customer_id: CustomerId, caller: AnyCaller, session: Session, state: State
) -> Customer:
    return await accessible_customer(session, caller, customer_id, state)


async def _customer_of_user(
    customer_id: CustomerId, caller: UserCaller, session: Session, state: State
) -> Customer:
    return await accessible_customer(session, caller, customer_id, state)


CustomerOfAnyCaller = Annotated[Customer, Depends(_customer_of_any_caller)]
CustomerOfUser = Annotated[Customer, Depends(_customer_of_user)]


def partner_center_router(**kwargs: Any) -> APIRouter:
    """A router for Partner Center operations: under ``/v1``, authenticated, rate limited."""
    return APIRouter(
        prefix="/v1",
        route_class=PartnerCenterRoute,
        dependencies=[Depends(_authenticated)],
        **kwargs,
    )


# Seek paging parameters, shared by every seek-based collection.
async def _seek_request(
    state: State,
    size: Annotated[int | None, Query(ge=0)] = None,
    seek_operation: Annotated[str | None, Query(alias="seekOperation")] = None,
    filter_: Annotated[str | None, Query(alias="filter")] = None,
    continuation: Annotated[str | None, Header(alias="MS-ContinuationToken")] = None,
) -> SeekRequest:
    settings = state.settings
    if seek_operation is not None and seek_operation.lower() != "next":
        raise errors.invalid_property(
            f"Unsupported seekOperation '{seek_operation}'.", "seekOperation"
        )
    if seek_operation is not None and not continuation:
        raise errors.invalid_property(
            "seekOperation=Next needs the MS-ContinuationToken header.", "MS-ContinuationToken"
        )
    page_size = settings.default_page_size if not size else min(size, settings.max_page_size)
    return SeekRequest(
        tokens=state.pages,
        size=page_size,
        filter=filter_,
        next_token=continuation if seek_operation is not None else None,
    )


SeekParams = Annotated[SeekRequest, Depends(_seek_request)]
