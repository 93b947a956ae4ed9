"""bench/sync.py end to end with 50 customers: it prints the figures the issue asks for.

It starts the sandbox as a process, Tenantry with its worker, migrates a database and runs
three syncs: about a minute on a shared two-core machine, so it runs only when
TENANTRY_RUN_BENCH=1 (not in `make test`).
"""

from __future__ import annotations

import re

from tests.bench_scripts import ONLY_WHEN_ASKED, run_bench

pytestmark = ONLY_WHEN_ASKED
NUMBER = r"[\d,.]+"


def test_the_sync_benchmark_prints_its_figures() -> None:
    done = run_bench("sync.py", "--customers", "50", timeout=600)
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
