"""Background jobs: outbox rows written in the caller's transaction, run by huey consumers.

Services write work with :func:`tenantry.jobs.outbox.enqueue`; domain packages declare what runs
for each kind in their ``tasks.py`` with :func:`handler` and scheduled jobs with :func:`periodic`.
docs/jobs.md describes the flow, the guarantees and how to run workers.

The names below are imported on first use, so ``tenantry.jobs.cli`` (the ``tenantry worker``
command) loads without huey and SQLAlchemy until the command runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from huey import crontab

    from tenantry.jobs import outbox
    from tenantry.jobs.outbox import enqueue
    from tenantry.jobs.registry import handler, periodic
    from tenantry.jobs.runner import PermanentFailure

__all__ = ["PermanentFailure", "crontab", "enqueue", "handler", "outbox", "periodic"]

_WHERE = {
    "PermanentFailure": "tenantry.jobs.runner",
    "crontab": "huey",
    "enqueue": "tenantry.jobs.outbox",
    "handler": "tenantry.jobs.registry",
    "periodic": "tenantry.jobs.registry",
}


def __getattr__(name: str) -> Any:
    if name == "outbox":
        return importlib.import_module("tenantry.jobs.outbox")
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'tenantry.jobs' has no attribute {name!r}")
