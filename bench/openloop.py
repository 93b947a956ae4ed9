"""An open-loop HTTP load generator: requests at a fixed arrival rate, whatever the answers.

wrk is a closed loop: each connection sends its next request only when the answer to the last
one came back, so a server that slows down is simply asked less, and the time a request would
have waited in a queue never shows in its latency (coordinated omission). Here the arrivals do
not depend on the answers:

  * request n is due at ``start + n / rate`` (a fixed interval; ``--arrivals poisson`` draws
    exponential gaps with the same mean instead, for bursts);
  * at its due time it goes out on a free keep-alive connection; when none is free a new one is
    opened, up to ``--max-connections``, and beyond that it waits for one to come free;
  * its latency runs from its *due* time to the last byte of the answer, so a wait for a
    connection, or a generator running behind, counts against the server as a real client's
    wait would;
  * requests due in the first ``--warmup`` seconds are sent but not counted; then
    ``--duration`` seconds are measured, and the generator waits for the last answers.

It speaks HTTP/1.1 on asyncio streams (on uvloop when installed) and reads each answer by its
Content-Length: the little parsing keeps the generator cheap on a machine it shares with the
server, and it reports its own CPU time per request so that cost is visible. An answer without
Content-Length (chunked) stops it with an error, since it would be read wrongly.

    .venv/bin/python bench/openloop.py http://127.0.0.1:8000/api/v1/organizations?limit=50 \\
        --rate 100 --duration 20 -H 'Authorization: Bearer tny_...'

It prints one line, ``OPENLOOP {json}``: scheduled, completed (2xx), errors (other statuses,
broken connections, answers still missing at the end), late (sent more than ``--late-ms`` after
their due time), p50/p99/max latency in ms, the connections it opened, and its CPU time per
request in microseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import random
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

DRAIN_SECONDS = 30.0  # how long the answers to the last requests are awaited


class Chunked(Exception):
    """The server answered without Content-Length; this generator does not read chunks."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    request: bytes  # the whole request, sent as is every time


def target(url: str, headers: list[str]) -> Target:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit(f"openloop: only http:// URLs are supported, not {url!r}")
    port = parts.port or 80
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    lines = [f"GET {path} HTTP/1.1", f"Host: {parts.hostname}:{port}", *headers, "", ""]
    return Target(parts.hostname, port, "\r\n".join(lines).encode("latin-1"))


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = time.monotonic()

    @classmethod
    async def open(cls, to: Target) -> Connection:
        reader, writer = await asyncio.open_connection(to.host, to.port)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> tuple[int, bool]:
        """Send ``request``, read the whole answer; its status, and whether the connection stays."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].split(b"\r\n")
        version, status_code, *_ = status_line.split(b" ", 2)
        status = int(status_code)
        length: int | None = None
        keep_alive = version != b"HTTP/1.0"
        for line in header_lines:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                raise Chunked(f"the answer came with Transfer-Encoding: {value.strip().decode()}")
            elif name == b"connection":
                keep_alive = value.strip().lower() == b"keep-alive"
        if length is None:
            raise Chunked("the answer has no Content-Length")
        await self.reader.readexactly(length)
        return status, keep_alive

    def close(self) -> None:
        self.writer.close()


class Pool:
    """Idle keep-alive connections; a new one when none is idle, up to ``cap``; then a queue.

    A waiter is handed either a connection coming free or, when one was closed, ``None``: the
    closed one's place, to open a new connection in.

    A connection idle for ``expiry`` seconds is closed rather than used again, as HTTP clients
    do (httpx after 5 s): the server closes idle connections too (uvicorn after 5 s), and a
    request sent on one just as it closes breaks, an error of the client's making. Those left
    idle longest are the first in ``idle`` (the most recent is used first).
    """

    def __init__(self, to: Target, cap: int, expiry: float) -> None:
        self.to = to
        self.cap = cap
        self.expiry = expiry
        self.idle: deque[Connection] = deque()
        self.waiters: deque[asyncio.Future[Connection | None]] = deque()
        self.open = 0
        self.opened = 0

    async def acquire(self) -> Connection:
        expired = time.monotonic() - self.expiry
        while self.idle and self.idle[0].idle_since < expired:
            self.idle.popleft().close()
            self.open -= 1
        if self.idle:
            return self.idle.pop()  # the most recently used: warm
        if self.open >= self.cap:
            waiter: asyncio.Future[Connection | None] = asyncio.get_running_loop().create_future()
            self.waiters.append(waiter)
            handed = await waiter
            if handed is not None:
                return handed
        else:
            self.open += 1
        try:
            connection = await Connection.open(self.to)
        except BaseException:
            self._hand_over(None)
            raise
        self.opened += 1
        return connection

    def release(self, connection: Connection) -> None:
        connection.idle_since = time.monotonic()
        if not self._hand_over(connection):
            self.idle.append(connection)

    def discard(self, connection: Connection) -> None:
        connection.close()
        self._hand_over(None)

    def _hand_over(self, connection: Connection | None) -> bool:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return True
        if connection is None:
            self.open -= 1
        return False


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    completed: int = 0
    errors: int = 0
    # What the errors were: ``status 503``, ``no connection``, ``broken connection``.
    error_kinds: Counter[str] = field(default_factory=Counter)
    late: int = 0
    max_lag: float = 0.0

    def failed(self, kind: str, counted: bool) -> None:
        if counted:
            self.errors += 1
            self.error_kinds[kind] += 1


@dataclass
class Run:
    pool: Pool
    late_after: float  # seconds after its due time that a send counts as late
    tally: Tally = field(default_factory=Tally)
    failure: str | None = None  # what stops the run (an answer it cannot read)


async def one(run: Run, due: float, since: float, counted: bool) -> None:
    """One request due at ``due``, its latency counted from ``since`` (see :func:`generate`);
    counted unless it belongs to the warm-up. Times are ``time.perf_counter``'s: the loop's own
    clock has whole milliseconds on uvloop."""
    tally = run.tally
    try:
        connection = await run.pool.acquire()
    except OSError:
        tally.failed("no connection", counted)
        return
    sent = time.perf_counter()
    try:
        status, keep_alive = await connection.exchange(run.pool.to.request)
    except Chunked as exc:
        run.pool.discard(connection)
        run.failure = str(exc)
        return
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        run.pool.discard(connection)
        tally.failed("broken connection", counted)
        return
    answered = time.perf_counter()
    if keep_alive:
        run.pool.release(connection)
    else:
        run.pool.discard(connection)
    if not counted:
        return
    tally.latencies.append(answered - since)
    if 200 <= status < 300:
        tally.completed += 1
    else:
        tally.failed(f"status {status}", True)
    lag = sent - due
    tally.max_lag = max(tally.max_lag, lag)
    if lag > run.late_after:
        tally.late += 1


def due_times(rate: float, seconds: float, arrivals: str, seed: int) -> list[float]:
    """Offsets from the start at which requests are due, over ``seconds``."""
    if arrivals == "fixed":
        return [n / rate for n in range(round(rate * seconds))]
    draw = random.Random(seed)
    offsets: list[float] = []
    at = draw.expovariate(rate)
    while at < seconds:
        offsets.append(at)
        at += draw.expovariate(rate)
    return offsets


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


async def generate(args: argparse.Namespace) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    pool = Pool(target(args.url, args.header), args.max_connections, args.keepalive_expiry)
    run = Run(pool, args.late_ms / 1000)
    offsets = due_times(args.rate, args.warmup + args.duration, args.arrivals, args.seed)
    tasks: set[asyncio.Task[None]] = set()
    cpu_started = time.process_time()
    start = time.perf_counter() + 0.05
    for offset in offsets:
        due = start + offset
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if run.failure:
            break
        # A timer may wake up to a millisecond early (uvloop's count whole milliseconds too):
        # such a request goes out at once and its latency runs from now, so it is never
        # measured short; sleeping again for the rest would spin the CPU the server needs.
        since = min(due, time.perf_counter())
        task = loop.create_task(one(run, due, since, counted=offset >= args.warmup))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    unfinished: set[asyncio.Task[None]] = set()
    if tasks:
        _, unfinished = await asyncio.wait(set(tasks), timeout=DRAIN_SECONDS)
    for task in unfinished:
        task.cancel()
    cpu = time.process_time() - cpu_started
    for connection in run.pool.idle:
        connection.close()
    if run.failure:
        raise Chunked(run.failure)
    tally = run.tally
    scheduled = sum(1 for offset in offsets if offset >= args.warmup)
    answered = tally.completed + tally.errors
    ordered = sorted(tally.latencies)

    def ms(value: float) -> float:
        return round(value * 1000, 3)

    return {
        "rate": args.rate,
        "arrivals": args.arrivals,
        "duration_s": args.duration,
        "scheduled": scheduled,
        "completed": tally.completed,
        # Requests never answered (still out when the drain ended) are errors too.
        "errors": tally.errors + max(0, scheduled - answered),
        "error_kinds": dict(tally.error_kinds)
        | ({"unanswered": scheduled - answered} if scheduled > answered else {}),
        "late": tally.late,
        "max_send_lag_ms": ms(tally.max_lag),
        "p50_ms": ms(percentile(ordered, 0.50)) if ordered else None,
        "p99_ms": ms(percentile(ordered, 0.99)) if ordered else None,
        "max_ms": ms(ordered[-1]) if ordered else None,
        "connections": run.pool.opened,
        "cpu_us_per_request": round(cpu / max(1, len(offsets)) * 1e6, 1),
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="http://host:port/path?query")
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--duration", type=float, default=20, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=2, help="seconds sent, not measured")
    parser.add_argument("--arrivals", choices=("fixed", "poisson"), default="fixed")
    parser.add_argument("--seed", type=int, default=1, help="of the Poisson arrivals")
    parser.add_argument("--max-connections", type=int, default=256)
    parser.add_argument("--late-ms", type=float, default=5, help="a send this late is late")
    parser.add_argument(
        "--keepalive-expiry", type=float, default=4, help="seconds a connection may idle"
    )
    parser.add_argument(
        "-H", "--header", action="append", default=[], help="'Name: value', repeatable"
    )
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.duration <= 0 or args.warmup < 0:
        parser.error("--rate and --duration must be positive, --warmup not negative")
    return args


def main() -> None:
    args = parse()
    runner: Any = asyncio.run
    with contextlib.suppress(ImportError):
        import uvloop

        runner = uvloop.run
    try:
        report = runner(generate(args))
    except Chunked as exc:
        raise SystemExit(f"openloop: {exc}; it reads answers by Content-Length only") from None
    print("OPENLOOP " + json.dumps(report), flush=True)
    if report["completed"] == 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
