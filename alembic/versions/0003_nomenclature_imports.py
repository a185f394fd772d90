"""nomenclature imports: uploaded files waiting for the admin's confirmation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nomenclature_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("diff_sha256", sa.String(length=64), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomenclature_imports")),
    )
    with op.batch_alter_table("nomenclature_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nomenclature_imports_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_nomenclature_imports_uploaded_at"), ["uploaded_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nomenclature_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomenclature_imports_uploaded_at"))
        batch_op.drop_index(batch_op.f("ix_nomenclature_imports_status"))

    op.drop_table("nomenclature_imports")
