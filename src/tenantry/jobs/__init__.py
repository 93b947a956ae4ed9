"""Background jobs: outbox rows written in the caller's transaction, run by huey consumers.

Services write work with :func:`tenantry.jobs.outbox.enqueue`; domain packages declare what runs
for each kind in their ``tasks.py`` with :func:`handler` and scheduled jobs with :func:`periodic`.
docs/jobs.md describes the flow, the guarantees and how to run workers.
"""

from huey import crontab

from tenantry.jobs import outbox
from tenantry.jobs.outbox import enqueue
from tenantry.jobs.registry import handler, periodic
from tenantry.jobs.runner import PermanentFailure

__all__ = ["PermanentFailure", "crontab", "enqueue", "handler", "outbox", "periodic"]
