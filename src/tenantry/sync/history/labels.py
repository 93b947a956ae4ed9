"""How the pages name runs: what asked for them, their scope, status and duration."""

from __future__ import annotations

from tenantry.models import OrganizationSource, SyncRun, SyncRunStatus, SyncScope, SyncTrigger

TRIGGERS = {
    SyncTrigger.SCHEDULE: "Scheduled",
    SyncTrigger.MANUAL: "Sync now",
    SyncTrigger.WEBHOOK: "Partner Center webhook",
    SyncTrigger.AUDIT: "Partner Center audit records",
    SyncTrigger.START: "First sync at start",
}
SCOPES = {
    SyncScope.PLATFORM: "Whole platform",
    SyncScope.RESELLER: "One reseller",
    SyncScope.ORGANIZATION: "One customer",
}
STATUSES = {
    SyncRunStatus.QUEUED: "Queued",
    SyncRunStatus.RUNNING: "Running",
    SyncRunStatus.SUCCEEDED: "Succeeded",
    SyncRunStatus.PARTIAL: "Finished with errors",
    SyncRunStatus.FAILED: "Failed",
}
SOURCES = {
    OrganizationSource.TENANTRY: "Made in Tenantry",
    OrganizationSource.PARTNER_CENTER: "Created from Partner Center by the sync",
}
ACTIONS = {
    "created": "Created from Partner Center",
    "updated": "Updated from Partner Center",
    "linked": "Linked to its Partner Center customer",
    "bill_to_taken": "Partner Center's bill-to taken",
    "merged": "Merged",
}
COUNTS = ("created", "updated", "unchanged", "matched", "merged", "failed")


def duration(run: SyncRun) -> str:
    """``4.2 s``, ``3 min 5 s``; empty while the run has not finished."""
    if run.started_at is None or run.finished_at is None:
        return ""
    seconds = max((run.finished_at - run.started_at).total_seconds(), 0.0)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def action(name: str) -> str:
    return ACTIONS.get(name, name.replace("_", " ").capitalize())


def context() -> dict[str, object]:
    """What every sync template uses to name things."""
    return {
        "trigger_labels": TRIGGERS,
        "scope_labels": SCOPES,
        "run_status_labels": STATUSES,
        "source_labels": SOURCES,
        "action_label": action,
        "duration": duration,
        "counts": COUNTS,
    }
