"""bench/sync.py end to end with 50 customers: it prints the figures the issue asks for.

It starts the sandbox as a process, Tenantry with its worker, migrates a database and runs
three syncs: about a minute on a shared two-core machine, so it runs only when
TENANTRY_RUN_BENCH=1 (not in `make test`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.bench,
    pytest.mark.skipif(
        os.environ.get("TENANTRY_RUN_BENCH") != "1", reason="set TENANTRY_RUN_BENCH=1 to run"
    ),
]
NUMBER = r"[\d,.]+"


def test_the_sync_benchmark_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "sync.py"), "--customers", "50"],
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    *_, against, resync, linked, last = done.stdout.strip().splitlines()
    assert re.fullmatch(
        rf"no-change re-sync against the listing alone: {NUMBER} s, ratio {NUMBER}", against
    ), against
    assert re.fullmatch(
        rf"no-change re-sync: {NUMBER} s, {NUMBER} calls \({NUMBER}% of the full sync's calls\)",
        resync,
    ), resync
    assert re.fullmatch(rf"accepted -> organization linked: {NUMBER} s", linked), linked
    assert re.fullmatch(
        rf"sync: 50 customers in {NUMBER} s \({NUMBER} customers/s, {NUMBER} calls\); "
        rf"fetch-only baseline: {NUMBER} s; ratio {NUMBER}",
        last,
    ), last
