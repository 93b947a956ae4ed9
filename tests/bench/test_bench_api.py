"""bench/api.py end to end, briefly (1 s per case, 100 customers): it checks the floor against the
app and prints its table, goals and summary line. About two minutes on a shared two-core machine,
so it runs only when TENANTRY_RUN_BENCH=1 (not in `make test`)."""

from __future__ import annotations

import re

from tests.bench_scripts import ONLY_WHEN_ASKED, run_bench
from tests.databases import database_name, server_url

pytestmark = ONLY_WHEN_ASKED
RATIO = r"(\d+\.\d\d|n/a)"
MS = r"(\d+\.\d ms|n/a)"


def test_the_api_benchmark_prints_its_figures() -> None:
    done = run_bench(
        "api.py", "--customers", "100", "--duration", "1", "--open-duration", "1",
        "--open-warmup", "0.5", "--rates", "100", timeout=900,
        env={"TENANTRY_BENCH_POSTGRES_URL": server_url(database_name("bench_api"))},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert any(line.startswith("goal list/floor throughput >= 0.50: sqlite ") for line in lines)
    assert re.fullmatch(
        rf"list/floor throughput: sqlite {RATIO}, postgresql {RATIO}; "
        rf"store/floor: sqlite {RATIO}, postgresql {RATIO}; "
        rf"p99 at 100/s: sqlite {MS}, postgresql {MS}",
        lines[-1],
    ), lines[-1]
