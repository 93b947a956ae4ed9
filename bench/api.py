"""The read path's benchmark: listing organizations and the storefront page, each against a floor.

For each database (SQLite, PostgreSQL) it builds a fresh database with a reseller that has 1,000
customers in two segments and an API token for its admin, runs ANALYZE, and then measures, one
server at a time on 127.0.0.1 (never two serving at once):

  * list: GET /api/v1/organizations?limit=50 as the reseller's admin, served by `tenantry serve`
    (one uvicorn process, logging as in production);
  * store: GET /store, the public storefront page a new customer opens first (HTML, anonymous);
  * list floor, store floor: the same two answers from api_floor.py, a bare ASGI callable under
    the same uvicorn settings that queries the same database with the raw driver (aiosqlite,
    asyncpg) and encodes with the same encoders (pydantic-core's to_json, the app's templates);
  * list, 2 workers: the list with `tenantry serve --workers 2` (when serve has the option).

Closed loop (wrk, as a busy client pool sees it): 200 keep-alive connections, each sending its
next request as soon as it is answered, 15 s per case: requests/s, p50, p99, errors.

Open loop (openloop.py, as independent users see it): the list at 50, 100 and 200 requests/s
(and the list floor at 100/s) on fixed intervals, whatever the answers; latency from each
request's due time, so queueing counts; 20 s per rate after a 2 s warm-up: p50, p99, max,
errors, late sends and the generator's own CPU time per request (it shares the machine).

Why the floor is the limit: it keeps only what no application code on this stack can avoid (the
server and its event loop and HTTP parser, the driver, the database's own work, the JSON encoder
and the template), so list/floor and store/floor say how much of the machine our Python spends
(routing, dependencies, the ORM, validation, pricing) rather than how fast the machine is. Before
measuring it checks that the floor answers exactly what the app does (the JSON document, the
page apart from per-request values) and stops, naming the first difference, if not.

It prints a table per database (and the cores the server, the database and the rest used
during each closed-loop case, bench/cpu_share.py), the goals (printed, not asserted:
list/floor >= 0.5, store/floor >= 0.5, p99 < 50 ms at 100/s, 2 workers / 1 >= 1.6) and, as the
last line, the list/floor and store/floor ratios and the p99 at 100/s of each database.

    make bench                          # or .venv/bin/python bench/api.py --help
    .venv/bin/python bench/api.py --duration 2 --open-duration 2 --customers 200   # a quick look
    TENANTRY_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/tenantry_bench make bench

The PostgreSQL database named in TENANTRY_BENCH_POSTGRES_URL is created when missing and its
schema is rebuilt on every run. wrk comes from the system (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from api_catalog import seed_catalog
from api_check import first_difference, page_difference
from api_report import (
    LIST,
    LIST_FLOOR,
    LIST_WORKERS,
    STORE,
    STORE_FLOOR,
    BackendRun,
    at_rate,
    goals,
    summary,
    table,
)
from api_seed import POSTGRES_URL, analyze, fresh_postgres, seed
from api_serve import (
    WRK_REPORT,
    closed_loop,
    free_port,
    open_loop,
    serve_has_workers,
    server_choices,
    start_floor,
    start_server,
    stop_server,
    wait_until_answering,
)
from cpu_share import CpuMeter

from tenantry import migrate
from tenantry.settings import Settings

# bench/sync.py and bench/orders.py start their servers with these.
__all__ = ["POSTGRES_URL", "free_port", "fresh_postgres", "stop_server", "wait_until_answering"]

LIST_PATH = "/api/v1/organizations?limit=50"
FLOOR_RATE = 100  # the list floor's open-loop rate, for comparison with the app's


def fetch(url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """One GET that must answer 200 (it also warms the server up before a case)."""
    response = httpx.get(url, headers=headers, timeout=30)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.text[:500]}")
    return response


def check_floor(base: str, auth: dict[str, str], app_list: Any, app_store: str) -> None:
    """Stop the run unless the floor answers what the app answered."""
    floor_list = fetch(f"{base}/list", auth).json()
    difference = first_difference(app_list, floor_list)
    if difference:
        raise SystemExit(f"the floor's /list differs from the app's list at {difference}")
    difference = page_difference(app_store, fetch(f"{base}/store").text)
    if difference:
        raise SystemExit(f"the floor's /store differs from the app's page:\n{difference}")


def run_backend(backend: str, url: str, args: argparse.Namespace, workdir: Path) -> BackendRun:
    url = Settings(database_url=url).database_url  # with the async driver, as the app uses it
    migrate.upgrade(url)
    started = time.perf_counter()
    token = asyncio.run(seed(url, args.customers))
    products = asyncio.run(seed_catalog(url))
    asyncio.run(analyze(url))
    print(
        f"{backend}: seeded {args.customers:,} customers and a catalog of {products} products, "
        f"and analyzed, in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    auth = {"Authorization": f"Bearer {token}"}
    run = BackendRun(backend, workers_available=args.workers_available)
    script = workdir / "report.lua"

    def closed(
        case: str, target: str, headers: dict[str, str], server: subprocess.Popen[bytes]
    ) -> None:
        fetch(target, headers)
        with CpuMeter(server.pid) as meter:
            figures = closed_loop(
                case, target, headers, connections=args.connections, threads=args.threads,
                duration=args.duration, script=script,
            )  # fmt: skip
        run.cases.append(dataclasses.replace(figures, cpu=meter.share))

    def opened(case: str, target: str, rate: int) -> None:
        run.cases.append(
            open_loop(
                at_rate(case, rate), target, auth, rate=rate, duration=args.open_duration,
                warmup=args.open_warmup,
            )
        )  # fmt: skip

    # The app's answers first, so that the floor is checked before anything is measured.
    process, base = start_server(url, workdir)
    try:
        app_list = fetch(base + LIST_PATH, auth).json()
        if len(app_list["items"]) != min(50, args.customers + 1):
            raise SystemExit(f"the list has {len(app_list['items'])} items: {app_list}")
        app_store = fetch(f"{base}/store").text
    finally:
        stop_server(process)

    process, base = start_floor(url, workdir, token)
    try:
        check_floor(base, auth, app_list, app_store)
        closed(LIST_FLOOR, f"{base}/list", auth, process)
        closed(STORE_FLOOR, f"{base}/store", {}, process)
        opened(LIST_FLOOR, f"{base}/list", FLOOR_RATE)
    finally:
        stop_server(process)

    process, base = start_server(url, workdir)
    try:
        closed(LIST, base + LIST_PATH, auth, process)
        closed(STORE, f"{base}/store", {}, process)
        for rate in args.rates:
            opened(LIST, base + LIST_PATH, rate)
    finally:
        stop_server(process)

    if args.workers_available:
        process, base = start_server(url, workdir, workers=2)
        try:
            closed(LIST_WORKERS, base + LIST_PATH, auth, process)
        finally:
            stop_server(process)
    order = [
        LIST, LIST_FLOOR, STORE, STORE_FLOOR, LIST_WORKERS,
        *(at_rate(LIST, rate) for rate in args.rates), at_rate(LIST_FLOOR, FLOOR_RATE),
    ]  # fmt: skip
    run.cases.sort(key=lambda f: order.index(f.case))
    return run


def rates(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or min(values) <= 0:
        raise argparse.ArgumentTypeError("give positive requests/s, comma-separated")
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per closed-loop case")
    parser.add_argument("--connections", type=int, default=200, help="wrk's connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--customers", type=int, default=1000, help="customers of the reseller")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument(
        "--rates", type=rates, default=[50, 100, 200], help="open-loop requests/s, comma-separated"
    )
    parser.add_argument(
        "--open-duration", type=float, default=20, help="seconds measured per open-loop rate"
    )
    parser.add_argument(
        "--open-warmup", type=float, default=2, help="seconds sent before an open-loop measure"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/api.py needs wrk on the PATH (Debian: apt-get install wrk)")
    args.workers_available = serve_has_workers()
    if not args.workers_available:
        print("workers: not available (tenantry serve has no --workers)", flush=True)

    runs: list[BackendRun] = []
    with tempfile.TemporaryDirectory(prefix="tenantry-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "report.lua").write_text(WRK_REPORT)
        for backend in args.backends.split(","):
            if backend == "sqlite":
                url = f"sqlite:///{workdir / 'bench.db'}"
            elif backend == "postgresql" and fresh_postgres(POSTGRES_URL):
                url = POSTGRES_URL
            else:
                continue
            runs.append(run_backend(backend, url, args, workdir))

    loop, http = server_choices()
    print(
        f"\nclosed loop: wrk, {args.connections} connections, {args.duration} s per case; open "
        f"loop: openloop.py, fixed intervals, {args.open_duration:g} s after {args.open_warmup:g} "
        f"s of warm-up; one server process at a time (uvicorn, {loop}, {http}), "
        f"{os.cpu_count()} CPUs shared with the load generator and the database"
    )
    for run in runs:
        print()
        print("\n".join(table(run, f"{run.backend}, {args.customers:,} customers:")))
    print()
    print("\n".join(goals(runs)))
    print(summary(runs), flush=True)


if __name__ == "__main__":
    main()
