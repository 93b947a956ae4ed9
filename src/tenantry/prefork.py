"""``tenantry serve --workers N``: N processes serving the app behind one port.

The parent binds the listening socket once, imports the app's modules, and forks the workers. Each
worker builds its own app, and with it its own database engine and queue connections (a
connection is never shared across a fork), and serves it with uvicorn on the inherited socket;
the kernel hands each new connection to whichever worker accepts it first. Worker 1 also runs
what must run once: the in-process job consumer (SQLite queue), the Partner Center sandbox
(TENANTRY_RUN_SANDBOX) and the webhook registration. The parent serves nothing:

- SIGTERM, SIGINT or SIGHUP to the parent sends SIGTERM to every worker, which stops taking
  connections, finishes its requests and running jobs, and exits; a second signal sends SIGQUIT,
  which stops without waiting for open connections, as a second Ctrl+C does with one process.
  A worker ignores SIGINT and SIGHUP, and a second SIGTERM changes nothing: Ctrl+C reaches the
  whole process group and systemd signals every process of the service, while only the parent's
  count of signals should decide.
- A worker that exits after it started serving (killed, or stopped by a SIGTERM of its own) is
  logged and started again (in its place: worker 1 again runs the consumer and the sandbox). A
  worker that exits before it serves (its start-up failed: the sandbox's port taken, an error
  while the app starts) stops them all and the command fails with the reason, since starting it
  again would fail the same way.

Why not uvicorn's own ``Multiprocess`` supervisor: it starts each worker with ``spawn``, a new
interpreter that imports the app from a string, so the workers cannot differ (the consumer and
the sandbox would run N times) and share no memory with the parent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import signal
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import TYPE_CHECKING

import structlog
import uvicorn

from tenantry import worker_metrics
from tenantry.server import (
    EventLoop,
    Part,
    ServeError,
    _serve_all,
    _server,
    attach_consumer,
    attach_webhook_registration,
    banner,
    consumer_module,
    freeze_long_lived_objects,
    optional_module,
    sandbox_plan,
    sandbox_server,
    server_part,
    webhook_part,
)
from tenantry.settings import Settings

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess
    from multiprocessing.synchronize import Event
    from types import FrameType

log = structlog.get_logger("tenantry.server")
PARENT_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# What the parent sends a worker: stop gracefully, and stop without waiting for connections.
WORKER_SIGNALS = (signal.SIGTERM, signal.SIGQUIT)
PRIMARY = 1  # the worker that also runs the job consumer, the sandbox and webhook registration
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class _Worker:
    number: int
    process: BaseProcess
    ready: Event  # set by the worker once it serves


def run(settings: Settings, loop: EventLoop, logins: Sequence[str]) -> None:
    """Serve with ``settings.workers`` processes until signalled; raises :class:`ServeError`
    when a worker fails to start."""
    if settings.queue_url.startswith("memory:"):
        raise ServeError(
            "TENANTRY_QUEUE_URL is memory://, which the other worker processes cannot see; use "
            "sqlite:///, postgresql:// or redis:// with several workers"
        )
    # Imported here, before the fork, so the workers share these modules' memory.
    import tenantry.app  # noqa: F401

    optional_module("tenantry_sandbox.app")
    config = uvicorn.Config(
        "tenantry.app:create_app", host=settings.host, port=settings.port, log_config=None
    )
    listener = config.bind_socket()  # logs "Uvicorn running on ..." (exits when the port is taken)
    print(banner(settings, _parts(settings, loop), logins), flush=True)
    freeze_long_lived_objects()
    _Supervisor(settings, loop, listener).run()


def _parts(settings: Settings, loop: EventLoop) -> list[Part]:
    module, jobs = consumer_module(settings)
    if module is not None:
        jobs = Part("Jobs", f"consumed in worker {PRIMARY} ({settings.worker_threads} threads)")
    _, sandbox = sandbox_plan(settings)
    registers = settings.partner_center_webhook_register_on_start and optional_module(
        "tenantry.partnercenter_events.registration"
    )
    webhooks = [webhook_part(settings)] if registers else []
    return [server_part(loop, settings.workers), jobs, sandbox, *webhooks, _metrics_part()]


def _metrics_part() -> Part:
    directory = os.environ.get(worker_metrics.DIRECTORY_VARIABLE)
    if directory is None:  # only `tenantry serve` sets it up; the part says where it went wrong
        return Part("Metrics", "per worker (no PROMETHEUS_MULTIPROC_DIR)")
    return Part("Metrics", f"/metrics adds up every worker's counts (files in {directory})")


class _Supervisor:
    def __init__(self, settings: Settings, loop: EventLoop, listener: socket.socket) -> None:
        self.settings, self.loop, self.listener = settings, loop, listener
        self.context = multiprocessing.get_context("fork")
        self.workers: dict[int, _Worker] = {}  # by the process's sentinel
        self.pid = os.getpid()
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_write, False)
        self.stop_signals = 0
        self.failure: str | None = None

    def run(self) -> None:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in PARENT_SIGNALS}
        try:
            for number in range(1, self.settings.workers + 1):
                self._start(number)
            while self.workers:
                self._wait()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.listener.close()
            os.close(self.wake_read)
            os.close(self.wake_write)
        if self.failure is not None:
            raise ServeError(self.failure)
        log.info("all worker processes stopped")

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        with contextlib.suppress(BlockingIOError):
            os.write(self.wake_write, bytes([signum]))

    def _start(self, number: int) -> None:
        ready = self.context.Event()
        process = self.context.Process(
            target=_worker_main,
            args=(number, self.settings, self.loop, self.listener, ready, self.pid),
            name=f"tenantry-serve-{number}",
            daemon=True,
        )
        # The worker starts with these signals blocked (a fork copies the mask), so one sent
        # before it sets its own handlers waits for them instead of running the parent's there.
        blocked = {*PARENT_SIGNALS, *WORKER_SIGNALS}
        signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, blocked)
        self.workers[process.sentinel] = _Worker(number, process, ready)
        log.info("worker process started", worker=number, pid=process.pid)

    def _wait(self) -> None:
        for ready in wait([self.wake_read, *self.workers]):
            assert isinstance(ready, int)  # only file descriptors are waited on
            if ready == self.wake_read:
                self._stop(os.read(self.wake_read, 64))
            else:
                self._reap(self.workers.pop(ready))

    def _stop(self, signals: bytes) -> None:
        if not self.stop_signals:
            names = ", ".join(sorted({signal.Signals(signum).name for signum in signals}))
            log.info("stopping worker processes", signal=names)
        self.stop_signals += len(signals)
        self._signal_workers(signal.SIGTERM if self.stop_signals == 1 else signal.SIGQUIT)

    def _signal_workers(self, signum: signal.Signals) -> None:
        for worker in self.workers.values():
            if worker.process.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.process.pid, signum)

    def _reap(self, worker: _Worker) -> None:
        worker.process.join()
        code = worker.process.exitcode or 0
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
        if self.stop_signals or self.failure is not None:
            log.info("worker process stopped", worker=worker.number, exit=how)
        elif not worker.ready.is_set():
            self.failure = (
                f"worker {worker.number} stopped during its start-up ({how}); see the log above"
            )
            log.error("worker process failed to start; stopping", worker=worker.number, exit=how)
            self._signal_workers(signal.SIGTERM)
        else:
            report = log.warning if code == 0 else log.error
            report("worker process exited; starting another", worker=worker.number, exit=how)
            self._start(worker.number)


def _worker_main(
    number: int,
    settings: Settings,
    loop: EventLoop,
    listener: socket.socket,
    ready: Event,
    parent: int,
) -> None:
    """One worker process: its own app (database engine, queue), served on ``listener``."""
    from tenantry.app import create_app
    from tenantry.observability import bind_process_fields

    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    for signum in WORKER_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    # SIGTERM and SIGQUIT stay blocked (as the parent forked it) until the serving loop handles
    # them: one that arrives during start-up then stops the worker as it would later.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGHUP})
    _stop_with_parent(parent)
    bind_process_fields(worker=number)
    app = create_app(settings)
    servers = []
    if number == PRIMARY:
        attach_consumer(app, settings)
        attach_webhook_registration(app, settings)
        sandbox, _ = sandbox_server(settings)
        if sandbox is not None:
            servers.append(sandbox)
    main = _server(app, settings.host, settings.port)
    main.listeners = [listener]
    servers.append(main)

    def started() -> None:
        freeze_long_lived_objects()
        ready.set()
        # From here on the parent restarts this worker when it dies, instead of stopping all.
        log.info("worker process serving")

    def stop(force: bool) -> None:
        for server in servers:
            server.should_exit = True
            server.force_exit = server.force_exit or force

    async def serve() -> None:
        running = asyncio.get_running_loop()
        running.add_signal_handler(signal.SIGTERM, stop, False)
        running.add_signal_handler(signal.SIGQUIT, stop, True)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, WORKER_SIGNALS)
        await _serve_all(servers, signals=(), on_ready=started)

    with asyncio.Runner(loop_factory=loop.factory) as runner:
        runner.run(serve())


def _stop_with_parent(parent: int) -> None:
    """Have Linux send this worker SIGTERM when the parent dies, even by SIGKILL, so no worker
    goes on serving on the port unsupervised."""
    if sys.platform != "linux":
        return
    with contextlib.suppress(OSError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)
