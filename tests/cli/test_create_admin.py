"""`tenantry create-admin` makes the first platform admin, who can then sign in."""

from __future__ import annotations

import sqlalchemy as sa

from tenantry.db import Database
from tenantry.identity.passwords.hashing import verify_password
from tenantry.models import AuditEvent, Membership, Organization, PlatformModel, Role, User
from tenantry.models import OrganizationKind as Kind
from tests.cli.conftest import Cli

PASSWORD = "a correct horse battery"


async def count(database: Database, model: type[object]) -> int:
    async with database.transaction(write=False) as session:
        return (await session.execute(sa.select(sa.func.count()).select_from(model))).scalar_one()


async def test_first_admin_creates_the_platform_owner_and_can_sign_in(
    cli: Cli, database: Database
) -> None:
    result = await cli(
        "create-admin", "--email", "Olivia@Example.com", "--name", "Olivia Owner",
        "--platform-name", "Contoso Distribution Ltd", "--platform-model", "direct_csp",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "created platform admin olivia@example.com of Contoso Distribution Ltd" in result.output
    assert PASSWORD not in result.output
    async with database.transaction(write=False) as session:
        user = (await session.execute(sa.select(User))).scalar_one()
        platform = (await session.execute(sa.select(Organization))).scalar_one()
        membership = (await session.execute(sa.select(Membership))).scalar_one()
        events = (await session.execute(sa.select(AuditEvent))).scalars().all()
    assert user.email == "olivia@example.com"
    assert user.full_name == "Olivia Owner"
    assert verify_password(user.password_hash, PASSWORD)
    assert not verify_password(user.password_hash, "a wrong password")
    assert (platform.kind, platform.legal_name) == (Kind.PLATFORM, "Contoso Distribution Ltd")
    assert platform.platform_model is PlatformModel.DIRECT_CSP
    assert (membership.organization_id, membership.role) == (platform.id, Role.PLATFORM_ADMIN)
    added = next(e for e in events if e.action == "membership.added")
    assert added.actor_label == "command line (tenantry create-admin)"
    assert added.changes["after"] == {"email": "olivia@example.com", "role": "platform_admin"}


async def test_a_second_admin_joins_the_existing_platform(cli: Cli, database: Database) -> None:
    first = ("--email", "one@example.com", "--name", "One", "--platform-name", "Platform A")
    await cli("create-admin", *first, "--password", PASSWORD)

    second = await cli(
        "create-admin", "--email", "two@example.com", "--name", "Two", "--password", PASSWORD
    )

    assert second.exit_code == 0, second.output
    assert "of Platform A" in second.output
    assert await count(database, Organization) == 1
    assert await count(database, Membership) == 2


async def test_repeating_the_command_changes_nothing(cli: Cli, database: Database) -> None:
    args = ("--email", "one@example.com", "--name", "One", "--platform-name", "Platform A")
    await cli("create-admin", *args, "--password", PASSWORD)
    events = await count(database, AuditEvent)

    again = await cli("create-admin", *args, "--password", "another long password")

    assert again.exit_code == 0, again.output
    assert "one@example.com is a platform admin already; nothing changed" in again.output
    assert await count(database, User) == 1
    assert await count(database, AuditEvent) == events
    async with database.transaction(write=False) as session:
        user = (await session.execute(sa.select(User))).scalar_one()
    assert verify_password(user.password_hash, PASSWORD)


async def test_an_email_that_belongs_to_someone_else_is_refused(
    cli: Cli, database: Database
) -> None:
    await cli("demo", "load")
    users = await count(database, User)

    result = await cli(
        "create-admin", "--email", "admin@fabrikam.example", "--name", "Mallory",
        "--password", PASSWORD,
    )  # fmt: skip

    assert result.exit_code == 1
    assert (
        "an account with the email admin@fabrikam.example exists already and is not a platform "
        "admin of Northwind Distribution A/S"
    ) in result.output
    assert await count(database, User) == users


async def test_without_a_platform_the_platform_name_is_required(
    cli: Cli, database: Database
) -> None:
    result = await cli(
        "create-admin", "--email", "a@example.com", "--name", "A", "--password", PASSWORD
    )

    assert result.exit_code == 1
    assert "--platform-name: there is no platform owner yet" in result.output
    assert await count(database, Organization) == 0


async def test_bad_input_is_refused_before_anything_is_written(
    cli: Cli, database: Database
) -> None:
    base = ("--name", "A", "--platform-name", "P")
    short = await cli("create-admin", "--email", "a@example.com", *base, "--password", "short")
    bad_email = await cli("create-admin", "--email", "not-an-email", *base, "--password", PASSWORD)
    mismatch = await cli(
        "create-admin", "--email", "a@example.com", *base, input=f"{PASSWORD}\nsomething else\n"
    )

    assert short.exit_code == 1
    assert "--password: use at least 12 characters" in short.output
    assert bad_email.exit_code == 1
    assert "--email:" in bad_email.output
    assert mismatch.exit_code != 0
    assert "do not match" in mismatch.output
    assert await count(database, User) == 0
