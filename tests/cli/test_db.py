"""`tenantry db upgrade` builds the schema; `tenantry db current` says where it is."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from tenantry import migrate
from tests.cli.conftest import Cli


def head_revision() -> str:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite:///unused.db"))
    head = script.get_current_head()
    assert head is not None
    return head


async def test_upgrade_builds_an_empty_database_to_the_newest_revision(
    cli: Cli, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"

    before = await cli("db", "current", TENANTRY_DATABASE_URL=url)
    upgraded = await cli("db", "upgrade", TENANTRY_DATABASE_URL=url)
    after = await cli("db", "current", TENANTRY_DATABASE_URL=url)
    again = await cli("db", "upgrade", TENANTRY_DATABASE_URL=url)

    assert before.exit_code == 0
    assert before.output.strip() == "empty (no migrations applied)"
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.output.strip() == f"database at {head_revision()}"
    assert after.output.strip() == head_revision()
    assert again.exit_code == 0
    assert again.output.strip() == f"database at {head_revision()}"


async def test_current_names_the_revision_of_a_migrated_database(cli: Cli) -> None:
    result = await cli("db", "current")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == head_revision()
