"""A real `tenantry worker` process killed between the cart and the checkout: another worker
resumes the order from what was saved and Microsoft (the sandbox, over HTTP) sells it once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import (
    LinkMethod,
    OrderProvisioning,
    OrderStatus,
    Organization,
    ProvisioningStep,
)
from tenantry.settings import Settings
from tenantry.tenants.linking import TenantFacts, link_tenant
from tenantry_sandbox import SandboxSettings
from tenantry_sandbox import create_app as create_sandbox
from tests.e2e.live_sandbox import LiveSandbox
from tests.factories import World
from tests.jobs.conftest import eventually
from tests.orders.provisioning.conftest import in_the_us, order_of, paid_order
from tests.threaded_servers import free_listener, served

REPO_ROOT = Path(__file__).resolve().parents[3]
CHECKOUT = "/v1/customers/*/carts/*/checkout"
# Long enough to kill the worker while it waits for the checkout's answer.
CHECKOUT_LATENCY_MS = 8000

pytestmark = pytest.mark.slow


@pytest.fixture
async def live_sandbox(tmp_path: Path) -> AsyncIterator[LiveSandbox]:
    listener = free_listener()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings = SandboxSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}", base_url=url, smtp_port=0
    )
    async with served(create_sandbox(settings), listener, "/_sandbox/summary") as served_url:
        yield LiveSandbox(served_url, settings)


@pytest.fixture
def queue_url(database_url: str, tmp_path: Path) -> str:
    return database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path}/q.db"


@pytest.fixture
def producer(settings: Settings, queue_url: str, database: Database) -> JobQueue:
    """The app's side of the queue: committed outbox rows are handed to the workers' queue."""
    queue = JobQueue(settings.model_copy(update={"queue_url": queue_url}))
    queue.huey.flush()
    queue.bind(database)
    return queue


@contextlib.asynccontextmanager
async def tenantry_worker(
    env: dict[str, str], directory: Path, name: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    log = directory / f"{name}.log"
    with log.open("w") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from tenantry.cli import app; app()", "worker",
            "--processes", "1", "--threads", "1",
            env=os.environ | env, stdout=output, stderr=subprocess.STDOUT, cwd=directory,
        )  # fmt: skip
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()


async def customer_orders(sandbox: LiveSandbox, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    token = await sandbox_token(sandbox)
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=10) as client:
        response = await client.get(
            f"/v1/customers/{tenant_id}/orders", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def sandbox_token(sandbox: LiveSandbox) -> str:
    form = {
        "client_id": sandbox.settings.client_id, "client_secret": sandbox.settings.client_secret,
        "grant_type": "client_credentials",
        "scope": "https://api.partnercenter.microsoft.com/.default",
    }  # fmt: skip
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=10) as client:
        answer = await client.post(f"/{sandbox.settings.partner_tenant_id}/oauth2/v2.0/token",
                                   data=form)  # fmt: skip
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


async def test_a_worker_killed_between_cart_and_checkout_is_resumed_and_buys_once(
    database_url: str, database: Database, world: World, producer: JobQueue,
    live_sandbox: LiveSandbox, queue_url: str, tmp_path: Path,
) -> None:  # fmt: skip
    customer = world.direct_customer
    await in_the_us(database, customer)
    made = await live_sandbox.control(
        "POST", "/customers", json={"relationship": "direct", "mcaAttested": True}
    )
    tenant_id = uuid.UUID(made["id"])
    async with database.transaction() as session:
        row = await session.get_one(Organization, customer.organization.id)
        facts = TenantFacts(tenant_id, initial_domain=made["domain"])
        await link_tenant(session, None, row, facts, LinkMethod.VERIFIED)
    before = await customer_orders(live_sandbox, tenant_id)
    await live_sandbox.control("PUT", "/faults", json={"rules": [{
        "kind": "latency", "latencyMs": CHECKOUT_LATENCY_MS, "path": CHECKOUT, "times": 1,
    }]})  # fmt: skip
    env = {
        "TENANTRY_ENVIRONMENT": "test", "TENANTRY_DATABASE_URL": database_url,
        "TENANTRY_QUEUE_URL": queue_url, "TENANTRY_LOG_JSON": "true",
        "TENANTRY_PARTNER_CENTER_API_URL": live_sandbox.url,
        "TENANTRY_PARTNER_CENTER_LOGIN_URL": live_sandbox.url,
        "TENANTRY_SMTP_URL": "smtp://127.0.0.1:1", "TENANTRY_SANDBOX_SMTP_PORT": "0",
        "TENANTRY_OUTBOX_LEASE_SECONDS": "5", "TENANTRY_OUTBOX_SWEEP_INTERVAL_SECONDS": "1",
        "TENANTRY_PERIODIC_CHECK_SECONDS": "1", "TENANTRY_PROVISIONING_POLL_SECONDS": "1",
        "PYTHONPATH": str(REPO_ROOT),
    }  # fmt: skip
    order_id = await paid_order(database, world, customer)

    async with tenantry_worker(env, tmp_path, "first") as first:

        async def in_the_checkout() -> bool:
            assert first.returncode is None, (tmp_path / "first.log").read_text()
            async with database.transaction(write=False) as session:
                progress = await session.scalar(
                    select(OrderProvisioning).where(OrderProvisioning.order_id == order_id)
                )
            faults = await live_sandbox.control("GET", "/faults")
            return (
                progress is not None
                and progress.step is ProvisioningStep.CHECKOUT
                and progress.cart_id is not None
                and faults["fired"] == [1]
            )

        await eventually(in_the_checkout, within=90)
        first.kill()  # SIGKILL: no chance to finish anything
        await first.wait()
    assert (await order_of(database, order_id)).status is OrderStatus.PROVISIONING

    async with tenantry_worker(env, tmp_path, "second") as second:

        async def completed() -> bool:
            assert second.returncode is None, (tmp_path / "second.log").read_text()
            return (await order_of(database, order_id)).status is OrderStatus.COMPLETED

        await eventually(completed, within=120)
    producer.close()

    bought = [o for o in await customer_orders(live_sandbox, tenant_id) if o not in before]
    assert len(bought) == 1, bought
    async with database.transaction(write=False) as session:
        progress = await session.get_one(OrderProvisioning, order_id)
    assert progress.partner_center_order_ids == [bought[0]["id"]]
    assert progress.carts_made == 1
