"""Where a customer's subscriptions are shown: the pages link there, and so do the emails."""

from __future__ import annotations

import uuid

LIST = "/organizations/{organization_id}/subscriptions"
ONE = f"{LIST}/{{subscription_id}}"


def path_of(organization_id: uuid.UUID, row_id: uuid.UUID | None = None) -> str:
    base = LIST.format(organization_id=organization_id)
    return f"{base}/{row_id}" if row_id else base
