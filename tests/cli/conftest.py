"""Running the ``tenantry`` command in-process against the test's database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from typer.testing import CliRunner, Result

from tenantry.cli import app

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
