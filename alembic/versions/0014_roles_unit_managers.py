"""Roles: unit managers, assignment steps, login-ticket tokens (issue 23 items 2, 7, 11)

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
