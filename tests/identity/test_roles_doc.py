"""docs/roles.md shows the permissions the code grants, no more and no less."""

from __future__ import annotations

from pathlib import Path

from tenantry.models import Role
from tenantry.security import ROLE_PERMISSIONS, Permission

ROLES_DOC = Path(__file__).parents[2] / "docs" / "roles.md"


def table_after(heading: str) -> list[list[str]]:
    lines = ROLES_DOC.read_text(encoding="utf-8").split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return [rows[0], *rows[2:]]  # without the |---| line


def test_the_permission_table_is_the_role_permission_map() -> None:
    header, *rows = table_after("## What each role may do")
    roles = [Role(name) for name in header[1:]]
    documented = {
        role: frozenset(Permission(row[0]) for row in rows if row[1 + i] == "yes")
        for i, role in enumerate(roles)
    }

    assert set(roles) == set(Role)
    assert [Permission(row[0]) for row in rows] == list(Permission)
    assert documented == ROLE_PERMISSIONS


def test_every_permission_and_role_is_explained() -> None:
    _, *meanings = table_after("What the permissions mean:")
    _, *roles = table_after("## The roles")

    assert {Permission(row[0]) for row in meanings} == set(Permission)
    assert {Role(row[0]) for row in roles} == set(Role)
