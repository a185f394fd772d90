"""audit: index events by object, for one section's history, charts and the board as it was

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_events_object", "audit_events", ["object_type", "object_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_object", table_name="audit_events")
