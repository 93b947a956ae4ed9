"""Prometheus metrics summed over every worker of ``tenantry serve --workers N``.

prometheus_client keeps a process's counts in that process's memory, so with several workers a
scrape reported only the worker that happened to answer it, and consecutive scrapes went up and
down. In its multiprocess mode each process writes its counts to files of its own in one
directory (``PROMETHEUS_MULTIPROC_DIR``) and a scrape, answered by any worker, adds up the files of
all of them, including those of a worker that died and was replaced, so a counter never goes back.

prometheus_client chooses the mode when it is imported, so the parent sets the directory before
anything imports it; the workers it forks inherit it. This module imports prometheus_client only
inside its functions for that reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@contextlib.contextmanager
def shared_by_workers(workers: int) -> Iterator[Path | None]:
    """With more than one worker, the directory their metrics are written to for as long as the
    block runs: ``PROMETHEUS_MULTIPROC_DIR`` when set (emptied of a previous run's files), else a
    new temporary directory, removed at the end. None with one worker: its memory is enough."""
    if workers <= 1:
        yield None
        return
    if "prometheus_client" in sys.modules:
        raise RuntimeError(
            "prometheus_client was imported before the workers' metrics directory was set; "
            "its metrics would stay per process"
        )
    given = os.environ.get(DIRECTORY_VARIABLE)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for previous_run in directory.glob("*.db"):
            previous_run.unlink()
    else:
        directory = Path(tempfile.mkdtemp(prefix="tenantry-metrics-"))
        os.environ[DIRECTORY_VARIABLE] = str(directory)
    try:
        yield directory
    finally:
        if not given:
            os.environ.pop(DIRECTORY_VARIABLE, None)
            shutil.rmtree(directory, ignore_errors=True)


def scraped() -> CollectorRegistry:
    """What ``/metrics`` reports: every worker's counts added up when the processes share a
    directory, else this process's own registry (with its process and garbage collector
    metrics, which describe one process and have no meaningful sum)."""
    from prometheus_client import REGISTRY, CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    if DIRECTORY_VARIABLE not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # unannotated upstream
    return registry
