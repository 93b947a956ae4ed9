"""Running a benchmark of bench/ end to end from a test. They seed databases and sandboxes and
take minutes on a shared two-core machine, so they run only when TENANTRY_RUN_BENCH=1, never in
`make test`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

ONLY_WHEN_ASKED = [
    pytest.mark.bench,
    pytest.mark.skipif(
        os.environ.get("TENANTRY_RUN_BENCH") != "1", reason="set TENANTRY_RUN_BENCH=1 to run"
    ),
]


def run_bench(
    script: str, *arguments: str, timeout: int, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``bench/<script>`` with ``arguments``, from the repository's root, its output captured."""
    return subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *arguments],
        capture_output=True, text=True, timeout=timeout, cwd=REPO,
        env=None if env is None else os.environ | dict(env),
    )  # fmt: skip
