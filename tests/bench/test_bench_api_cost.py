"""bench/api_cost.py end to end, briefly (50 requests per figure, 100 customers, SQLite): the CPU
per request of the app, the floor and the stack floor, the layers, and the stack's own costs. It seeds the catalog
from a sandbox process, so it runs only when TENANTRY_RUN_BENCH=1 (not in `make test`)."""

from __future__ import annotations

import re

from tests.bench_scripts import ONLY_WHEN_ASKED, run_bench

pytestmark = ONLY_WHEN_ASKED
US = r"[\d,]+ us"


def test_the_cost_benchmark_prints_each_case_its_layers_and_the_stacks_cost() -> None:
    done = run_bench(
        "api_cost.py",
        "--customers",
        "100",
        "--requests",
        "50",
        "--concurrency",
        "5",
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    for case in ("list", "store"):
        header = next(line for line in lines if line.startswith(f"{case}: "))
        assert re.fullmatch(
            rf"{case}: app {US} of CPU a request, floor {US}: floor/app \d+\.\d\d", header
        ), header
    assert any(line.strip().startswith("web framework (FastAPI, Starlette)") for line in lines)
    stack_lines = [line for line in lines if line.startswith("  stack floor ")]
    assert len(stack_lines) == 2, lines
    for line in stack_lines:
        assert re.search(rf": {US}; floor/stack \d+\.\d\d, stack/app \d+\.\d\d$", line), line
    assert re.fullmatch(
        rf"  FastAPI answering a fixed document: {US} in a bare app with the app's middleware, "
        rf"{US} behind the app's \d+ routes",
        lines[-2],
    ), lines[-2]
    assert re.fullmatch(
        rf"  a read transaction of SELECT 1: {US} through SQLAlchemy's AsyncSession, {US} "
        rf"through its AsyncConnection, {US} through the driver alone",
        lines[-1],
    ), lines[-1]
