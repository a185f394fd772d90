"""Each organisation's own time zone, inherited down the tree (issue 23 item 9)

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
