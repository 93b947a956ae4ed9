"""Where a read request's CPU goes: the app against the floor, in one process, layer by layer.

    .venv/bin/python bench/api_cost.py [--backend sqlite|postgresql] [--requests 2000]

bench/api.py measures throughput through a server and a load generator sharing the machine;
this one measures cost. For each database it seeds what bench/api.py seeds (a reseller with
1,000 customers, the sandbox's catalog and the demo prices, ANALYZEd), builds the app as `tenantry
serve` does and the floor (api_floor.py, with the statements captured from the app), and calls
each ASGI callable directly, N requests at a time with no server in between:

  * CPU per request (the process's CPU time, every thread: the driver's included) for the list
    (GET /api/v1/organizations?limit=50, API token) and the store (GET /store, anonymous), app
    and floor; their ratio is what is left of list/floor and store/floor once the server's and
    the load generator's shares, which both sides pay alike, are taken out;
  * the same for the stack floor (api_stack.stack_floor: the floor's pages on FastAPI and the
    app's SQLAlchemy session, with no code of ours), which splits app - floor into what the
    stack costs and what our code adds;
  * where the app's and the floor's CPU goes, by layer, from a profile (cProfile, the event
    loop's thread): each layer's share of the profiled time applied to the unprofiled CPU per
    request, so the profiler's own overhead does not inflate the figures.

The layers are the packages the time is spent in: the web framework (FastAPI and Starlette:
routing, dependency injection, request objects, middleware), SQLAlchemy (statement caching,
the session, result rows, the greenlet bridge to the async driver), the driver, pydantic
(validation and encoding), the templates, logging and metrics, the event loop and threads,
Tenantry's own code, and the standard library called from any of these.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from api_capture import asgi_get, exchanges
from api_catalog import seed_catalog
from api_floor import Floor
from api_floor_list import PATH, list_statements
from api_floor_store import store_page
from api_seed import POSTGRES_URL, analyze, fresh_postgres, seed
from api_serve import server_choices
from api_stack import FIXED, app_with_fixed_route, bare_app, stack_floor, transaction_costs

from tenantry import migrate
from tenantry.app import create_app
from tenantry.observability import configure_logging
from tenantry.settings import Settings

App = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]
LAYERS = (  # (label, path fragments); the first that matches a function's file wins
    ("web framework (FastAPI, Starlette)", ("/fastapi/", "/starlette/")),
    ("SQLAlchemy", ("/sqlalchemy/", "greenlet")),
    ("driver (aiosqlite, asyncpg)", ("/aiosqlite/", "/asyncpg/", "sqlite3")),
    ("pydantic", ("/pydantic/", "pydantic_core")),
    ("templates (Jinja)", ("/jinja2/", "/markupsafe/")),
    ("logging and metrics", ("/structlog/", "/prometheus_client/", "/logging/")),
    ("event loop and threads", ("/asyncio/", "uvloop", "selectors", "threading", "queue")),
    ("Tenantry", ("/tenantry/",)),
    ("the floor's own code", ("api_floor",)),
    ("bench driver", ("api_cost.py", "api_capture.py")),
)
OTHER = "standard library and the rest"


async def lifespan(app: App) -> Callable[[], Awaitable[None]]:
    """Start ``app`` as a server would (its ASGI lifespan); the function that stops it."""
    to_app: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    from_app: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}

    async def serve() -> None:
        await app(scope, to_app.get, from_app.put)

    running = asyncio.create_task(serve())
    await to_app.put({"type": "lifespan.startup"})
    started = await from_app.get()
    if started["type"] != "lifespan.startup.complete":
        raise SystemExit(f"the app did not start: {started}")

    async def stop() -> None:
        await to_app.put({"type": "lifespan.shutdown"})
        await from_app.get()
        await running

    return stop


Call = Callable[[], Awaitable[None]]


def get(app: App, path: str, headers: dict[str, str]) -> Call:
    """One GET of ``path`` from ``app``, which must answer 200."""

    async def call() -> None:
        messages = await asgi_get(app, path, headers)
        status = next(m["status"] for m in messages if m["type"] == "http.response.start")
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}")

    return call


async def repeat(call: Call, count: int, concurrency: int) -> None:
    """``call`` ``count`` times, ``concurrency`` at a time."""
    left = count

    async def one_at_a_time() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    await asyncio.gather(*(one_at_a_time() for _ in range(concurrency)))


async def cpu_per_call(call: Call, count: int, concurrency: int) -> float:
    """Microseconds of the process's CPU (every thread) per call, after a warm-up."""
    await repeat(call, min(count, 200), concurrency)
    started = time.process_time()
    await repeat(call, count, concurrency)
    return (time.process_time() - started) / count * 1e6


def layer_of(filename: str) -> str:
    for label, fragments in LAYERS:
        if any(fragment in filename for fragment in fragments):
            return label
    return OTHER


async def layer_shares(call: Call, count: int, concurrency: int) -> dict[str, float]:
    """Each layer's share of the profiled time of ``count`` calls (functions' own time)."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        await repeat(call, count, concurrency)
    finally:
        profile.disable()
    spent: dict[str, float] = defaultdict(float)
    for (filename, _line, name), row in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        spent[layer_of(f"{filename}:{name}")] += row[2]  # tottime
    total = sum(spent.values()) or 1.0
    return {label: seconds / total for label, seconds in spent.items()}


def report(case: str, app_cpu: float, floor_cpu: float, app_layers: dict[str, float],
           floor_layers: dict[str, float]) -> None:  # fmt: skip
    print(f"\n{case}: app {app_cpu:,.0f} us of CPU a request, floor {floor_cpu:,.0f} us: "
          f"floor/app {floor_cpu / app_cpu:.2f}")  # fmt: skip
    print(f"  {'layer':<36} {'app us':>8} {'floor us':>9} {'app - floor':>12}")
    labels = sorted(
        set(app_layers) | set(floor_layers), key=lambda label: -app_layers.get(label, 0.0)
    )
    for label in labels:
        ours, floor = app_layers.get(label, 0.0) * app_cpu, floor_layers.get(label, 0.0) * floor_cpu
        print(f"  {label:<36} {ours:>8,.0f} {floor:>9,.0f} {ours - floor:>12,.0f}")


async def measure(settings: Settings, token: str, requests: int, concurrency: int) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    listed, stored = await exchanges(settings, [(PATH, auth), ("/store", {})])
    app = create_app(settings)
    listing, store = list_statements(listed), store_page(stored)
    floor = Floor(settings.database_url, listing, store)
    stack = stack_floor(settings, listing, store)
    stops = [await lifespan(app), await lifespan(floor), await lifespan(stack)]
    try:
        for case, (app_path, floor_path, headers) in {
            "list": (PATH, "/list", auth),
            "store": ("/store", "/store", {}),
        }.items():
            ours, theirs = get(app, app_path, headers), get(floor, floor_path, headers)
            app_cpu = await cpu_per_call(ours, requests, concurrency)
            floor_cpu = await cpu_per_call(theirs, requests, concurrency)
            stack_cpu = await cpu_per_call(get(stack, floor_path, headers), requests, concurrency)
            shares = [
                await layer_shares(ours, requests // 2, concurrency),
                await layer_shares(theirs, requests // 2, concurrency),
            ]
            report(case, app_cpu, floor_cpu, *shares)
            print(f"  stack floor (FastAPI, the app's session, the same statements and answer, "
                  f"none of our code): {stack_cpu:,.0f} us; floor/stack {floor_cpu / stack_cpu:.2f}, "
                  f"stack/app {stack_cpu / app_cpu:.2f}")  # fmt: skip
        await report_stack(settings, requests, concurrency)
    finally:
        for stop in stops:
            await stop()


async def report_stack(settings: Settings, requests: int, concurrency: int) -> None:
    bare = await cpu_per_call(get(bare_app(), FIXED, {}), requests, concurrency)
    app, before = app_with_fixed_route(settings)
    stop = await lifespan(app)
    try:
        behind = await cpu_per_call(get(app, FIXED, {}), requests, concurrency)
    finally:
        await stop()
    session, core, driver = await transaction_costs(settings, cpu_per_call, requests)
    print("\nthe stack's own cost, CPU per request:")
    print(f"  FastAPI answering a fixed document: {bare:,.0f} us in a bare app with the app's "
          f"middleware, {behind:,.0f} us behind the app's {before} routes")  # fmt: skip
    print(f"  a read transaction of SELECT 1: {session:,.0f} us through SQLAlchemy's "
          f"AsyncSession, {core:,.0f} us through its AsyncConnection, {driver:,.0f} us through "
          f"the driver alone")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement")
    parser.add_argument("--concurrency", type=int, default=20, help="requests at a time")
    parser.add_argument("--customers", type=int, default=1000, help="customers of the reseller")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tenantry-bench-cost-") as directory:
        workdir = Path(directory)
        if args.backend == "sqlite":
            url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        elif fresh_postgres(POSTGRES_URL):
            url = Settings(database_url=POSTGRES_URL).database_url
        else:
            raise SystemExit(f"PostgreSQL at {POSTGRES_URL} is not reachable")
        migrate.upgrade(url)
        token = asyncio.run(seed(url, args.customers))
        asyncio.run(seed_catalog(url))
        asyncio.run(analyze(url))
        # As `tenantry serve` is configured (api_serve._environment), its log lines thrown away.
        settings = Settings(
            database_url=url, queue_url=f"sqlite:///{workdir / 'queue.db'}",
            environment="development", run_sandbox=False,
        )  # fmt: skip
        print(f"{args.backend}: {args.requests:,} requests per figure, {args.concurrency} at a "
              f"time, Python {sys.version.split()[0]}", flush=True)  # fmt: skip
        loop, _http = server_choices()
        # Logs go to stderr (observability.configure_logging): the app's lines are written, as
        # in production, to a file that throws them away.
        with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
            configure_logging(settings.log_level, json=settings.log_json)
            with asyncio.Runner(loop_factory=_loop_factory(loop)) as runner:
                runner.run(measure(settings, token, args.requests, args.concurrency))


def _loop_factory(loop: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    if loop == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    return None


if __name__ == "__main__":
    main()
