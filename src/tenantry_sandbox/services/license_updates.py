"""Assigning and removing a user's licenses (``POST .../users/{userId}/licenseupdates``).

The rules Microsoft applies (Partner Center passes on the directory's answers):

- a license is assigned from the customer's subscribed SKUs; any other SKU id is refused (400);
- a user without a usage location gets no license (400, "License assignment cannot be done for
  user with invalid usage location.", the text partners meet; Microsoft documents no code for
  it, the sandbox answers 3000);
- a SKU with no unit left is refused with code 60012 (``error-license-update-60012.json``);
- removing a license the user does not hold is refused (400, "User does not have a
  corresponding license.");
- assigning a license the user already holds changes nothing and succeeds.

The whole update is checked before anything changes: a refused update assigns nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox import errors
from tenantry_sandbox.errors import PartnerCenterError
from tenantry_sandbox.schemas.users import LicenseUpdateIn
from tenantry_sandbox.store import licenses
from tenantry_sandbox.store.licenses import UserLicense
from tenantry_sandbox.store.users import CustomerUser

INVALID_USAGE_LOCATION = "License assignment cannot be done for user with invalid usage location."
NOT_HELD = "User does not have a corresponding license."
OUT_OF_LICENSES = (
    "We are sorry, it looks like you have run out of licenses. Buy more licenses, and then try "
    "again."
)


def _sku_ids(values: Sequence[str | None], field: str) -> list[uuid.UUID]:
    found: list[uuid.UUID] = []
    for value in values:
        try:
            sku_id = uuid.UUID(str(value or "").strip())
        except ValueError as exc:
            raise errors.invalid_property(f"{value!r} is not a SKU id.", field) from exc
        if sku_id not in found:
            found.append(sku_id)
    return found


def out_of_licenses(account: uuid.UUID, sku_id: uuid.UUID) -> PartnerCenterError:
    return PartnerCenterError(
        400,
        60012,
        OUT_OF_LICENSES,
        data=[
            f"LicenseQuotaExceededException : Subscription with Account {account} and SKU "
            f"{sku_id} does not have any available licenses left."
        ],
    )


async def update_licenses(
    session: AsyncSession, user: CustomerUser, body: LicenseUpdateIn
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """Apply the update to ``user``; returns the SKU ids assigned and removed."""
    assign = _sku_ids([a.sku_id for a in body.licenses_to_assign or ()], "licensesToAssign")
    remove = _sku_ids(list(body.licenses_to_remove or ()), "licensesToRemove")
    if not assign and not remove:
        raise errors.invalid_property(
            "A license update assigns or removes at least one license.", "licensesToAssign"
        )
    held = {sku.id for sku in await licenses.of_user(session, user.customer_id, user.id)}
    if any(sku_id not in held for sku_id in remove):
        raise errors.invalid_property(NOT_HELD, "licensesToRemove")
    owned = {
        row.sku_id: (row, used)
        for row, _sku, used in await licenses.subscribed(session, user.customer_id)
    }
    new = [sku_id for sku_id in assign if sku_id not in held]
    for sku_id in new:
        if sku_id not in owned or owned[sku_id][0].capability_status.lower() != "enabled":
            raise errors.invalid_property(
                f"License {sku_id} does not correspond to a valid company License.",
                "licensesToAssign",
            )
    if new and not (user.usage_location or "").strip():
        raise errors.invalid_property(INVALID_USAGE_LOCATION, "usageLocation")
    for sku_id in new:
        row, used = owned[sku_id]
        freed = 1 if sku_id in remove else 0
        if used - freed + 1 > row.active_units:
            raise out_of_licenses(user.customer_id, sku_id)
    if remove:
        await session.execute(
            delete(UserLicense).where(
                UserLicense.customer_id == user.customer_id,
                UserLicense.user_id == user.id,
                UserLicense.sku_id.in_(remove),
            )
        )
    for sku_id in new:
        session.add(UserLicense(customer_id=user.customer_id, user_id=user.id, sku_id=sku_id))
    await session.flush()
    return assign, remove
