"""Accounts: e-mail and SMTP delivery, administrators and auditors per organisation tree (issue 23 items 3, 5)

The outbox gives a message up after its last retry: ``mail_outbox.dead_at`` marks a dead letter, which the
administrators' outbox page lists with its error and sends again on request (audited). ``users.email`` exists
since 0006; administrators and auditors per tree need no column (the tree is read from ``organisations``).

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mail_outbox") as batch:
        batch.add_column(sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox") as batch:
        batch.drop_column("dead_at")
