"""Storefronts: where a customer finds offers and registers. Every seller has one.

The platform owner's storefront is ``/store`` (the default) and a reseller's is
``/store/{reseller id}``; the link a reseller hands out makes the customers who register through
it that reseller's customers. The storefront a browser last visited is remembered in a cookie, so
signing up, signing in with Microsoft and registering the organization all know the seller.
"""

from __future__ import annotations

import functools
import uuid

from fastapi import Request, Response
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import NotFound
from tenantry.models import Organization, OrganizationKind, OrganizationStatus
from tenantry.settings import Settings
from tenantry.web.signed_forms import set_private_cookie

STOREFRONT_COOKIE = "tenantry_storefront"
STOREFRONT_MAX_AGE = 30 * 24 * 3600
SELLER_KINDS = (OrganizationKind.PLATFORM, OrganizationKind.RESELLER)


@functools.cache
def platform_owners_query() -> Select[Organization]:
    """The first two platform owners (an index on kind finds them among every organization).
    Built once: the storefront asks it on every visit."""
    return (
        select(Organization)
        .where(Organization.kind == OrganizationKind.PLATFORM)
        .order_by(Organization.created_at)
        .limit(2)
    )


async def default_seller(session: AsyncSession) -> Organization:
    """The platform owner, when the installation has exactly one platform (the usual case)."""
    platforms = (await session.execute(platform_owners_query())).scalars().all()
    if len(platforms) != 1:
        raise NotFound("there is no storefront here; open the link your seller gave you")
    return platforms[0]


async def seller(session: AsyncSession, seller_id: uuid.UUID) -> Organization:
    """An active platform owner or reseller, whose storefront this is."""
    organization = await session.get(Organization, seller_id)
    if (
        organization is None
        or organization.kind not in SELLER_KINDS
        or organization.status is not OrganizationStatus.ACTIVE
    ):
        raise NotFound("there is no such storefront; open the link your seller gave you")
    return organization


async def current(request: Request, session: AsyncSession) -> Organization:
    """The storefront this browser came through, or the platform owner's."""
    remembered = request.cookies.get(STOREFRONT_COOKIE)
    if remembered:
        try:
            return await seller(session, uuid.UUID(remembered))
        except (ValueError, NotFound):
            pass  # a stale or altered cookie: fall back to the platform's own storefront
    return await default_seller(session)


def remember(response: Response, settings: Settings, organization: Organization) -> None:
    set_private_cookie(
        response, settings, STOREFRONT_COOKIE, str(organization.id), max_age=STOREFRONT_MAX_AGE
    )


def path_of(organization: Organization) -> str:
    """The storefront's address (the platform owner's is the site's default one)."""
    return (
        "/store" if organization.kind is OrganizationKind.PLATFORM else f"/store/{organization.id}"
    )
