"""What bench/api.py prints from its figures: the goals, and the summary line it ends with."""

from __future__ import annotations

from dataclasses import replace

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
from api_serve import Figures
from cpu_share import CpuShare


def closed(case: str, requests_per_second: float) -> Figures:
    return Figures(case, requests_per_second, p50_ms=10.0, p99_ms=20.0, errors=0)


def sqlite_run() -> BackendRun:
    return BackendRun(
        "sqlite",
        [
            closed(LIST, 600), closed(LIST_FLOOR, 1000), closed(STORE, 300),
            closed(STORE_FLOOR, 1200), closed(LIST_WORKERS, 1020),
            Figures(at_rate(LIST, 100), 100, 8.0, 31.26, 0, max_ms=40.0, late=0, generator_us=90),
        ],
    )  # fmt: skip


def test_the_last_line_names_each_database_and_na_for_one_that_did_not_run() -> None:
    assert summary([sqlite_run()]) == (
        "list/floor throughput: sqlite 0.60, postgresql n/a; "
        "store/floor: sqlite 0.25, postgresql n/a; "
        "p99 at 100/s: sqlite 31.3 ms, postgresql n/a"
    )


def test_each_goal_says_whether_it_is_met() -> None:
    postgresql = BackendRun("postgresql", [closed(LIST, 500)], workers_available=False)
    assert goals([sqlite_run(), postgresql]) == [
        "goal list/floor throughput >= 0.50: sqlite 0.60 met; postgresql n/a",
        "goal store/floor throughput >= 0.50: sqlite 0.25 not met; postgresql n/a",
        "goal list p99 at 100/s < 50 ms: sqlite 31.3 ms met; postgresql n/a",
        "goal list throughput 2 workers / 1 >= 1.6: sqlite 1.70 met; "
        "postgresql workers: not available",
    ]


def test_the_table_has_a_row_per_case() -> None:
    lines = table(sqlite_run(), "sqlite:")
    assert len(lines) == 2 + 6
    assert lines[-1].split()[:4] == ["list", "at", "100/s", "100"]


def test_the_cpu_of_each_closed_loop_case_follows_the_table() -> None:
    run = sqlite_run()
    run.cases[0] = replace(run.cases[0], cpu=CpuShare(0.95, 0.6, 0.4, 0.0, 0.05))

    lines = table(run, "sqlite:")

    assert lines[-2] == "  CPU meanwhile, in cores:"
    assert lines[-1].split(",")[0].split() == ["list", "server", "0.95"]
    assert "database 0.60, rest 0.40, steal 0.00, idle 0.05" in lines[-1]


def test_what_the_errors_were_follows_the_table() -> None:
    run = sqlite_run()
    kinds = {"status 503": 2, "broken connection": 1}
    run.cases[-1] = replace(run.cases[-1], errors=3, error_kinds=kinds)

    lines = table(run, "sqlite:")

    assert lines[-1] == "  errors in list at 100/s: 2 status 503, 1 broken connection"
