"""The command line refuses the passwords the policy refuses, before writing anything."""

from __future__ import annotations

from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import User
from tests.cli.conftest import Cli, cli

__all__ = ["cli"]


async def test_create_admin_refuses_common_and_context_passwords(
    cli: Cli, database: Database
) -> None:
    base = ("--email", "ops.admin@example.com", "--name", "A", "--platform-name", "P")
    common = await cli("create-admin", *base, "--password", "Password1234!")
    mine = await cli("create-admin", *base, "--password", "OPS.ADMIN rocks forever")

    assert common.exit_code == 1
    assert "--password: this password is among the most used ones" in common.output
    assert mine.exit_code == 1
    assert "--password: do not use your email address in it" in mine.output
    async with database.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0
