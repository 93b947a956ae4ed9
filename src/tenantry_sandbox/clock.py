"""The sandbox's clock, which the control API can move forward to expire tokens and windows."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """Wall and monotonic time plus an offset set through ``POST /_sandbox/clock``.

    Moving the clock instead of sleeping lets tests expire access tokens or empty a rate-limit
    window instantly.
    """

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def timestamp(self) -> int:
        return int(self.now().timestamp())

    def monotonic(self) -> float:
        return time.monotonic() + self.offset.total_seconds()

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        self.offset = timedelta(0)
