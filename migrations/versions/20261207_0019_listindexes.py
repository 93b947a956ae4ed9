"""list indexes: a page of organizations comes from an index in (legal name, id) order, for the
platform's staff (platform_id, legal_name, id) and for a reseller's customers (parent_id,
legal_name, id); the storefront finds the platform owner by kind

Revision ID: 0019_listindexes
Revises: 0018_catalog
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019_listindexes"
down_revision: str | None = "0018_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.drop_index("ix_organizations_platform_legal_name")
        batch_op.create_index(
            "ix_organizations_platform_legal_name", ["platform_id", "legal_name", "id"]
        )
        batch_op.create_index(
            "ix_organizations_parent_legal_name", ["parent_id", "legal_name", "id"]
        )
        batch_op.create_index("ix_organizations_kind_created_at", ["kind", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.drop_index("ix_organizations_kind_created_at")
        batch_op.drop_index("ix_organizations_parent_legal_name")
        batch_op.drop_index("ix_organizations_platform_legal_name")
        batch_op.create_index("ix_organizations_platform_legal_name", ["platform_id", "legal_name"])
