"""What the commerce tests share: their own PostgreSQL database, customers ready to buy, the
catalog items they buy, and short ways to buy them.

Each ``test_commerce_*`` module imports ``commerce_database`` so the ``sandbox`` fixture of the
conftest runs on a fresh SQLite file, or on the ``sandbox_commerce_test`` PostgreSQL database
(skipped cleanly when the server is unreachable).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tenantry_sandbox.store.licenses import UserLicense
from tenantry_sandbox.store.users import CustomerUser

from .conftest import BACKENDS, BASE_URL, Sandbox, reachable_postgres_url, sample, sqlite_url

COMMERCE_DATABASE = "sandbox_commerce_test"

BASIC = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
BASIC_TRIAL = "CFQ7TTC0LH18:0002:CFQ7TTC0SDL3"
PREMIUM = "CFQ7TTC0LCHC:0001:CFQ7TTC0K5BD"
PREMIUM_TRIAL = "CFQ7TTC0LCHC:0002:CFQ7TTC0TR6P"
E5 = "CFQ7TTC0LFLZ:0002:CFQ7TTC0K4TS"
BASIC_SKU = "3b555118-da6a-4418-894f-7df1e2096870"
STANDARD_SKU = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"
PREMIUM_SKU = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"
AZURE_OFFER = "MS-AZR-0145P"
EXCHANGE_OFFER = "195416C1-3447-423A-B37B-EE59A99A19C4"
ARCHIVING_ADDON = "2828BE95-46BA-4F91-B2FD-0BEF192ECF60"
TRIAL_OFFER = "C0BD2E08-11AC-4836-BDC7-3712E744922F"
PAID_OFFER = "031C9E47-4802-4248-838E-778FB1D2CC05"


@pytest.fixture(params=BACKENDS, name="database_url")
def commerce_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Overrides the conftest's ``database_url`` in the modules importing it."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return reachable_postgres_url(COMMERCE_DATABASE)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def fails(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    """Assert a Partner Center error answer; returns its body."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def line(
    item: str, quantity: int = 1, term: str | None = "P1M", cycle: str = "Monthly", **more: Any
) -> dict[str, Any]:
    """A cart line as the documented NCE request writes it (PascalCase)."""
    body: dict[str, Any] = {"CatalogItemId": item, "Quantity": quantity, "BillingCycle": cycle}
    if term is not None:
        body["TermDuration"] = term
    body.update(more)
    return body


async def buyer(sandbox: Sandbox, *, attested: bool = True, **fields: Any) -> str:
    """A customer served directly by the distributor, by default able to buy and owning no
    licenses (``skus`` names the ones it holds, with their subscriptions)."""
    fields.setdefault("skus", [])
    created = await sandbox.customer(mcaAttested=attested, **fields)
    return str(created["id"])


async def new_cart(sandbox: Sandbox, customer: str, *lines: dict[str, Any]) -> dict[str, Any]:
    body = {"LineItems": list(lines)}
    cart: dict[str, Any] = ok(
        await sandbox.call("POST", f"/v1/customers/{customer}/carts", json=body), 201
    )
    return cart


async def checkout(sandbox: Sandbox, customer: str, cart_id: str) -> httpx.Response:
    return await sandbox.call("POST", f"/v1/customers/{customer}/carts/{cart_id}/checkout")


async def buy(sandbox: Sandbox, customer: str, *lines: dict[str, Any]) -> dict[str, Any]:
    """Cart and checkout; the (single) order placed."""
    cart = await new_cart(sandbox, customer, *lines)
    result = ok(await checkout(sandbox, customer, cart["id"]), 201)
    order: dict[str, Any] = result["orders"][0]
    return order


async def provisioned(sandbox: Sandbox, customer: str, order_id: str) -> dict[str, Any]:
    """Read the order until provisioning completed (a bounded number of reads, no sleeping)."""
    deadline = time.monotonic() + 10
    while True:
        order: dict[str, Any] = ok(
            await sandbox.call("GET", f"/v1/customers/{customer}/orders/{order_id}")
        )
        if order["status"] == "completed" or time.monotonic() > deadline:
            assert order["status"] == "completed", order
            return order


async def subscription_of(sandbox: Sandbox, customer: str, order_id: str) -> dict[str, Any]:
    """The first subscription an order provisioned (reading it completes the order)."""
    found = ok(
        await sandbox.call("GET", f"/v1/customers/{customer}/subscriptions?order_id={order_id}")
    )
    assert found["items"], found
    first: dict[str, Any] = found["items"][0]
    return first


async def bought(sandbox: Sandbox, customer: str, *lines: dict[str, Any]) -> dict[str, Any]:
    """Buy and return the first subscription provisioned."""
    order = await buy(sandbox, customer, *lines)
    return await subscription_of(sandbox, customer, order["id"])


async def units(sandbox: Sandbox, customer: str, sku_id: str) -> dict[str, Any] | None:
    """The customer's subscribed SKU (``/subscribedskus``) of a license SKU."""
    owned = ok(await sandbox.call("GET", f"/v1/customers/{customer}/subscribedskus"))
    return next((s for s in owned["items"] if s["productSku"]["id"] == sku_id), None)


async def move_clock(sandbox: Sandbox, seconds: float) -> None:
    """Move the sandbox clock; tokens issued before may have expired, so new ones are fetched."""
    await sandbox.control("POST", "/clock", json={"advanceSeconds": seconds})
    sandbox._tokens.clear()


async def assign_license(sandbox: Sandbox, customer: str, sku_id: str) -> str:
    """The customer's Global Admin assigns a license to its first user in the admin center (not
    through Partner Center): done in the sandbox's directory. Returns the user's id."""
    async with sandbox.state.db.sessionmaker() as session, session.begin():
        user = (
            (
                await session.execute(
                    select(CustomerUser)
                    .where(CustomerUser.customer_id == uuid.UUID(customer))
                    .order_by(CustomerUser.seq)
                )
            )
            .scalars()
            .first()
        )
        assert user is not None
        session.add(
            UserLicense(user_id=user.id, sku_id=uuid.UUID(sku_id), customer_id=user.customer_id)
        )
    return str(user.id)


async def licenses_of(sandbox: Sandbox, customer: str, user_id: str) -> set[str]:
    found = ok(await sandbox.call("GET", f"/v1/customers/{customer}/users/{user_id}/licenses"))
    return {item["productSku"]["id"] for item in found["items"]}


__all__ = ["BASE_URL", "Sandbox", "sample"]
