"""Where the machine's CPU went while a case ran, in cores: the server's processes, the
database's, the rest (the load generator, the OS) and what the hypervisor took (steal).

Why: a throughput that stops growing says nothing of its cause by itself. With two cores, two
worker processes can only use what PostgreSQL, the load generator and the host leave them; this
says how much that was, so that "2 workers give 1.55 times one" can be explained or not.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psutil

DATABASE_PROCESS_NAMES = frozenset({"postgres"})


@dataclass(frozen=True)
class CpuShare:
    """Cores used on average over a case (1.0 is one core busy for the whole case)."""

    server: float
    database: float
    rest: float
    steal: float
    idle: float
    wall: float = 0.0  # the case's seconds

    def text(self) -> str:
        """The cores by whom; idle counts time waiting for the disk too."""
        return (
            f"server {self.server:.2f}, database {self.database:.2f}, rest {self.rest:.2f}, "
            f"steal {self.steal:.2f}, idle {self.idle:.2f} (cores of {psutil.cpu_count()})"
        )


def _seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _tree(pid: int) -> dict[int, float]:
    """CPU seconds so far of ``pid`` and each of its descendants, by pid."""
    found: dict[int, float] = {}
    try:
        root = psutil.Process(pid)
        for process in (root, *root.children(recursive=True)):
            found[process.pid] = _seconds(process)
    except psutil.Error:
        pass  # a process that ended between the listing and the read
    return found


def _database() -> dict[int, float]:
    found: dict[int, float] = {}
    for process in psutil.process_iter(["name"]):
        if process.info["name"] in DATABASE_PROCESS_NAMES:
            try:
                found[process.pid] = _seconds(process)
            except psutil.Error:
                continue
    return found


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    """Seconds used in between by the processes alive at the end (new ones from zero)."""
    return sum(max(0.0, seconds - before.get(pid, 0.0)) for pid, seconds in after.items())


class CpuMeter:
    """``with CpuMeter(server_pid) as meter: ...``, then ``meter.share``."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.share: CpuShare | None = None

    def __enter__(self) -> CpuMeter:
        self._started = time.monotonic()
        self._machine = psutil.cpu_times()
        self._server = _tree(self.server_pid)
        self._database = _database()
        return self

    def __exit__(self, *_: object) -> None:
        wall = time.monotonic() - self._started
        machine = psutil.cpu_times()
        server = _used(self._server, _tree(self.server_pid)) / wall
        database = _used(self._database, _database()) / wall
        waiting = getattr(machine, "iowait", 0.0) - getattr(self._machine, "iowait", 0.0)
        idle = (machine.idle - self._machine.idle + waiting) / wall
        steal = (getattr(machine, "steal", 0.0) - getattr(self._machine, "steal", 0.0)) / wall
        total = psutil.cpu_count() or 1
        self.share = CpuShare(
            server=server,
            database=database,
            rest=max(0.0, total - idle - steal - server - database),
            steal=steal,
            idle=idle,
            wall=wall,
        )
