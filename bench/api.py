"""What listing organizations costs, next to an endpoint that does nothing, on the same server.

For each database (SQLite, PostgreSQL) this builds a fresh database with a reseller that has 1,000
customers, starts `tenantry serve` (one uvicorn process, logging as in production) on 127.0.0.1,
and drives it with wrk: 200 connections, 15 seconds per case, against

  * bare: GET /api/v1/ping, no authentication, no database;
  * list: GET /api/v1/organizations?limit=50 as the reseller's admin (API token);
  * store: GET /store, the public storefront page a new customer opens first (HTML, no sign-in).

It prints requests/s, p50 and p99 for each case, and, as the last line, each case's throughput
against bare's (the baseline measured in the same run).

    make bench                          # or .venv/bin/python bench/api.py --help
    TENANTRY_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/tenantry_bench make bench

The PostgreSQL database named in TENANTRY_BENCH_POSTGRES_URL is created when missing and its
schema is rebuilt on every run. wrk comes from the system (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tenantry import migrate
from tenantry.bootstrap import create_platform
from tenantry.db import Database
from tenantry.identity.service import issue_api_token
from tenantry.models import (
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Role,
    Segment,
    organization_segments,
    utcnow,
)
from tenantry.settings import Settings

POSTGRES_URL = os.environ.get(
    "TENANTRY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/tenantry_bench"
)
TENANTRY = Path(sys.executable).with_name("tenantry")
# wrk reports through this script: one JSON line with the figures we print.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'REPORT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non_2xx": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class Result:
    backend: str
    case: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


async def seed(url: str, customers: int) -> str:
    """A platform, one reseller with ``customers`` customers (bulk inserted); its admin's token."""
    database = Database(Settings(database_url=url, environment="test"))
    try:
        async with database.transaction() as session:
            platform = await create_platform(session, legal_name="Bench Distribution A/S")
            segments = [
                Segment(platform_id=platform.id, name=name) for name in ("SMB", "Enterprise")
            ]
            session.add_all(segments)
            reseller = Organization(
                kind=OrganizationKind.RESELLER, platform_id=platform.id, parent_id=platform.id,
                status=OrganizationStatus.ACTIVE, legal_name="Bench Reseller ApS",
                display_name="Bench Reseller", address_line1="Nørregade 1",
                address_city="Copenhagen", address_postal_code="1165", address_country="DK",
                contact_name="Rita Reseller", contact_email="rita@reseller.example",
                preferred_currency="DKK", mpn_id="5550001", custom_properties={},
                approved_at=utcnow(),
            )  # fmt: skip
            session.add(reseller)
            await session.flush()
            ids = [uuid.uuid4() for _ in range(customers)]
            now = utcnow()
            await session.execute(
                sa.insert(Organization),
                [
                    {
                        "id": ids[n], "kind": OrganizationKind.CUSTOMER,
                        "platform_id": platform.id, "parent_id": reseller.id,
                        "status": OrganizationStatus.ACTIVE, "legal_name": f"Customer {n:04d} ApS",
                        "display_name": f"Customer {n:04d}", "vat_id": "DK13585628",
                        "domain": f"customer{n:04d}.example", "industry": "retail",
                        "address_line1": f"Vestergade {n % 90 + 1}", "address_city": "Aarhus",
                        "address_postal_code": "8000", "address_country": "DK",
                        "contact_name": "Carl Customer", "contact_email": f"it@customer{n}.example",
                        "contact_phone": "+4586123456", "preferred_currency": "DKK",
                        "custom_properties": {"account_manager": "Rita Reseller"},
                        "approved_at": now, "version": 1, "created_at": now, "updated_at": now,
                    }
                    for n in range(customers)
                ],
            )  # fmt: skip
            await session.execute(
                sa.insert(organization_segments),
                [
                    {"organization_id": i, "segment_id": segments[n % 2].id}
                    for n, i in enumerate(ids)
                ],
            )
            _, token = await issue_api_token(
                session, None, reseller, role=Role.RESELLER_ADMIN, name="bench",
                valid_for=timedelta(days=1),
            )  # fmt: skip
        return token
    finally:
        await database.dispose()


def fresh_postgres(url: str) -> bool:
    """Create the database when missing and empty its schema; False when PostgreSQL is down."""
    target = make_url(url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )  # fmt: skip
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).first()
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    except sa.exc.OperationalError as exc:
        print(f"PostgreSQL at {url} is not reachable ({exc.orig}); skipping it", file=sys.stderr)
        return False
    finally:
        admin.dispose()
    engine = sa.create_engine(target)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(url: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = os.environ | {
        "TENANTRY_DATABASE_URL": url,
        "TENANTRY_QUEUE_URL": f"sqlite:///{workdir / 'queue.db'}",
        "TENANTRY_HOST": "127.0.0.1",
        "TENANTRY_PORT": str(port),
        "TENANTRY_RUN_SANDBOX": "false",
        "TENANTRY_ENVIRONMENT": "development",
    }
    with (workdir / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [str(TENANTRY), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    wait_until_answering(
        process, f"{base}/healthz", 60, f"tenantry serve ({workdir / 'server.log'})"
    )
    return process, base


def wait_until_answering(
    process: subprocess.Popen[bytes], url: str, seconds: float, what: str
) -> None:
    """Poll ``url`` until it answers 200; kill the process and stop if it does not in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{what} did not start answering {url}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def drive(
    url: str, headers: dict[str, str], args: argparse.Namespace, script: Path
) -> dict[str, int]:
    command = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
        "--timeout", "30s", "-s", str(script), url,
    ]  # fmt: skip
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("REPORT "))
    report: dict[str, int] = json.loads(line.removeprefix("REPORT "))
    return report


def run_backend(backend: str, url: str, args: argparse.Namespace, workdir: Path) -> list[Result]:
    url = Settings(database_url=url).database_url  # with the async driver, as the app uses it
    migrate.upgrade(url)
    started = time.perf_counter()
    token = asyncio.run(seed(url, args.customers))
    print(f"{backend}: seeded {args.customers} customers in {time.perf_counter() - started:.1f} s")
    process, base = start_server(url, workdir)
    results: list[Result] = []
    try:
        auth = {"Authorization": f"Bearer {token}"}
        listing = f"{base}/api/v1/organizations?limit=50"
        check = httpx.get(listing, headers=auth, timeout=30)
        check.raise_for_status()
        assert len(check.json()["items"]) == 50, check.text
        assert httpx.get(f"{base}/store", timeout=30).status_code == 200
        cases = [
            ("bare (ping)", f"{base}/api/v1/ping", {}),
            (f"list (50 of {args.customers:,})", listing, auth),
            ("store (page)", f"{base}/store", {}),
        ]
        for case, target, headers in cases:
            report = drive(target, headers, args, workdir / "report.lua")
            seconds = report["duration_us"] / 1e6
            results.append(
                Result(
                    backend=backend,
                    case=case,
                    requests_per_second=report["requests"] / seconds,
                    p50_ms=report["p50_us"] / 1000,
                    p99_ms=report["p99_us"] / 1000,
                    errors=report["non_2xx"] + report["socket_errors"],
                )
            )
    finally:
        stop_server(process)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per case")
    parser.add_argument("--connections", type=int, default=200, help="concurrent sessions")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--customers", type=int, default=1000, help="customers of the reseller")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/api.py needs wrk on the PATH (Debian: apt-get install wrk)")

    results: list[Result] = []
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
            results += run_backend(backend, url, args, workdir)

    print(
        f"\n{args.connections} concurrent sessions, {args.duration} s per case, one uvicorn "
        f"process, {os.cpu_count()} CPUs shared with the load generator and the database"
    )
    print(
        f"{'backend':<11} {'case':<19} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
    )
    for r in results:
        print(
            f"{r.backend:<11} {r.case:<19} {r.requests_per_second:>10.0f} {r.p50_ms:>8.1f} "
            f"{r.p99_ms:>8.1f} {r.errors:>6}"
        )
    for backend in dict.fromkeys(r.backend for r in results):
        bare, *others = (r for r in results if r.backend == backend)
        ratios = (
            f"{r.case.split()[0]} {r.requests_per_second / bare.requests_per_second:.3f}"
            for r in others
        )
        print(f"{backend} throughput against bare: {', '.join(ratios)}")


if __name__ == "__main__":
    main()
