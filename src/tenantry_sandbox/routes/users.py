"""Customer users, licenses and subscribed SKUs (all App+User).

- ``GET /v1/customers/{id}/users`` seek-paged (``size``, ``seekOperation``, ``MS-ContinuationToken``)
- ``GET /v1/customers/{id}/users/{userId}``
- ``GET /v1/customers/{id}/users/{userId}/licenses[?licenseGroupIds=Group1|Group2]``
- ``GET /v1/customers/{id}/subscribedskus[?licenseGroupIds=...]``
- ``POST /v1/customers/{id}/users/{userId}/licenseupdates`` (rules: services.license_updates)
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from tenantry_sandbox import errors
from tenantry_sandbox.api import (
    CustomerOfUser,
    SeekParams,
    Session,
    UserCaller,
    partner_center_router,
)
from tenantry_sandbox.paging import cut, seek_collection
from tenantry_sandbox.resources import Collection, collection
from tenantry_sandbox.schemas.users import (
    CustomerUserOut,
    LicenseAssignmentOut,
    LicenseOut,
    LicenseUpdateIn,
    LicenseUpdateOut,
    SubscribedSkuOut,
    customer_user,
    subscribed_sku,
    user_license,
)
from tenantry_sandbox.services.license_updates import update_licenses
from tenantry_sandbox.store import licenses, users
from tenantry_sandbox.store.users import CustomerUser

router = partner_center_router(tags=["users"])

LicenseGroups = Annotated[str | None, Query(alias="licenseGroupIds")]


def _groups(value: str | None) -> list[str] | None:
    return [group for group in (value or "").split("|") if group.strip()] or None


async def _user(session: Session, customer_id: uuid.UUID, user_id: uuid.UUID) -> CustomerUser:
    user = await users.get(session, customer_id, user_id)
    if user is None:
        raise errors.not_found(f"User {user_id} not found in customer {customer_id}")
    return user


@router.get("/customers/{customer_id:uuid}/users", summary="List a customer's users")
async def list_users(
    customer: CustomerOfUser, caller: UserCaller, session: Session, seek: SeekParams
) -> Collection[CustomerUserOut]:
    cursor = seek.cursor(scope=f"{caller.tenant_id}:customers/{customer.id}/users")
    rows = await users.page(session, customer.id, after=cursor.after, limit=cursor.size + 1)
    page = cut(seek.tokens, cursor, rows, key=lambda row: row.seq)
    return seek_collection(
        [customer_user(row) for row in page.rows],
        page.next_token,
        self_uri=f"/customers/{customer.id}/users",
    )


@router.get("/customers/{customer_id:uuid}/users/{user_id:uuid}", summary="Get a customer user")
async def get_user(
    customer: CustomerOfUser, user_id: uuid.UUID, session: Session
) -> CustomerUserOut:
    return customer_user(await _user(session, customer.id, user_id))


@router.get(
    "/customers/{customer_id:uuid}/users/{user_id:uuid}/licenses",
    summary="List the licenses assigned to a user",
)
async def list_user_licenses(
    customer: CustomerOfUser,
    user_id: uuid.UUID,
    session: Session,
    license_group_ids: LicenseGroups = None,
) -> Collection[LicenseOut]:
    user = await _user(session, customer.id, user_id)
    groups = _groups(license_group_ids)
    skus = [
        sku
        for sku in await licenses.of_user(session, customer.id, user.id)
        if licenses.in_groups(sku, groups)
    ]
    return collection([user_license(sku) for sku in skus])


@router.get("/customers/{customer_id:uuid}/subscribedskus", summary="List subscribed SKUs")
async def list_subscribed_skus(
    customer: CustomerOfUser, session: Session, license_group_ids: LicenseGroups = None
) -> Collection[SubscribedSkuOut]:
    groups = _groups(license_group_ids)
    owned = await licenses.subscribed(session, customer.id)
    return collection(
        [
            subscribed_sku(row, sku, used)
            for row, sku, used in owned
            if licenses.in_groups(sku, groups)
        ]
    )


@router.post(
    "/customers/{customer_id:uuid}/users/{user_id:uuid}/licenseupdates",
    status_code=201,
    summary="Assign and remove a user's licenses",
)
async def update_user_licenses(
    customer: CustomerOfUser, user_id: uuid.UUID, body: LicenseUpdateIn, session: Session
) -> LicenseUpdateOut:
    user = await _user(session, customer.id, user_id)
    assigned, removed = await update_licenses(session, user, body)
    return LicenseUpdateOut(
        licenses_to_assign=[LicenseAssignmentOut(sku_id=sku) for sku in assigned] or None,
        licenses_to_remove=removed or None,
    )
