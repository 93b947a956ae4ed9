"""agreements: the Microsoft Customer Agreement's status per customer organization, the evidence of
every acceptance (never changed afterwards), resellers' requests that their distributor attest,
versions of the platform's own agreements, and which segments and organizations need the
professional-secrecy agreement

Revision ID: 0011_agreements
Revises: 0010_merge
Create Date: 2026-12-06 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_agreements"
down_revision: str | None = "0010_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement_versions",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "microsoft_customer_agreement",
                "platform_terms",
                "professional_secrecy",
                name="agreementkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_agreement_versions_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_agreement_versions_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_versions")),
        sa.UniqueConstraint(
            "platform_id",
            "kind",
            "version",
            name=op.f("uq_agreement_versions_platform_id_kind_version"),
        ),
    )
    op.create_table(
        "attestation_requests",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("reseller_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "attested",
                "declined",
                "withdrawn",
                name="attestationrequeststatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by_label", sa.String(length=300), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("date_agreed", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_attestation_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_attestation_requests_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_attestation_requests_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_attestation_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reseller_id"],
            ["organizations.id"],
            name=op.f("fk_attestation_requests_reseller_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attestation_requests")),
    )
    with op.batch_alter_table("attestation_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attestation_requests_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_attestation_requests_platform_status", ["platform_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attestation_requests_reseller_id"), ["reseller_id"], unique=False
        )

    op.create_table(
        "agreement_acceptances",
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "microsoft_customer_agreement",
                "platform_terms",
                "professional_secrecy",
                name="agreementkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "route",
            sa.Enum(
                "customer_in_product",
                "staff_attestation",
                "direct_signed",
                "partner_center",
                name="acceptanceroute",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("template_id", sa.String(length=64), nullable=True),
        sa.Column("agreement_version_id", sa.Uuid(), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("date_agreed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_label", sa.String(length=300), nullable=False),
        sa.Column("on_behalf_of_label", sa.String(length=300), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request", sa.JSON(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("partner_center_request_id", sa.String(length=64), nullable=True),
        sa.Column("corrects_id", sa.Uuid(), nullable=True),
        sa.Column("attestation_request_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_version_id"],
            ["agreement_versions.id"],
            name=op.f("fk_agreement_acceptances_agreement_version_id_agreement_versions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["attestation_request_id"],
            ["attestation_requests.id"],
            name=op.f("fk_agreement_acceptances_attestation_request_id_attestation_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["agreement_acceptances.id"],
            name=op.f("fk_agreement_acceptances_corrects_id_agreement_acceptances"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_agreement_acceptances_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_agreement_acceptances_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_agreement_acceptances_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_acceptances")),
    )
    with op.batch_alter_table("agreement_acceptances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agreement_acceptances_org_kind",
            ["organization_id", "kind", "recorded_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_acceptances_platform_id"), ["platform_id"], unique=False
        )

    op.create_table(
        "microsoft_agreement_statuses",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("platform_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "accepted",
                "direct_signed",
                "missing",
                "unknown",
                name="microsoftagreementstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("acceptance_id", sa.Uuid(), nullable=True),
        sa.Column("date_agreed", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "route",
            sa.Enum(
                "customer_in_product",
                "staff_attestation",
                "direct_signed",
                "partner_center",
                name="acceptanceroute",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("pending_acceptance_id", sa.Uuid(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pending_acceptance_id"],
            ["agreement_acceptances.id"],
            name=op.f(
                "fk_microsoft_agreement_statuses_pending_acceptance_id_agreement_acceptances"
            ),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["acceptance_id"],
            ["agreement_acceptances.id"],
            name=op.f("fk_microsoft_agreement_statuses_acceptance_id_agreement_acceptances"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_microsoft_agreement_statuses_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["organizations.id"],
            name=op.f("fk_microsoft_agreement_statuses_platform_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_microsoft_agreement_statuses")),
    )
    with op.batch_alter_table("microsoft_agreement_statuses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_microsoft_agreement_statuses_platform_id"), ["platform_id"], unique=False
        )

    # Plain ADD COLUMNs (no table copy on SQLite: other tables point at these).
    for table in ("organizations", "segments"):
        op.add_column(
            table,
            sa.Column(
                "requires_professional_secrecy",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            ),
        )


def downgrade() -> None:
    for table in ("segments", "organizations"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("requires_professional_secrecy")

    with op.batch_alter_table("microsoft_agreement_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_microsoft_agreement_statuses_platform_id"))

    op.drop_table("microsoft_agreement_statuses")
    with op.batch_alter_table("agreement_acceptances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_acceptances_platform_id"))
        batch_op.drop_index("ix_agreement_acceptances_org_kind")

    op.drop_table("agreement_acceptances")
    with op.batch_alter_table("attestation_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attestation_requests_reseller_id"))
        batch_op.drop_index("ix_attestation_requests_platform_status")
        batch_op.drop_index(batch_op.f("ix_attestation_requests_organization_id"))

    op.drop_table("attestation_requests")
    op.drop_table("agreement_versions")
