"""agreement refresh: an index of only the statuses the scheduled refresh asks again (missing or
unknown), in the order it asks them (checked_at, organization_id)

Revision ID: 0020_agreementrefresh
Revises: 0019_listindexes
Create Date: 2026-12-07 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_agreementrefresh"
down_revision: str | None = "0019_listindexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASKED_AGAIN = "state IN ('missing', 'unknown')"


def upgrade() -> None:
    op.create_index(
        "ix_microsoft_agreement_statuses_asked_again",
        "microsoft_agreement_statuses",
        ["checked_at", "organization_id"],
        postgresql_where=sa.text(ASKED_AGAIN),
        sqlite_where=sa.text(ASKED_AGAIN),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_microsoft_agreement_statuses_asked_again", table_name="microsoft_agreement_statuses"
    )
