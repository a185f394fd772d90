"""IT orders: fulfilling groups and their queues, the handover model (issue 23 items 4, 10): the members of each
organisation's fulfilling groups, who holds which task, the receiving organisation of a handover, a care provider's
main-contractor changes, and the IT fulfiller role

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FULFILLER_ROLES = (("it_fulfiller", "IT fulfiller (member of a fulfilling group: works the order tasks queued to it)"),)


def upgrade() -> None:
    op.create_table('order_group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('group_key', sa.String(length=60), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
        name=op.f('fk_order_group_members_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_order_group_members_user_id_users')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_order_group_members_added_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_group_members')),
    sa.UniqueConstraint('organisation_id', 'group_key', 'user_id',
                        name=op.f('uq_order_group_members_organisation_id'))
    )
    with op.batch_alter_table('order_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_group_members_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_group_members_user_id'), ['user_id'], unique=False)

    op.create_table('order_task_holders',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('group_key', sa.String(length=60), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['provisioning_tasks.id'],
        name=op.f('fk_order_task_holders_task_id_provisioning_tasks')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_order_task_holders_user_id_users')),
    sa.PrimaryKeyConstraint('task_id', name=op.f('pk_order_task_holders'))
    )
    with op.batch_alter_table('order_task_holders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_task_holders_user_id'), ['user_id'], unique=False)

    op.create_table('order_contractor_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('from_organisation_id', sa.Integer(), nullable=True),
    sa.Column('to_organisation_id', sa.Integer(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
        name=op.f('fk_order_contractor_changes_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['from_organisation_id'], ['organisations.id'],
        name=op.f('fk_order_contractor_changes_from_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['to_organisation_id'], ['organisations.id'],
        name=op.f('fk_order_contractor_changes_to_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
        name=op.f('fk_order_contractor_changes_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_contractor_changes'))
    )
    with op.batch_alter_table('order_contractor_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_contractor_changes_organisation_id'), ['organisation_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_order_contractor_changes_effective_date'), ['effective_date'],
                              unique=False)

    with op.batch_alter_table('it_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receiving_organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_it_orders_receiving_organisation_id'), ['receiving_organisation_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_it_orders_receiving_organisation_id_organisations'),
                                    'organisations', ['receiving_organisation_id'], ['id'])

    roles = sa.table("roles", sa.column("code", sa.String), sa.column("name", sa.String))
    op.bulk_insert(roles, [{"code": code, "name": name} for code, name in FULFILLER_ROLES])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM user_roles WHERE role_code = 'it_fulfiller'"))
    op.execute(sa.text("DELETE FROM roles WHERE code = 'it_fulfiller'"))
    with op.batch_alter_table('it_orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_it_orders_receiving_organisation_id_organisations'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_it_orders_receiving_organisation_id'))
        batch_op.drop_column('receiving_organisation_id')
    with op.batch_alter_table('order_contractor_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_contractor_changes_effective_date'))
        batch_op.drop_index(batch_op.f('ix_order_contractor_changes_organisation_id'))
    op.drop_table('order_contractor_changes')
    with op.batch_alter_table('order_task_holders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_task_holders_user_id'))
    op.drop_table('order_task_holders')
    with op.batch_alter_table('order_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_group_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_order_group_members_organisation_id'))
    op.drop_table('order_group_members')
