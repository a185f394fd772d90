"""Each section type's required update interval (issue 21, update intervals)

``section_types.update_interval_hours``: how many hours a section of the type may go without a change or a
confirmation before it is overdue. Existing types get 24, the seed's rule (the screens flagged a number older
than 24 hours before this revision, so nothing changes until an installation sets, e.g., 8 for intensive care).
Kept between 1 and 168 hours by a check constraint.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('section_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('update_interval_hours', sa.Integer(), nullable=False, server_default='24'))
        batch_op.create_check_constraint(
            'update_interval_hours_range', 'update_interval_hours BETWEEN 1 AND 168')


def downgrade() -> None:
    with op.batch_alter_table('section_types', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_section_types_update_interval_hours_range'), type_='check')
        batch_op.drop_column('update_interval_hours')
