"""docs/configuration.md lists every setting with its real default, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings

from tenantry.server import optional_module
from tenantry.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
ROW = re.compile(r"^\| `(TENANTRY_[A-Z0-9_]+)` \| (.+?) \| (.+) \|$")


def documented() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in DOC.read_text().splitlines():
        if match := ROW.match(line):
            name, default, description = match.groups()
            assert name not in rows, f"{name} is documented twice"
            assert description.strip(), f"{name} has no description"
            rows[name] = default
    return rows


def render(value: Any) -> str:
    if value is None:
        return "(none)"
    if value in ("", []):
        return "(empty)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def expected_rows(model: type[BaseSettings]) -> dict[str, str]:
    """The table rows the model calls for: variable name -> default as the doc shows it."""
    prefix = model.model_config.get("env_prefix", "")
    return {
        f"{prefix}{name}".upper(): render(field.get_default(call_default_factory=True))
        for name, field in model.model_fields.items()
    }


def sandbox_settings() -> type[BaseSettings] | None:
    module = optional_module("tenantry_sandbox.settings")
    return None if module is None else module.SandboxSettings


def assert_documented(model: type[BaseSettings]) -> None:
    rows = documented()
    for name, default in expected_rows(model).items():
        row = f"| `{name}` | {default} | ... |"
        assert name in rows, f"{name} is missing from docs/configuration.md; add {row}"
        assert rows[name] == default, f"{name}: the doc says {rows[name]}, the code {default}"


def test_every_setting_is_documented_with_its_default() -> None:
    assert_documented(Settings)


def test_every_sandbox_setting_is_documented_with_its_default() -> None:
    model = sandbox_settings()
    if model is None:
        pytest.skip("tenantry_sandbox is not installed")
    assert_documented(model)


def test_the_doc_lists_no_setting_that_does_not_exist() -> None:
    known = set(expected_rows(Settings))
    model = sandbox_settings()
    if model is not None:
        known |= set(expected_rows(model))
    stale = set(documented()) - known
    if model is None:
        stale = {name for name in stale if not name.startswith("TENANTRY_SANDBOX_")}
    assert not stale, f"documented but not read by the code: {sorted(stale)}"
