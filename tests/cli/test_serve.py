"""`tenantry serve`: refuses unsafe settings, and serves the app with JSON logs."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tenantry.bootstrap import find_platform
from tenantry.cli import app
from tenantry.db import Database
from tenantry.demo.data import CUSTOMERS, DUPLICATES, PLATFORM_NAME, RESELLERS
from tenantry.identity.service import issue_api_token
from tenantry.models import Role
from tenantry.server import optional_module
from tests.cli.conftest import Cli
from tests.cli.serving import Served, free_port, wait_until_healthy


def test_serve_refuses_the_development_secret_in_production() -> None:
    result = CliRunner().invoke(
        app, ["serve"], env={"TENANTRY_ENVIRONMENT": "production", "TENANTRY_SECRET_KEY": None}
    )

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("tenantry: cannot start: TENANTRY_SECRET_KEY")
    assert "outside development mode set TENANTRY_SECRET_KEY to a long random value" in (
        result.stderr
    )
    assert "Traceback" not in result.output


def test_serve_names_the_variable_of_an_invalid_setting() -> None:
    result = CliRunner().invoke(app, ["serve"], env={"TENANTRY_PORT": "eighty"})

    assert result.exit_code == 1
    assert result.stderr.startswith("tenantry: cannot start: TENANTRY_PORT: ")


async def admin_token(database: Database) -> str:
    async with database.transaction() as session:
        platform = await find_platform(session)
        assert platform is not None
        _, secret = await issue_api_token(
            session, None, platform, role=Role.PLATFORM_ADMIN, name="cli test",
            valid_for=timedelta(hours=1),
        )  # fmt: skip
    return secret


@pytest.mark.slow
async def test_serve_answers_health_checks_lists_the_demo_and_logs_json_lines(
    cli: Cli, database: Database, start_serve: Callable[..., Served], tmp_path: Path
) -> None:
    await cli("demo", "load")
    token = await admin_token(database)
    sandbox_port = free_port()
    with_sandbox = optional_module("tenantry_sandbox.app") is not None
    served = start_serve(
        TENANTRY_RUN_SANDBOX=str(with_sandbox).lower(),
        TENANTRY_SANDBOX_PORT=str(sandbox_port),
        TENANTRY_SANDBOX_DATABASE_URL=f"sqlite:///{tmp_path / 'sandbox.db'}",
    )

    health = wait_until_healthy(served)
    if with_sandbox:
        # The sandbox is a second server in the same process, on its own port.
        wait_until_healthy(served, f"http://127.0.0.1:{sandbox_port}/_sandbox/summary")
    async with httpx.AsyncClient(base_url=served.url, timeout=10) as client:
        names: list[str] = []
        cursor: str | None = None
        while True:
            page = await client.get(
                "/api/v1/organizations",
                params={"limit": 10} | ({"cursor": cursor} if cursor else {}),
                headers={"Authorization": f"Bearer {token}", "X-Request-ID": "cli-test-listing"},
            )
            assert page.status_code == 200, page.text
            assert page.headers["X-Request-ID"] == "cli-test-listing"
            names += [item["legal_name"] for item in page.json()["items"]]
            cursor = page.json().get("next_cursor")
            if not cursor:
                break
        ping = await client.get("/api/v1/ping")
    exit_code = served.stop()

    assert health.json()["checks"]["database"] == "ok"
    assert sorted(names) == sorted(
        [PLATFORM_NAME, *(o.legal_name for o in (*RESELLERS, *CUSTOMERS, *DUPLICATES))]
    )
    assert ping.json() == {"status": "ok"}
    assert exit_code == 0
    banner = served.out.read_text()
    assert f"on {served.url}" in banner
    assert "admin@northwind.example" in banner
    if with_sandbox:
        assert f"Sandbox   http://127.0.0.1:{sandbox_port}/ " in banner

    lines = [json.loads(line) for line in served.log_lines()]
    requests = [line for line in lines if line["event"] == "request"]
    listings = [r for r in requests if r["path"] == "/api/v1/organizations"]
    assert len(listings) == 3
    assert all((r["status"], r["request_id"]) == (200, "cli-test-listing") for r in listings)
    assert all(len(r["request_id"]) >= 8 for r in requests)
    events = [line["event"] for line in lines]
    assert f"Uvicorn running on {served.url} (Press CTRL+C to quit)" in events
    assert "Application shutdown complete." in events
    assert all({"level", "timestamp"} <= line.keys() for line in lines)
