"""The lower layers know no domain: the page machinery (``web/``), the shared dependencies, the
permission and scope checks, the database and the jobs are used by the domain packages and
import none of them (DESIGN: layers point one way)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).parents[1] / "src" / "tenantry"
DOMAINS = frozenset(
    {"organizations", "identity", "registration", "orders", "notifications", "audit", "demo"}
)
LOWER_LAYERS = (
    "web",
    "jobs",
    "deps.py",
    "security.py",
    "db.py",
    "errors.py",
    "problems.py",
    "pagination.py",
    "idempotency.py",
)


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("layer", LOWER_LAYERS)
def test_a_lower_layer_imports_no_domain_package(layer: str) -> None:
    place = SOURCE / layer
    files = sorted(place.rglob("*.py")) if place.is_dir() else [place]
    offending = {
        f"{path.relative_to(SOURCE)} imports {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[:2][-1] in DOMAINS and module.startswith("tenantry.")
    }
    assert not offending, sorted(offending)
