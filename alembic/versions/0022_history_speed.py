"""Reserved: history at database speed (issue 24). Empty until filled.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
