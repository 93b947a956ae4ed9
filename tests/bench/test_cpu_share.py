"""bench/cpu_share.py: the CPU a process tree used while a case ran, in cores."""

from __future__ import annotations

import os
import time

from cpu_share import CpuMeter


def _busy(seconds: float) -> None:
    deadline = time.process_time() + seconds
    while time.process_time() < deadline:
        pass


def test_the_servers_busy_time_is_counted_in_cores() -> None:
    with CpuMeter(os.getpid()) as meter:
        _busy(0.3)

    assert meter.share is not None
    # This process was the "server": its 0.3 s of CPU are counted (to a tick), on one core at
    # most (it has one thread), however busy the machine was meanwhile.
    share = meter.share
    assert share.server * share.wall >= 0.28  # /proc counts in 10 ms ticks
    assert share.server <= 1.05
    assert meter.share.idle >= 0.0 and meter.share.rest >= 0.0
