"""Board preferences kept on the user's account (issue 20): the board's theme

- ``users.board_theme``: ``'light'``, ``'dark'``, or NULL to follow the computer's setting (and, on a wall
  screen, to start dark). Kept on the account rather than in one browser, so that a coordinator who logs in on
  the wall PC or at another desk gets the theme they chose (accounts/preferences.py). Existing users start with
  NULL: what they saw before unless they had pressed the toggle in that browser.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('board_theme', sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('board_theme')
