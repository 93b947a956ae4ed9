"""Control API for customers' directories (under ``/_sandbox``, no Microsoft authentication):
what a customer's own administrators do in the Microsoft 365 admin center, outside Partner
Center, so tests and demos can change a tenant between two imports.

- ``POST /_sandbox/customers/{id}/users``: add a user;
- ``PATCH|DELETE /_sandbox/customers/{id}/users/{userId}``: rename or move a user, or delete it
  (with its licenses);
- ``PUT /_sandbox/customers/{id}/users/{userId}/licenses``: set the licenses a user holds;
- ``POST /_sandbox/customers/{id}/other-provider-licenses``: licenses the customer bought from
  another provider (or directly from Microsoft): units of a subscribed SKU with no subscription
  of this partner behind them.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from fastapi import APIRouter, Response
from pydantic import Field
from sqlalchemy import delete

from tenantry_sandbox import errors
from tenantry_sandbox.api import Session
from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.schemas.users import customer_user
from tenantry_sandbox.store import customers, domains, users
from tenantry_sandbox.store.license_catalog import SKUS_BY_ID
from tenantry_sandbox.store.licenses import SubscribedSku, UserLicense
from tenantry_sandbox.store.subscriptions import add_license_units
from tenantry_sandbox.store.users import CustomerUser, user_row

router = APIRouter(tags=["sandbox control"])
ONE_CUSTOMER = "/customers/{customer_id:uuid}"
ONE_USER = ONE_CUSTOMER + "/users/{user_id:uuid}"


class UserFixture(RequestModel):
    first_name: str = Field(min_length=1, max_length=64)
    last_name: str = Field(min_length=1, max_length=64)
    # The part before the @; the tenant's initial domain follows it.
    user_name: str | None = Field(default=None, max_length=64)
    display_name: str | None = Field(default=None, max_length=256)
    # Two letters; null leaves the user without one (no license can then be assigned).
    usage_location: str | None = Field(default="US", min_length=2, max_length=2)


class UserChange(RequestModel):
    first_name: str | None = Field(default=None, min_length=1, max_length=64)
    last_name: str | None = Field(default=None, min_length=1, max_length=64)
    display_name: str | None = Field(default=None, min_length=1, max_length=256)
    usage_location: str | None = Field(default=None, min_length=2, max_length=2)


class UserLicenses(RequestModel):
    sku_ids: list[uuid.UUID]


class OtherProviderLicenses(RequestModel):
    sku_id: uuid.UUID
    units: int = Field(ge=1, le=10_000)


async def _customer_id(session: Session, customer_id: uuid.UUID) -> uuid.UUID:
    if await customers.get(session, customer_id) is None:
        raise errors.tenant_not_found(customer_id)
    return customer_id


def sign_in_name(first_name: str, last_name: str) -> str:
    """``ida.sorensen`` for Ida Sørensen: Microsoft allows only ASCII letters, digits and
    ``._-`` before the @ of a user principal name (a name with none gets ``user`` and a number)."""
    wanted = f"{first_name}.{last_name}".lower().replace("ø", "o").replace("æ", "ae")
    ascii_only = unicodedata.normalize("NFKD", wanted).encode("ascii", "ignore").decode()
    local = re.sub(r"[^a-z0-9._-]", "", ascii_only).strip("._-")
    return local or f"user{uuid.uuid4().hex[:8]}"  # a name in another script: no letters left


async def _user(session: Session, customer_id: uuid.UUID, user_id: uuid.UUID) -> CustomerUser:
    user = await users.get(session, await _customer_id(session, customer_id), user_id)
    if user is None:
        raise errors.not_found(f"User {user_id} not found in customer {customer_id}")
    return user


@router.post(f"{ONE_CUSTOMER}/users", status_code=201, summary="Add a user to a customer tenant")
async def add_user(customer_id: uuid.UUID, body: UserFixture, session: Session) -> dict[str, Any]:
    await _customer_id(session, customer_id)
    names = await domains.names_of(session, customer_id)
    local = body.user_name or sign_in_name(body.first_name, body.last_name)
    row = CustomerUser(
        **user_row(
            customer_id,
            uuid.uuid4(),
            f"{local}@{names[0]}",
            first_name=body.first_name,
            last_name=body.last_name,
            display_name=body.display_name or f"{body.first_name} {body.last_name}",
            usage_location=body.usage_location.upper() if body.usage_location else None,
        )
    )
    session.add(row)
    await session.flush()
    return customer_user(row).model_dump(mode="json", by_alias=True, exclude_none=True)


@router.patch(ONE_USER, summary="Change a user's names or usage location")
async def change_user(
    customer_id: uuid.UUID, user_id: uuid.UUID, body: UserChange, session: Session
) -> dict[str, Any]:
    user = await _user(session, customer_id, user_id)
    for name in ("first_name", "last_name", "display_name"):
        if (value := getattr(body, name)) is not None:
            setattr(user, name, value)
    if body.usage_location is not None:
        user.usage_location = body.usage_location.upper()
    await session.flush()
    return customer_user(user).model_dump(mode="json", by_alias=True, exclude_none=True)


@router.delete(ONE_USER, status_code=204, summary="Delete a user and its licenses")
async def delete_user(customer_id: uuid.UUID, user_id: uuid.UUID, session: Session) -> Response:
    user = await _user(session, customer_id, user_id)
    await session.execute(
        delete(UserLicense).where(
            UserLicense.customer_id == customer_id, UserLicense.user_id == user.id
        )
    )
    await session.delete(user)
    return Response(status_code=204)


@router.put(f"{ONE_USER}/licenses", summary="Set the licenses a user holds (admin center)")
async def set_user_licenses(
    customer_id: uuid.UUID, user_id: uuid.UUID, body: UserLicenses, session: Session
) -> dict[str, Any]:
    user = await _user(session, customer_id, user_id)
    for sku_id in body.sku_ids:
        if await session.get(SubscribedSku, (customer_id, sku_id)) is None:
            raise errors.invalid_property(f"The customer holds no license of {sku_id}.", "skuIds")
    await session.execute(
        delete(UserLicense).where(
            UserLicense.customer_id == customer_id, UserLicense.user_id == user.id
        )
    )
    for sku_id in dict.fromkeys(body.sku_ids):
        session.add(UserLicense(customer_id=customer_id, user_id=user.id, sku_id=sku_id))
    await session.flush()
    return {"userId": str(user.id), "skuIds": [str(s) for s in dict.fromkeys(body.sku_ids)]}


@router.post(
    f"{ONE_CUSTOMER}/other-provider-licenses",
    status_code=201,
    summary="Add licenses the customer bought from another provider",
)
async def add_other_provider_licenses(
    customer_id: uuid.UUID, body: OtherProviderLicenses, session: Session
) -> dict[str, Any]:
    await _customer_id(session, customer_id)
    if body.sku_id not in SKUS_BY_ID:
        raise errors.invalid_property(f"Unknown SKU id {body.sku_id}.", "skuId")
    await add_license_units(session, customer_id, body.sku_id, active=body.units)
    owned = await session.get(SubscribedSku, (customer_id, body.sku_id))
    assert owned is not None
    return {"skuId": str(body.sku_id), "activeUnits": owned.active_units}
