"""What placing, paying and provisioning orders costs, against the purchases' bare calls.

    .venv/bin/python bench/orders.py --orders 100 [--concurrency 8] [--database sqlite|postgresql]
    TENANTRY_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/tenantry_bench_orders \
      .venv/bin/python bench/orders.py --database postgresql

It starts the Partner Center sandbox as bench/sync.py does (a process of its own, SQLite, in a
temporary directory, its rate limit and the client's own lifted) and creates 2 N customer tenants
in it (control API: a direct relationship with the distributor, the Microsoft Customer Agreement
attested, US). Tenantry gets a fresh database (SQLite file, or the PostgreSQL database of
TENANTRY_BENCH_POSTGRES_URL, emptied first) holding N customer organizations, each linked to one
of the first N tenants with its agreement's status read from Partner Center (accepted); that
set-up (bench/orders_seed.py) is not timed. Timed: one order each (Microsoft 365 Business Basic, 3
seats, its catalog item named as the cart places it) placed by the customer and marked paid by the
platform's staff (manual provider) through the order flow, a transaction each (the timeline, the
emails and the provisioning job queued), which leaves N `orders.provision` jobs queued. The sandbox
provisions an order at the first read of its status (`PUT /_sandbox/provisioning {"polls": 1}`, its
default), so no order waits on Microsoft. Then:

  * baseline: the Partner Center calls no provisioning can do without, for N purchases on the
    other N tenants: create the cart, check it out, read the order's provisioning status and the
    subscriptions it bought (what the job reads to follow it), by a bare PartnerCenterClient with
    the same concurrency, answers discarded, no database. The agreement check, the token per job
    run and the trial lookup after completion are left out on purpose: they are the product's
    choices, and their cost is part of what the figure shows;
  * provisioning: the outbox rows of kind `orders.provision` run as `tenantry worker` runs them
    (`jobs.runner.run_item`: claim, handler, commit; each run queues the next step), by
    --concurrency tasks in this process, until every order is completed or failed. Other jobs the
    orders queue (emails, the tenant import) are left in the outbox.

The last line is the figure issue 12 asks for: the share of the time spent in Tenantry rather
than in the calls it cannot avoid, (S - B) / S, S the seconds of placing, paying and provisioning,
B the baseline's. (Placing here goes through the order flow, not the HTTP API: bench/api.py
measures what the API's layers cost.)
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from api import stop_server
from orders_seed import Tenant, prepare_sandbox, seed_customers
from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import make_url

from sync import (
    DEFAULT_CONCURRENCY,
    app_settings,
    create_bench_platform,
    database_url,
    start_sandbox,
)
from tenantry import migrate
from tenantry.db import Database
from tenantry.jobs import registry
from tenantry.jobs.runner import run_item
from tenantry.models import (
    Order,
    OrderStatus,
    OrganizationKind,
    OutboxItem,
    OutboxStatus,
    Role,
    utcnow,
)
from tenantry.notifications import config as mail_config
from tenantry.observability import configure_logging
from tenantry.orders import flow
from tenantry.orders.provisioning import tasks as _provisioning  # noqa: F401  (the job)
from tenantry.orders.provisioning.follow import FULFILLED
from tenantry.orders.provisioning.lines import PurchaseLine, cart_line
from tenantry.partnercenter import PartnerCenterClient, access, metrics
from tenantry.partnercenter.models.commerce import Cart
from tenantry.security import Actor
from tenantry.settings import Settings

# About a minute on a shared two-core machine, start and seed included.
DEFAULT_ORDERS = 100
# As the cart places it (orders.cart.order_lines): the catalog item named, no catalog lookup.
LINE: dict[str, Any] = {
    "offer_id": "CFQ7TTC0LH18:0001", "title": "Microsoft 365 Business Basic", "term": "P1Y",
    "billing_cycle": "monthly", "quantity": 3, "unit_price": "6.00", "total": "18.00",
    "currency": "USD", "catalog_item_id": "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
}  # fmt: skip
SETTLED = (OrderStatus.COMPLETED, OrderStatus.FAILED, OrderStatus.CANCELLED)
# How often the bench's stand-in for the queue looks for due rows while its workers wait.
POLL_SECONDS = 0.02


# -- the customers' paid orders ----------------------------------------------------------------


async def place_and_pay(
    database: Database, platform_id: uuid.UUID, customers: list[uuid.UUID]
) -> float:
    """Each customer's order placed and marked paid through the order flow (its timeline, its
    emails and the provisioning job queued), one transaction per order as a request would."""
    staff = Actor(
        platform_id=platform_id, organization_id=platform_id,
        organization_kind=OrganizationKind.PLATFORM, role=Role.PLATFORM_ADMIN, label="Bench staff",
    )  # fmt: skip
    started = time.perf_counter()
    for n, customer_id in enumerate(customers):
        buyer = Actor(
            platform_id=platform_id, organization_id=customer_id,
            organization_kind=OrganizationKind.CUSTOMER, role=Role.CUSTOMER_ADMIN,
            label=f"Admin of Bench Orders {n}",
        )  # fmt: skip
        async with database.transaction() as session:
            order = Order(
                platform_id=platform_id, organization_id=customer_id,
                placed_by_organization_id=customer_id, currency="USD",
                total=Decimal(LINE["total"]), lines=[dict(LINE)],
            )  # fmt: skip
            await flow.placed(session, buyer, order)
        async with database.transaction() as session:
            placed = await session.get_one(Order, order.id)
            await flow.mark_paid(session, staff, placed, provider="manual", reference=f"INV-{n}")
    elapsed = time.perf_counter() - started
    print(f"placed and paid: {len(customers):,} orders in {elapsed:.1f} s")
    return elapsed


# -- Partner Center calls, as the client's metrics count them ----------------------------------


def calls_so_far() -> Counter[str]:
    counted: Counter[str] = Counter()
    for family in metrics.CALLS.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                counted[sample.labels["operation"]] += int(sample.value)
    return counted


def described(calls: Counter[str]) -> str:
    each = ", ".join(f"{operation} {count:,}" for operation, count in sorted(calls.items()))
    return f"{calls.total():,} calls ({each})"


# -- the baseline ------------------------------------------------------------------------------


async def purchase(client: PartnerCenterClient, tenant: Tenant) -> None:
    """One order's unavoidable calls: cart, checkout, then follow it as the job does."""
    customer = str(tenant.id)
    cart = Cart(line_items=[cart_line(0, PurchaseLine.from_json(LINE), None)])
    made = await client.create_cart(customer, cart)
    assert made.id is not None
    placed = await client.checkout_cart(customer, made.id)
    for order in placed.orders:
        assert order.id is not None
        lines = await client.get_order_provisioning_status(customer, order.id)
        if any((line.status or "").lower() not in FULFILLED for line in lines):
            raise SystemExit(f"the sandbox did not provision {order.id} at the first read")
        await client.list_subscriptions_by_order(customer, order.id)


async def baseline(settings: Settings, tenants: list[Tenant], concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(tenant: Tenant) -> None:
        async with gate:
            await purchase(client, tenant)

    async with access.configure(settings).client() as client:
        await client.list_customers_page(size=1)  # the token, fetched before the clock runs
        before = calls_so_far()
        started = time.perf_counter()
        await asyncio.gather(*(one(tenant) for tenant in tenants))
        elapsed = time.perf_counter() - started
    print(f"baseline: {len(tenants):,} purchases in {elapsed:.1f} s, "
          f"{described(calls_so_far() - before)}")  # fmt: skip
    return elapsed


# -- the provisioning, as the worker runs it ---------------------------------------------------


async def due(database: Database) -> list[uuid.UUID]:
    """The provisioning rows a worker may claim now: due, or their worker's lease expired
    (which the sweeper hands over again)."""
    now = utcnow()
    async with database.transaction(write=False) as session:
        rows = await session.scalars(
            select(OutboxItem.id)
            .where(
                OutboxItem.kind == flow.PROVISION_JOB,
                or_(
                    and_(OutboxItem.status == OutboxStatus.PENDING, OutboxItem.available_at <= now),
                    and_(OutboxItem.status == OutboxStatus.RUNNING, OutboxItem.lease_until < now),
                ),
            )
            .order_by(OutboxItem.created_at)
        )
        return list(rows)


Outcomes = Counter[tuple[OrderStatus, str | None]]


async def statuses(database: Database, platform_id: uuid.UUID) -> Outcomes:
    """The platform's orders by status and failure code."""
    async with database.transaction(write=False) as session:
        rows = await session.execute(
            select(Order.status, Order.failure_code, func.count())
            .where(Order.platform_id == platform_id)
            .group_by(Order.status, Order.failure_code)
        )
        return Counter({(status, code): count for status, code, count in rows})


def unsettled(found: Outcomes) -> int:
    return sum(n for (status, _code), n in found.items() if status not in SETTLED)


async def provision_all(
    database: Database,
    settings: Settings,
    platform_id: uuid.UUID,
    concurrency: int,
    deadline: float,
) -> tuple[float, Counter[str]]:
    """Run due provisioning rows with ``concurrency`` workers until every order is settled
    (within ``deadline`` seconds); (seconds, the runs' outcomes)."""
    lease = timedelta(seconds=settings.outbox_lease_seconds)
    ready: asyncio.Queue[uuid.UUID | None] = asyncio.Queue()
    handed: set[uuid.UUID] = set()
    outcomes: Counter[str] = Counter()

    async def work() -> None:
        while (item_id := await ready.get()) is not None:
            try:
                result = await run_item(database, item_id, clock=utcnow, lease=lease)
                outcomes[result.outcome.value] += 1
            except Exception as exc:
                # Raised outside the handler (the claim, or recording a failure): the worker
                # logs it and goes on; the row is run again once due (or its lease expired).
                outcomes[f"raised {type(exc).__name__}"] += 1
            finally:
                handed.discard(item_id)

    started = time.perf_counter()
    workers = [asyncio.create_task(work()) for _ in range(concurrency)]
    try:
        while True:
            if ready.qsize() < concurrency:
                fresh = [i for i in await due(database) if i not in handed]
                for item_id in fresh:
                    handed.add(item_id)
                    ready.put_nowait(item_id)
                if (
                    not fresh
                    and not handed
                    and not unsettled(await statuses(database, platform_id))
                ):
                    break
            if time.perf_counter() - started > deadline:
                left = unsettled(await statuses(database, platform_id))
                raise SystemExit(f"{left} orders still unsettled after {deadline:.0f} s")
            await asyncio.sleep(POLL_SECONDS)
    finally:
        for _ in workers:
            ready.put_nowait(None)
        await asyncio.gather(*workers, return_exceptions=True)
    return time.perf_counter() - started, outcomes


# -- the run -----------------------------------------------------------------------------------


async def bench(
    orders: int, concurrency: int, backend: str, url: str, directory: Path, sandbox_url: str
) -> None:
    settings = app_settings(url, directory, sandbox_url, "http://127.0.0.1:8000")
    access.configure(settings)
    mail_config.configure(settings)
    if registry.handler_for(flow.PROVISION_JOB) is None:
        raise SystemExit(f"no {flow.PROVISION_JOB!r} job handler in this checkout")
    print(f"bench: {orders:,} orders, concurrency {concurrency}, database {backend} "
          f"({make_url(url).render_as_string(hide_password=True)})")  # fmt: skip
    database = Database(settings)
    try:
        async with httpx.AsyncClient(base_url=sandbox_url, timeout=60) as control:
            ordering, fresh = await prepare_sandbox(control, orders)
        platform_id = await create_bench_platform(database)
        async with access.current().client() as client:
            customers = await seed_customers(database, client, platform_id, ordering)
        base = await baseline(settings, fresh, concurrency)
        placing = await place_and_pay(database, platform_id, customers)
        before = calls_so_far()
        full, outcomes = await provision_all(
            database, settings, platform_id, concurrency, deadline=600 + orders
        )
        calls = calls_so_far() - before
        found = await statuses(database, platform_id)
    finally:
        await database.dispose()
    completed = found[(OrderStatus.COMPLETED, None)]
    failed = {code: n for (status, code), n in found.items() if status is OrderStatus.FAILED}
    print(f"provisioning: {completed:,} completed, {sum(failed.values()):,} failed"
          f"{f' {failed}' if failed else ''} in {full:.1f} s; job runs {dict(outcomes)}; "
          f"{described(calls)}")  # fmt: skip
    total = placing + full
    share = 100 * (total - base) / total
    print(f"orders: {orders} in {total:.1f} s ({orders / total:.1f}/s); "
          f"our code {share:.0f}% of the time")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS, help="paid orders")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                        help="provisioning jobs (and baseline purchases) at once")  # fmt: skip
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    if args.orders < 1 or args.concurrency < 1:
        parser.error("--orders and --concurrency are at least 1")
    configure_logging("WARNING", json=False)  # the jobs' logs would bury the figures
    # A stopped bench stops its sandbox too (the finally below).
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="tenantry-bench-orders-") as tmp:
        directory = Path(tmp)
        url = database_url(args.database, directory)
        migrate.upgrade(url)  # Alembic runs its own event loop: before ours starts
        sandbox, sandbox_url = start_sandbox(directory)
        try:
            asyncio.run(
                bench(args.orders, args.concurrency, args.database, url, directory, sandbox_url)
            )
        finally:
            stop_server(sandbox)


if __name__ == "__main__":
    main()
