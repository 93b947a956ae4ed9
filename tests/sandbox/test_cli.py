"""``sandbox_cli``: seed, reset, and the serve command's options."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tenantry_sandbox.cli import sandbox_cli


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "sandbox.db"
    monkeypatch.setenv("TENANTRY_SANDBOX_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    return database


def test_seed_then_reset(environment: Path) -> None:
    runner = CliRunner()
    seeded = runner.invoke(sandbox_cli, ["seed", "--customers", "25", "--seed", "3"])
    assert seeded.exit_code == 0, seeded.output
    assert "seeded 25 customers" in seeded.output
    assert environment.exists()
    reset = runner.invoke(sandbox_cli, ["reset"])
    assert reset.exit_code == 0, reset.output
    assert "sandbox reset" in reset.output


def test_seeding_if_empty_seeds_once(environment: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(sandbox_cli, ["seed", "--customers", "5", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "seeded 5 customers" in first.output
    again = runner.invoke(sandbox_cli, ["seed", "--customers", "5", "--if-empty"])
    assert again.exit_code == 0, again.output
    assert "The sandbox has customers already; nothing seeded." in again.output


def test_serve_takes_a_port() -> None:
    result = CliRunner().invoke(sandbox_cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output
