"""`tenantry serve`: mail reaches the embedded mailbox wherever it listens; stopping is clean."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from tenantry import server
from tenantry.settings import Settings
from tests.cli.serving import free_port


def test_the_default_smtp_url_follows_the_sandbox_mailbox_port_unless_set() -> None:
    assert Settings.model_validate({}).smtp_url == "smtp://127.0.0.1:8025"
    moved = Settings.model_validate({"sandbox_smtp_port": 8165})
    assert moved.smtp_url == "smtp://127.0.0.1:8165"
    everywhere = {"host": "0.0.0.0", "sandbox_smtp_port": 8165}  # noqa: S104
    assert Settings.model_validate(everywhere).smtp_url == "smtp://127.0.0.1:8165"
    chosen = {"sandbox_smtp_port": 8165, "smtp_url": "smtp+starttls://mail.example.com:587"}
    assert Settings.model_validate(chosen).smtp_url == "smtp+starttls://mail.example.com:587"


def test_the_mailbox_port_setting_is_the_sandboxs_own_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TENANTRY_SANDBOX_SMTP_PORT", "8165")
    assert Settings().smtp_url == "smtp://127.0.0.1:8165"


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


async def test_the_mailbox_listens_before_the_apps_job_consumer_starts(tmp_path: Path) -> None:
    settings = Settings(
        environment="test",
        port=free_port(),
        sandbox_port=free_port(),
        sandbox_smtp_port=free_port(),
        sandbox_database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}",
    )
    mailbox_at_startup: list[bool] = []

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Where serve starts the job consumer, which may send a queued mail at once.
        mailbox_at_startup.append(await asyncio.to_thread(_listening, settings.sandbox_smtp_port))
        yield

    app = server._server(FastAPI(lifespan=lifespan), settings.host, settings.port)
    sandbox, _part = server.sandbox_server(settings)
    assert sandbox is not None
    serving = asyncio.create_task(server._serve_all([sandbox, app]))
    try:
        async with asyncio.timeout(60):
            await app.ready.wait()
    finally:
        for started in (app, sandbox):
            started.should_exit = True
        await serving
    assert mailbox_at_startup == [True]


async def test_a_forced_stop_still_shuts_each_app_down() -> None:
    """A second Ctrl+C skips waiting for connections, not the apps' shutdown: their lifespans
    end instead of being cancelled (and logged as CancelledError tracebacks) as the loop closes."""
    shut_down: list[str] = []

    def app_named(name: str) -> FastAPI:
        @contextlib.asynccontextmanager
        async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
            yield
            shut_down.append(name)

        return FastAPI(lifespan=lifespan)

    servers = [server._server(app_named(name), "127.0.0.1", free_port()) for name in "ab"]
    serving = asyncio.create_task(server._serve_all(servers))
    async with asyncio.timeout(60):
        await servers[-1].ready.wait()
        for started in servers:
            started.should_exit = started.force_exit = True
        await serving
    assert sorted(shut_down) == ["a", "b"]
