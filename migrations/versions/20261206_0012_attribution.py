"""attribution: partner_center_accounts.attributed_run_id, the last platform run that found the
customer in an indirect reseller's list (a customer that left every reseller loses its reseller)

Revision ID: 0012_attribution
Revises: 0011_agreements
Create Date: 2026-12-06 17:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_attribution"
down_revision: str | None = "0011_agreements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "partner_center_accounts", sa.Column("attributed_run_id", sa.Uuid(), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("partner_center_accounts", "attributed_run_id")
