"""``tenantry serve``: the app under uvicorn, and beside it, in the same process, what the embedded
default needs: the job consumer (when the queue lives in SQLite or memory) and the Partner Center
sandbox (when ``TENANTRY_RUN_SANDBOX`` is true). With ``--workers N`` (TENANTRY_WORKERS) several
processes serve the app behind one port: :mod:`tenantry.prefork`.

The job consumer and the sandbox are imported only here, when needed; a missing one is reported
and skipped, so the app still serves. So are uvloop and httptools: used when installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import signal
import socket
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import structlog
import uvicorn
from fastapi import FastAPI

from tenantry import __version__
from tenantry.db import Database
from tenantry.settings import CARD_WEBHOOK_PATH, Settings

log = structlog.get_logger("tenantry.server")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ServeError(Exception):
    """Serving cannot start or go on; the message says why, for the command line."""


def optional_module(name: str) -> ModuleType | None:
    """Import ``name``, or return None when it (or a package above it) is not installed.

    A module that exists but fails to import for another reason (a missing third-party dependency,
    a bug) still raises: hiding that would make a broken installation look like a slim one.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if name == missing or name.startswith(missing + "."):
            return None
        raise


@dataclass(frozen=True)
class Part:
    """One thing this process runs, for the start banner."""

    name: str
    state: str


@dataclass(frozen=True)
class EventLoop:
    """The event loop the servers run on: its name for the banner and what makes one."""

    name: str
    factory: Callable[[], asyncio.AbstractEventLoop]


def event_loop(choice: str) -> EventLoop:
    """The loop TENANTRY_EVENT_LOOP chooses: uvloop (faster sockets and callbacks) when it is
    ``uvloop``, or ``auto`` and uvloop is installed; asyncio's own selector loop otherwise."""
    if choice != "asyncio":
        uvloop = optional_module("uvloop")
        if uvloop is not None:
            return EventLoop("uvloop", uvloop.new_event_loop)
        if choice == "uvloop":
            raise ServeError("TENANTRY_EVENT_LOOP is uvloop, which is not installed")
    return EventLoop("asyncio", asyncio.SelectorEventLoop)


def http_parser() -> str:
    """The HTTP/1.1 parser uvicorn is given: httptools (C, llhttp) when installed, else h11."""
    return "httptools" if optional_module("httptools") is not None else "h11"


def server_part(loop: EventLoop, workers: int) -> Part:
    processes = "1 process" if workers == 1 else f"{workers} worker processes on one port"
    return Part("Server", f"{processes}, {loop.name} event loop, {http_parser()} HTTP parser")


def freeze_long_lived_objects() -> None:
    """Move every object alive now (imported modules, the app, its routes and settings) to the
    permanent generation, which the garbage collector never scans: a full collection then walks
    only what requests create instead of the whole app. Before a fork it also keeps the
    collector from writing into the parent's objects, which would copy their shared pages."""
    gc.collect()
    gc.freeze()


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to :func:`_serve_all`, which stops every server of the
    process together. (uvicorn's own handling re-raises the signal once a server has stopped, so
    the process would die by it with the second server still running.)"""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()
        # Listening sockets bound by another process (prefork's workers); None binds its own.
        self.listeners: list[socket.socket] | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop serving; a forced stop (a second Ctrl+C) skips waiting for open connections but
        still shuts the app down (job consumer, database). uvicorn would skip that too, leaving
        each app's lifespan to be cancelled as the loop closes, logged as a CancelledError
        traceback per server."""
        await super().shutdown(sockets=sockets)
        lifespan = getattr(self, "lifespan", None)
        if self.force_exit and lifespan is not None and not lifespan.shutdown_event.is_set():
            await lifespan.shutdown()


def _server(app: Any, host: str, port: int) -> _Server:
    # log_config=None keeps the logging that configure_logging set up, so uvicorn's own lines are
    # JSON too; access lines are off because the app logs every request with its request id.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level=None,
        access_log=False,
        server_header=False,
        lifespan="on",
        http=http_parser(),
    )
    return _Server(config)


def consumer_module(settings: Settings) -> tuple[ModuleType | None, Part]:
    """The job consumer's module when serve consumes the queue itself (SQLite or memory), with
    the banner line; None, and the line saying why, when it does not."""
    module = optional_module("tenantry.jobs.consumer")
    if module is None:
        log.warning("job consumer not available", reason="tenantry.jobs is not installed")
        return None, Part("Jobs", "not available in this installation")
    if not module.runs_in_process(settings):
        scheme = settings.queue_url.partition(":")[0]
        return None, Part("Jobs", f"run by `tenantry worker` processes (queue: {scheme})")
    return module, Part("Jobs", f"consumed in this process ({settings.worker_threads} threads)")


def attach_consumer(app: FastAPI, settings: Settings) -> Part:
    """Run the job consumer inside ``app``'s lifespan when the queue is in-process (SQLite or
    memory): it starts after the app's startup and stops, letting running jobs finish, before the
    app closes its database and queue."""
    module, part = consumer_module(settings)
    if module is None:
        return part
    consumer = module.InProcessConsumer(settings, queue=getattr(app.state, "queue", None))
    app_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with app_lifespan(app) as state:
            await asyncio.to_thread(consumer.start)
            try:
                yield state
            finally:
                await asyncio.to_thread(consumer.stop)

    app.router.lifespan_context = lifespan
    return Part("Jobs", f"consumed in this process ({consumer.threads} threads)")


def attach_webhook_registration(app: FastAPI, settings: Settings) -> Part | None:
    """Register Partner Center's webhook subscription in the background once the app serves,
    when TENANTRY_PARTNER_CENTER_WEBHOOK_REGISTER_ON_START holds (by default with the embedded
    sandbox only), so its events reach the app with no command run."""
    module = optional_module("tenantry.partnercenter_events.registration")
    if module is None or not module.attach_on_start(app):
        return None
    return webhook_part(settings)


def webhook_part(settings: Settings) -> Part:
    return Part(
        "Webhooks", f"registering {settings.partner_center_webhook_url} with Partner Center"
    )


def _sandbox_settings(settings: Settings) -> Any:
    """The sandbox's own settings (TENANTRY_SANDBOX_*) except where serve decides: the
    interface, ports and database. None when the sandbox is not installed."""
    settings_module = optional_module("tenantry_sandbox.settings")
    if settings_module is None:
        return None
    defaults = settings_module.SandboxSettings()
    overrides: dict[str, Any] = {
        "host": settings.host,
        "port": settings.sandbox_port,
        "database_url": settings.sandbox_database_url,
        "smtp_port": settings.sandbox_smtp_port,
    }
    if "partner_name" not in defaults.model_fields_set:
        # The demo platform is the sandbox's partner account (same MPN ID and tenant): one name,
        # so the admin center's consent page names the distributor the seller's page names.
        from tenantry.demo.data import PLATFORM_NAME

        overrides["partner_name"] = PLATFORM_NAME
    if settings.card_is_embedded_sandbox and "card_webhook_url" not in defaults.model_fields_set:
        # The card stand-in signs its events for this app's card webhook with this app's secret
        # and takes this app's secret key (docs/payments.md).
        overrides["card_webhook_url"] = settings.base_url.rstrip("/") + CARD_WEBHOOK_PATH
        overrides["card_webhook_secret"] = settings.card_webhook_secret
        overrides["card_secret_key"] = settings.card_secret_key
    if "base_url" not in defaults.model_fields_set:
        # Where this machine's clients reach it: a wildcard bind address is no place to go.
        overrides["base_url"] = f"http://{settings.local_host()}:{settings.sandbox_port}"
    return settings_module.SandboxSettings(**overrides)


def sandbox_plan(settings: Settings) -> tuple[Any, Part]:
    """The sandbox's settings when serve runs it (None when it does not), and its banner line."""
    if not settings.run_sandbox:
        return None, Part("Sandbox", "off (TENANTRY_RUN_SANDBOX=false)")
    app_module = optional_module("tenantry_sandbox.app")
    sandbox_settings = _sandbox_settings(settings)
    if app_module is None or sandbox_settings is None:
        log.warning("Partner Center sandbox not available", reason="tenantry_sandbox is missing")
        return None, Part("Sandbox", "not available in this installation")
    # Its home page links the mailbox, the admin center and the control API.
    home = sandbox_settings.base_url.rstrip("/") + "/"
    url = f"{home} (Partner Center and Microsoft sign-in stand-in: mailbox, admin center, API)"
    return sandbox_settings, Part("Sandbox", url)


def sandbox_server(settings: Settings) -> tuple[_Server | None, Part]:
    """The sandbox as a second server of this process, on TENANTRY_SANDBOX_PORT."""
    sandbox_settings, part = sandbox_plan(settings)
    if sandbox_settings is None:
        return None, part
    from tenantry_sandbox.app import create_app

    return _server(create_app(sandbox_settings), settings.host, settings.sandbox_port), part


def seed_sandbox(settings: Settings, *, customers: int) -> int:
    """Seed the embedded sandbox the serve would run, when it has no customers yet; returns the
    rows added (0 when it had customers, runs elsewhere or is not installed)."""
    cli = optional_module("tenantry_sandbox.cli")
    sandbox_settings = _sandbox_settings(settings)
    if not settings.run_sandbox or cli is None or sandbox_settings is None:
        return 0
    rows = asyncio.run(cli.seed_sandbox(sandbox_settings, customers, if_empty=True))
    return sum(rows.values()) if rows else 0


async def _demo_logins(settings: Settings) -> list[str]:
    from tenantry import demo

    database = Database(settings)
    try:
        return demo.login_lines() if await demo.loaded(database) else []
    except Exception as exc:  # the banner must not stop the server; /healthz reports the database
        log.warning("could not check for demo data", error=f"{type(exc).__name__}: {exc}")
        return []
    finally:
        await database.dispose()


def banner(settings: Settings, parts: Sequence[Part], logins: Sequence[str]) -> str:
    url = f"http://{settings.host}:{settings.port}"
    lines = [
        f"Tenantry {__version__} ({settings.environment}) on {url}",
        f"  {'API docs':<9} {url}/api/docs",
        f"  {'Store':<9} {url}/store (new customers start here)",
        *(f"  {part.name:<9} {part.state}" for part in parts),
        *logins,
    ]
    return "\n".join(lines)


async def _start_in_order(servers: Sequence[_Server]) -> list[asyncio.Task[None]]:
    """Start each server once the one before it serves: the sandbox (and its mailbox) before the
    app, whose job consumer may send mail at once."""
    tasks: list[asyncio.Task[None]] = []
    for server in servers:
        task = asyncio.create_task(server.serve(sockets=server.listeners))
        tasks.append(task)
        ready = asyncio.create_task(server.ready.wait())
        await asyncio.wait([task, ready], return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
    return tasks


async def _serve_all(
    servers: Sequence[_Server],
    *,
    signals: Sequence[signal.Signals] = STOP_SIGNALS,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve until one of ``signals`` (a second one stops without waiting for open connections);
    ``on_ready`` is called once every server has started."""
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server in servers:
            # A second Ctrl+C skips waiting for open connections, as uvicorn does.
            server.force_exit = server.should_exit
            server.should_exit = True

    for sig in signals:
        loop.add_signal_handler(sig, stop)
    try:
        tasks = await _start_in_order(servers)
        if on_ready is not None and all(server.started for server in servers):
            on_ready()
        await asyncio.gather(*tasks)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


def run(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM, then stop the servers (and with them the job consumer);
    with TENANTRY_WORKERS above 1, in that many processes (:func:`tenantry.prefork.run`)."""
    from tenantry.app import create_app

    loop = event_loop(settings.event_loop)
    logins = asyncio.run(_demo_logins(settings))
    if settings.workers > 1:
        from tenantry import prefork

        prefork.run(settings, loop, logins)
        return
    app = create_app(settings)
    jobs = attach_consumer(app, settings)
    webhooks = attach_webhook_registration(app, settings)
    sandbox, sandbox_part = sandbox_server(settings)
    servers = [server for server in (sandbox, _server(app, settings.host, settings.port)) if server]
    parts = [server_part(loop, 1), jobs, sandbox_part, *([webhooks] if webhooks else [])]
    print(banner(settings, parts, logins), flush=True)
    with asyncio.Runner(loop_factory=loop.factory) as runner:
        # Once started, what is alive lives as long as the process: see the function.
        runner.run(_serve_all(servers, on_ready=freeze_long_lived_objects))
