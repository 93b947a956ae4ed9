"""Running `tenantry serve` as a process of its own: a free port, waiting for it to answer."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

TENANTRY = Path(sys.executable).with_name("tenantry")
START_DEADLINE_SECONDS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Served:
    def __init__(self, process: subprocess.Popen[bytes], url: str, logs: Path, out: Path) -> None:
        self.process, self.url, self.logs, self.out = process, url, logs, out

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)

    def log_lines(self) -> list[str]:
        return [line for line in self.logs.read_text().splitlines() if line.strip()]


def wait_until_healthy(served: Served, url: str | None = None) -> httpx.Response:
    url = url or f"{served.url}/healthz"
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while True:
        if served.process.poll() is not None:
            pytest.fail(f"tenantry serve exited early:\n{served.logs.read_text()}")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"no healthy answer within {START_DEADLINE_SECONDS}s")
        time.sleep(0.1)
