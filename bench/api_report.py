"""What bench/api.py prints: a table per database, the goals (printed, never asserted) and one
summary line, always the last."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from api_serve import Figures

LIST = "list"
LIST_FLOOR = "list floor"
STORE = "store"
STORE_FLOOR = "store floor"
LIST_WORKERS = "list, 2 workers"
GOAL_RATE = 100  # requests/s at which the list's p99 is held to GOAL_P99_MS
GOAL_P99_MS = 50.0
GOAL_RATIO = 0.5  # the app's throughput against the floor's, list and store
GOAL_WORKERS = 1.6  # list throughput with two worker processes against one


def at_rate(case: str, rate: int) -> str:
    return f"{case} at {rate}/s"


@dataclass
class BackendRun:
    """One database's figures, by case."""

    backend: str
    cases: list[Figures] = field(default_factory=list)
    workers_available: bool = True

    def get(self, case: str) -> Figures | None:
        return next((f for f in self.cases if f.case == case), None)

    def ratio(self, case: str, against: str) -> float | None:
        mine, theirs = self.get(case), self.get(against)
        if mine is None or theirs is None or not theirs.requests_per_second:
            return None
        return mine.requests_per_second / theirs.requests_per_second

    def p99_at_goal_rate(self) -> float | None:
        found = self.get(at_rate(LIST, GOAL_RATE))
        return None if found is None or math.isnan(found.p99_ms) else found.p99_ms


def _cell(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def table(run: BackendRun, heading: str) -> list[str]:
    lines = [
        heading,
        f"  {'case':<22} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'errors':>6} {'late':>5} {'generator µs/req':>16}",
    ]
    for f in run.cases:
        lines.append(
            f"  {f.case:<22} {f.requests_per_second:>10,.0f} {f.p50_ms:>8.1f} {f.p99_ms:>8.1f} "
            f"{_cell(f.max_ms):>8} {f.errors:>6,} {_cell(f.late):>5} {_cell(f.generator_us):>16}"
        )
    lines += [
        f"  errors in {f.case}: " + ", ".join(f"{n:,} {kind}" for kind, n in f.error_kinds.items())
        for f in run.cases
        if f.error_kinds
    ]
    measured = [f for f in run.cases if f.cpu is not None]
    if measured:
        lines.append("  CPU meanwhile, in cores:")
        lines += [f"    {f.case:<20} {f.cpu.text()}" for f in measured if f.cpu is not None]
    return lines


def _judged(value: float | None, met: bool, text: str) -> str:
    return "n/a" if value is None else f"{text} {'met' if met else 'not met'}"


def goals(runs: Sequence[BackendRun]) -> list[str]:
    """One line per goal, naming each database's figure and whether it meets the goal."""

    def line(goal: str, judge: dict[str, str]) -> str:
        return f"goal {goal}: " + "; ".join(f"{b} {text}" for b, text in judge.items())

    list_floor = {r.backend: r.ratio(LIST, LIST_FLOOR) for r in runs}
    store_floor = {r.backend: r.ratio(STORE, STORE_FLOOR) for r in runs}
    p99 = {r.backend: r.p99_at_goal_rate() for r in runs}
    workers: dict[str, str] = {}
    for r in runs:
        ratio = r.ratio(LIST_WORKERS, LIST)
        if not r.workers_available:
            workers[r.backend] = "workers: not available"
        else:
            workers[r.backend] = _judged(ratio, (ratio or 0) >= GOAL_WORKERS, f"{ratio or 0:.2f}")
    return [
        line(
            f"list/floor throughput >= {GOAL_RATIO:.2f}",
            {b: _judged(v, (v or 0) >= GOAL_RATIO, f"{v or 0:.2f}") for b, v in list_floor.items()},
        ),
        line(
            f"store/floor throughput >= {GOAL_RATIO:.2f}",
            {
                b: _judged(v, (v or 0) >= GOAL_RATIO, f"{v or 0:.2f}")
                for b, v in store_floor.items()
            },
        ),
        line(
            f"list p99 at {GOAL_RATE}/s < {GOAL_P99_MS:.0f} ms",
            {b: _judged(v, (v or 0) < GOAL_P99_MS, f"{v or 0:.1f} ms") for b, v in p99.items()},
        ),
        line(f"list throughput 2 workers / 1 >= {GOAL_WORKERS:.1f}", workers),
    ]


def summary(runs: Sequence[BackendRun]) -> str:
    """The last line: ``list/floor throughput: sqlite X, postgresql Y; store/floor: ...``."""
    by_backend = {r.backend: r for r in runs}

    def each(figure: str, unit: str = "", digits: int = 2) -> str:
        parts = []
        for backend in ("sqlite", "postgresql"):
            run = by_backend.get(backend)
            value = None
            if run is not None:
                value = {
                    "list": run.ratio(LIST, LIST_FLOOR),
                    "store": run.ratio(STORE, STORE_FLOOR),
                    "p99": run.p99_at_goal_rate(),
                }[figure]
            parts.append(f"{backend} {'n/a' if value is None else f'{value:.{digits}f}{unit}'}")
        return ", ".join(parts)

    return (
        f"list/floor throughput: {each('list')}; store/floor: {each('store')}; "
        f"p99 at {GOAL_RATE}/s: {each('p99', ' ms', 1)}"
    )
