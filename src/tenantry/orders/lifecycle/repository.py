"""Orders the caller may see: a customer its own, a reseller its customers', the platform all of
its platform's; another's answer 404."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import NotFound, invalid
from tenantry.models import Order, Organization
from tenantry.orders.lifecycle.schemas import OrderFilter
from tenantry.pagination import aware_datetime, decode_cursor, encode_cursor
from tenantry.security import Actor, organization_scope


def _scoped(actor: Actor) -> Select[Order, Organization]:
    return (
        select(Order, Organization)
        .join(Organization, Organization.id == Order.organization_id)
        .where(organization_scope(actor))
    )


async def get(session: AsyncSession, actor: Actor, order_id: uuid.UUID) -> Order:
    """An order of an organization the actor may see (404 otherwise)."""
    found = (await session.execute(_scoped(actor).where(Order.id == order_id))).first()
    if found is None:
        raise NotFound(f"order {order_id} not found")
    order: Order = found[0]
    return order


def _filtered(actor: Actor, filters: OrderFilter) -> Select[Order, Organization]:
    query = _scoped(actor)
    if filters.placed_from and filters.placed_to and filters.placed_from > filters.placed_to:
        raise invalid("placed_to", "after_placed_from", "placed_to is on or after placed_from")
    if filters.status:
        query = query.where(Order.status.in_(filters.status))
    if filters.organization_id:
        query = query.where(Order.organization_id == filters.organization_id)
    if filters.reseller_id:
        query = query.where(Organization.parent_id == filters.reseller_id)
    if filters.placed_from:
        start = datetime.combine(filters.placed_from, time.min, tzinfo=UTC)
        query = query.where(Order.created_at >= start)
    if filters.placed_to:
        end = datetime.combine(filters.placed_to, time.min, tzinfo=UTC) + timedelta(days=1)
        query = query.where(Order.created_at < end)
    return query


async def page(
    session: AsyncSession, actor: Actor, filters: OrderFilter, *, cursor: str | None, limit: int
) -> tuple[Sequence[tuple[Order, Organization]], str | None]:
    """Newest first, ``limit`` at a time; pass the returned cursor back for the next page."""
    query = _filtered(actor, filters)
    if cursor:
        placed, after_id = decode_cursor(cursor, aware_datetime)
        query = query.where(
            or_(Order.created_at < placed, and_(Order.created_at == placed, Order.id < after_id))
        )
    rows = (
        await session.execute(
            query.order_by(Order.created_at.desc(), Order.id.desc()).limit(limit + 1)
        )
    ).all()
    found = [(order, organization) for order, organization in rows]
    if len(found) <= limit:
        return found, None
    last = found[limit - 1][0]
    return found[:limit], encode_cursor(last.created_at, last.id)
