"""The processes bench/api.py runs: `tenantry serve`, the floor (api_floor.py), and the two load
generators, wrk (closed loop) and openloop.py (open loop), each in a process of its own."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cpu_share import CpuShare

BENCH = Path(__file__).resolve().parent
TENANTRY = Path(sys.executable).with_name("tenantry")
# wrk reports through this script: one JSON line with the figures we print.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'REPORT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non_2xx": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class Figures:
    """One case's figures; the open loop's have a maximum, late sends and the generator's CPU."""

    case: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    # The open loop's: what its errors were (``status 503``: 2, ``broken connection``: 1).
    error_kinds: dict[str, int] = field(default_factory=dict)
    max_ms: float | None = None
    late: int | None = None
    generator_us: float | None = None
    # Closed loop: where the machine's CPU went meanwhile.
    cpu: CpuShare | None = None


def server_choices() -> tuple[str, str]:
    """The event loop and HTTP parser `tenantry serve` runs on, by uvicorn's names: uvloop when
    installed unless TENANTRY_EVENT_LOOP is asyncio; httptools when installed."""
    choice = os.environ.get("TENANTRY_EVENT_LOOP", "auto").lower()
    has_uvloop = importlib.util.find_spec("uvloop") is not None
    loop = "uvloop" if choice != "asyncio" and has_uvloop else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") is not None else "h11"
    return loop, http


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_answering(
    process: subprocess.Popen[bytes], url: str, seconds: float, what: str
) -> None:
    """Poll ``url`` until it answers 200; kill the process and stop if it does not in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{what} did not start answering {url}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _environment(url: str, workdir: Path, port: int) -> dict[str, str]:
    """What `tenantry serve` is configured with; the floor reads the same."""
    return os.environ | {
        "TENANTRY_DATABASE_URL": url,
        "TENANTRY_QUEUE_URL": f"sqlite:///{workdir / 'queue.db'}",
        "TENANTRY_HOST": "127.0.0.1",
        "TENANTRY_PORT": str(port),
        "TENANTRY_RUN_SANDBOX": "false",
        "TENANTRY_ENVIRONMENT": "development",
    }


def _start(
    command: list[str], url: str, workdir: Path, what: str, log_name: str
) -> tuple[subprocess.Popen[bytes], str]:
    """Run ``command`` (``{port}`` in it replaced) with the server's settings; its base URL."""
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    with (workdir / log_name).open("ab") as log:
        process = subprocess.Popen(
            command, env=_environment(url, workdir, port), stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    # The floor renders the store through the app once before it serves: allow for that.
    wait_until_answering(process, f"{base}/healthz", 120, f"{what} ({workdir / log_name})")
    return process, base


def start_server(
    url: str, workdir: Path, workers: int | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """`tenantry serve` (with ``--workers`` when given) on a free port; its base URL."""
    command = [str(TENANTRY), "serve", *(["--workers", str(workers)] if workers else [])]
    return _start(command, url, workdir, "tenantry serve", "server.log")


def start_floor(url: str, workdir: Path, token: str) -> tuple[subprocess.Popen[bytes], str]:
    """The floor (api_floor.py) on a free port, with the same settings; its base URL."""
    command = [sys.executable, str(BENCH / "api_floor.py"), "--port", "{port}", "--token", token]
    return _start(command, url, workdir, "the floor", "floor.log")


def serve_has_workers() -> bool:
    """Whether this installation's `tenantry serve` takes ``--workers``."""
    done = subprocess.run(
        [str(TENANTRY), "serve", "--help"], capture_output=True, text=True, check=False,
        env=os.environ | {"COLUMNS": "200", "NO_COLOR": "1"},
    )  # fmt: skip
    return "--workers" in done.stdout


def closed_loop(
    case: str, url: str, headers: dict[str, str], *, connections: int, threads: int,
    duration: int, script: Path,
) -> Figures:  # fmt: skip
    """wrk: ``connections`` keep-alive connections, each sending as soon as it was answered."""
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s",
        "--timeout", "30s", "-s", str(script), url,
    ]  # fmt: skip
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("REPORT "))
    report: dict[str, int] = json.loads(line.removeprefix("REPORT "))
    return Figures(
        case=case,
        requests_per_second=report["requests"] / (report["duration_us"] / 1e6),
        p50_ms=report["p50_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        errors=report["non_2xx"] + report["socket_errors"],
    )


def open_loop(
    case: str, url: str, headers: dict[str, str], *, rate: int, duration: float, warmup: float
) -> Figures:
    """openloop.py at ``rate`` requests/s, a process of its own (it does not share our GIL)."""
    command = [
        sys.executable, str(BENCH / "openloop.py"), url, "--rate", str(rate),
        "--duration", str(duration), "--warmup", str(warmup),
    ]  # fmt: skip
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((line for line in done.stdout.splitlines() if line.startswith("OPENLOOP ")), None)
    if line is None:
        raise SystemExit(f"openloop.py failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    report = json.loads(line.removeprefix("OPENLOOP "))
    nothing = float("nan")
    return Figures(
        case=case,
        requests_per_second=report["completed"] / duration,
        p50_ms=report["p50_ms"] if report["p50_ms"] is not None else nothing,
        p99_ms=report["p99_ms"] if report["p99_ms"] is not None else nothing,
        max_ms=report["max_ms"] if report["max_ms"] is not None else nothing,
        errors=report["errors"],
        error_kinds=report.get("error_kinds", {}),
        late=report["late"],
        generator_us=report["cpu_us_per_request"],
    )
