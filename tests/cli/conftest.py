"""Running the ``tenantry`` command in-process, or `tenantry serve` as a process, against the
test's database."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tenantry.cli import app
from tests.cli.serving import TENANTRY, Served, free_port

Cli = Callable[..., Awaitable[Result]]


@pytest.fixture
def cli(database_url: str) -> Cli:
    """``await cli("demo", "load")`` runs the command on the test's database.

    Commands run their own event loop (``asyncio.run``), so they run in a thread of their own.
    """
    runner = CliRunner()

    async def invoke(*args: str, input: str | None = None, **env: str) -> Result:
        environment = {"TENANTRY_DATABASE_URL": database_url, "TENANTRY_ENVIRONMENT": "test"}
        return await asyncio.to_thread(
            lambda: runner.invoke(app, list(args), input=input, env=environment | env)
        )

    return invoke


@pytest.fixture
def start_serve(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """``start_serve("--workers", "2", TENANTRY_X="y")`` starts `tenantry serve` in a process
    of its own on a free port; it is stopped (killed, with any process left behind) after the
    test."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(*args: str, **extra_env: str) -> Served:
        port = free_port()
        env = (
            os.environ
            | {
                "TENANTRY_DATABASE_URL": database_url,
                "TENANTRY_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
                "TENANTRY_PORT": str(port),
                "TENANTRY_RUN_SANDBOX": "false",
                "TENANTRY_LOG_JSON": "true",
                "TENANTRY_LOG_LEVEL": "INFO",
            }
            | extra_env
        )
        logs, out = tmp_path / "stderr.log", tmp_path / "stdout.log"
        with logs.open("wb") as err_file, out.open("wb") as out_file:
            process = subprocess.Popen(
                [str(TENANTRY), "serve", *args], env=env, stdout=out_file, stderr=err_file
            )
        processes.append(process)
        return Served(process, f"http://127.0.0.1:{port}", logs, out)

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
