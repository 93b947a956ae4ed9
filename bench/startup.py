"""How fast Tenantry starts: `tenantry --help`, and `tenantry run` until it serves.

Run from the checkout after `make install` (`.venv/bin/python bench/startup.py`). It prints the
median of several runs of each, beside `python -c pass` measured in the same run, so the figures
can be compared across machines of different speed. The `tenantry run` figure is a warm start
(the second and later ones: database migrated, demo data loaded, sandbox seeded), on ports and
databases of its own under a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
TENANTRY = str(BIN / "tenantry")
SERVE_DEADLINE_SECONDS = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310 - our own local URL
            return bool(answer.status == 200)
    except OSError:
        return False


def run_until_serving(directory: Path) -> float:
    """Seconds from starting `tenantry run` until its /healthz answers; then stop it."""
    port = free_port()
    env = os.environ | {
        "TENANTRY_PORT": str(port),
        "TENANTRY_SANDBOX_PORT": str(free_port()),
        "TENANTRY_SANDBOX_SMTP_PORT": str(free_port()),
        "TENANTRY_DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'tenantry.db'}",
        "TENANTRY_SANDBOX_DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'sandbox.db'}",
        "TENANTRY_QUEUE_URL": f"sqlite:///{directory / 'queue.db'}",
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [TENANTRY, "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while not serving(f"http://127.0.0.1:{port}/healthz"):
            if process.poll() is not None:
                raise SystemExit(f"tenantry run exited with {process.returncode}")
            if time.perf_counter() - started > SERVE_DEADLINE_SECONDS:
                raise SystemExit("tenantry run did not serve in time")
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (median printed)")
    runs = parser.parse_args().runs
    python = [sys.executable, "-c", "pass"]
    baseline = statistics.median(timed(python) for _ in range(runs))
    helps = statistics.median(timed([TENANTRY, "--help"]) for _ in range(runs))
    with tempfile.TemporaryDirectory() as directory:
        first = run_until_serving(Path(directory))
        warm = statistics.median(run_until_serving(Path(directory)) for _ in range(runs))
    print(f"python -c pass          {baseline:7.3f} s")
    print(f"tenantry --help         {helps:7.3f} s  ({helps / baseline:.0f} x python -c pass)")
    print(f"tenantry run, first     {first:7.3f} s  (migrates, loads the demo, seeds the sandbox)")
    print(f"tenantry run, warm      {warm:7.3f} s  ({warm / baseline:.0f} x python -c pass)")
    print(f"median of {runs} runs each; the machine's load: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
