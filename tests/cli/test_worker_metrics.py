"""The metrics directory serve sets up for its workers, in-process (the subprocess tests in
test_serve_workers.py show the sums)."""

from __future__ import annotations

import os

import pytest

from tenantry.worker_metrics import DIRECTORY_VARIABLE, shared_by_workers


def test_one_worker_keeps_its_metrics_in_memory() -> None:
    with shared_by_workers(1) as directory:
        assert directory is None
        assert DIRECTORY_VARIABLE not in os.environ


def test_several_workers_refuse_to_start_once_prometheus_client_chose_memory() -> None:
    import prometheus_client  # noqa: F401  (imported, as it is in this test process)

    with (
        pytest.raises(RuntimeError, match="metrics would stay per process"),
        shared_by_workers(2),
    ):
        pass
    assert DIRECTORY_VARIABLE not in os.environ
