"""Every command says what it does."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tenantry.cli import app
from tenantry.server import optional_module

COMMANDS = {
    (): "Tenantry: onboard CSP customer organizations",
    ("serve",): "Serve the app",
    ("create-admin",): "Create a platform admin",
    ("db",): "Database schema migrations",
    ("db", "upgrade"): "Apply the migrations",
    ("db", "current"): "Print the revision",
    ("demo",): "Demo data for trying the product",
    ("demo", "load"): "Load a demo distributor",
}


@pytest.mark.parametrize(("command", "says"), COMMANDS.items(), ids=" ".join)
def test_help_says_what_the_command_does(command: tuple[str, ...], says: str) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert says in result.output


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    for name in ("serve", "create-admin", "db", "demo"):
        assert f" {name} " in result.output


def test_create_admin_help_names_its_options() -> None:
    result = CliRunner().invoke(app, ["create-admin", "--help"], terminal_width=200)
    for option in ("--email", "--name", "--password", "--platform-name", "--platform-model"):
        assert option in result.output


@pytest.mark.parametrize(
    ("command", "module"), [("worker", "tenantry.jobs.cli"), ("sandbox", "tenantry_sandbox.cli")]
)
def test_optional_commands_appear_when_their_package_is_installed(
    command: str, module: str
) -> None:
    if optional_module(module) is None:
        result = CliRunner().invoke(app, [command, "--help"])
        assert result.exit_code != 0
        pytest.skip(f"{module} is not installed, so `tenantry {command}` is absent")
    result = CliRunner().invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_help_starts_without_the_app_the_database_layer_or_the_sandbox() -> None:
    """`tenantry --help` loads only the command line: each command imports its own needs."""
    import json
    import subprocess
    import sys

    script = (
        "import json, sys\n"
        "from tenantry.cli import app\n"
        "sys.argv = ['tenantry', '--help']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "serve" in done.stdout
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    heavy = ("fastapi", "sqlalchemy", "huey", "pydantic", "uvicorn", "alembic", "rich")
    assert [name for name in loaded if name.split(".")[0] in heavy] == []
    sandbox = [name for name in loaded if name.startswith("tenantry_sandbox.")]
    assert sandbox == ["tenantry_sandbox.cli"]  # its commands, not the sandbox itself
