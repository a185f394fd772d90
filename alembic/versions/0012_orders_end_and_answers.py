"""IT orders: leavers, lead times and validated answers (issue 23 items 1, 6, 8)

One table: ``order_task_waivers``, a removal task of a person order proposed as not applicable and the IT-order
administrator's decision on it (item 1). Lead times (item 6) and the answers' rules (item 8) need no schema: they
are read from the catalogue and the orders already stored.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('order_task_waivers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_order_task_waivers_decided_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_order_task_waivers_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['provisioning_requests.id'],
        name=op.f('fk_order_task_waivers_request_id_provisioning_requests')),
    sa.ForeignKeyConstraint(['task_id'], ['provisioning_tasks.id'],
        name=op.f('fk_order_task_waivers_task_id_provisioning_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_task_waivers'))
    )
    with op.batch_alter_table('order_task_waivers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_task_waivers_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_task_waivers_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_task_waivers_task_id'), ['task_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('order_task_waivers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_task_waivers_task_id'))
        batch_op.drop_index(batch_op.f('ix_order_task_waivers_state'))
        batch_op.drop_index(batch_op.f('ix_order_task_waivers_request_id'))
    op.drop_table('order_task_waivers')
