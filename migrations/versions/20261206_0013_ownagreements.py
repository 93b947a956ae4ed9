"""ownagreements: the date from which a version of one of the platform's own agreements applies
(``agreement_versions.effective_on``); empty on rows from before, which applied when published

Revision ID: 0013_ownagreements
Revises: 0012_attribution
Create Date: 2026-12-06 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_ownagreements"
down_revision: str | None = "0012_attribution"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table copy on SQLite: acceptances point at this table).
    op.add_column("agreement_versions", sa.Column("effective_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agreement_versions") as batch_op:
        batch_op.drop_column("effective_on")
