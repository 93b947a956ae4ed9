"""merge: organizations.name_key, the legal name reduced for matching (models.name_key), with an
index per platform, filled in for the organizations there are; an index of registration numbers
per platform (a Partner Center customer's is looked up by it)

Revision ID: 0010_merge
Revises: 0009_event_platform
Create Date: 2026-12-06 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tenantry.models.name_key import company_name_key

revision: str = "0010_merge"
down_revision: str | None = "0009_event_platform"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table copy on SQLite: other tables point at this one).
    op.add_column("organizations", sa.Column("name_key", sa.String(length=200), nullable=True))
    op.create_index(
        "ix_organizations_platform_name_key", "organizations", ["platform_id", "name_key"]
    )
    op.create_index(
        "ix_organizations_platform_registration_number",
        "organizations",
        ["platform_id", "registration_number"],
    )
    organizations = sa.table(
        "organizations",
        sa.column("id", sa.Uuid()),
        sa.column("legal_name", sa.String()),
        sa.column("name_key", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(organizations.c.id, organizations.c.legal_name)).all()
    for organization_id, legal_name in rows:
        connection.execute(
            organizations.update()
            .where(organizations.c.id == organization_id)
            .values(name_key=company_name_key(legal_name))
        )


def downgrade() -> None:
    op.drop_index("ix_organizations_platform_registration_number", table_name="organizations")
    op.drop_index("ix_organizations_platform_name_key", table_name="organizations")
    op.drop_column("organizations", "name_key")
