"""Query plans as tests read them: SQLite's EXPLAIN QUERY PLAN details, or PostgreSQL's plan nodes
with the relation each reads, the rows it is expected to give and whether it runs once for every
row of an outer side (the inner side of a nested loop)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tenantry.db import Database


@dataclass(frozen=True)
class Step:
    what: str
    rows: int
    per_outer_row: bool = False

    def __str__(self) -> str:
        again = ", for each outer row" if self.per_outer_row else ""
        return f"{self.what} ({self.rows} rows{again})"


async def plan_of(database: Database, query: sa.Select[Any]) -> tuple[str, list[Step]]:
    """The dialect and the steps of ``query``'s plan, with its values bound in."""
    dialect = database.engine.dialect
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    async with database.engine.connect() as connection:
        if dialect.name == "sqlite":
            # id, parent, notused, detail (SQLAlchemy's CursorResult[Any] reads as one column)
            rows: sa.CursorResult[int, int, int, str] = await connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {sql}"
            )
            return "sqlite", [Step(row[3], 0) for row in rows]
        found = (await connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}")).scalar_one()
    plan = json.loads(found) if isinstance(found, str) else found
    return "postgresql", list(_nodes(plan[0]["Plan"], per_outer_row=False))


def _nodes(node: dict[str, Any], *, per_outer_row: bool) -> Iterator[Step]:
    what = f"{node['Node Type']} {node.get('Relation Name', '')}".strip()
    yield Step(what, node["Plan Rows"], per_outer_row)
    for child in node.get("Plans", []):
        inner = node["Node Type"] == "Nested Loop" and child.get("Parent Relationship") == "Inner"
        yield from _nodes(child, per_outer_row=per_outer_row or inner)
