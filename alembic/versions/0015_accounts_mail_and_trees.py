"""Accounts: e-mail and SMTP delivery, administrators and auditors per organisation tree (issue 23 items 3, 5)

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
