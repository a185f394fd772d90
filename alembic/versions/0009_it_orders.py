"""IT orders (seeds 002, 004): order catalogues and their stored versions, the people orders are for, the orders;
the IT contact and IT-order administrator roles

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_MODULE_ROLES = (
    ("it_contact", "IT contact person (places IT orders)"),
    ("orders_admin", "IT-order administrator (keeps the order catalogues)"),
)


def upgrade() -> None:
    op.create_table('order_catalogues',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
        name=op.f('fk_order_catalogues_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_order_catalogues'))
    )
    with op.batch_alter_table('order_catalogues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_catalogues_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('order_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('hsa_id', sa.String(length=31), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
        name=op.f('fk_order_people_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_people')),
    sa.UniqueConstraint('organisation_id', 'hsa_id', name=op.f('uq_order_people_organisation_id'))
    )
    with op.batch_alter_table('order_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_people_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('order_catalogue_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalogue_key', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['catalogue_key'], ['order_catalogues.key'],
        name=op.f('fk_order_catalogue_versions_catalogue_key_order_catalogues')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
        name=op.f('fk_order_catalogue_versions_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_catalogue_versions')),
    sa.UniqueConstraint('catalogue_key', 'version', name=op.f('uq_order_catalogue_versions_catalogue_key'))
    )
    with op.batch_alter_table('order_catalogue_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_catalogue_versions_catalogue_key'), ['catalogue_key'], unique=False)

    op.create_table('it_orders',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('catalogue_key', sa.String(length=60), nullable=False),
    sa.Column('catalogue_version', sa.Integer(), nullable=False),
    sa.Column('event_key', sa.String(length=60), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('subject_organisation_id', sa.Integer(), nullable=True),
    sa.Column('planned_date', sa.Date(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['catalogue_key'], ['order_catalogues.key'],
        name=op.f('fk_it_orders_catalogue_key_order_catalogues')),
    sa.ForeignKeyConstraint(['person_id'], ['order_people.id'], name=op.f('fk_it_orders_person_id_order_people')),
    sa.ForeignKeyConstraint(['request_id'], ['provisioning_requests.id'],
        name=op.f('fk_it_orders_request_id_provisioning_requests')),
    sa.ForeignKeyConstraint(['subject_organisation_id'], ['organisations.id'],
        name=op.f('fk_it_orders_subject_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_it_orders'))
    )
    with op.batch_alter_table('it_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_it_orders_catalogue_key'), ['catalogue_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_it_orders_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_it_orders_planned_date'), ['planned_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_it_orders_subject_organisation_id'),
                              ['subject_organisation_id'], unique=False)

    roles = sa.table("roles", sa.column("code", sa.String), sa.column("name", sa.String))
    op.bulk_insert(roles, [{"code": code, "name": name} for code, name in ORDER_MODULE_ROLES])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM user_roles WHERE role_code IN ('it_contact', 'orders_admin')"))
    op.execute(sa.text("DELETE FROM roles WHERE code IN ('it_contact', 'orders_admin')"))
    with op.batch_alter_table('it_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_it_orders_subject_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_it_orders_planned_date'))
        batch_op.drop_index(batch_op.f('ix_it_orders_person_id'))
        batch_op.drop_index(batch_op.f('ix_it_orders_catalogue_key'))

    op.drop_table('it_orders')
    with op.batch_alter_table('order_catalogue_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_catalogue_versions_catalogue_key'))

    op.drop_table('order_catalogue_versions')
    with op.batch_alter_table('order_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_people_organisation_id'))

    op.drop_table('order_people')
    with op.batch_alter_table('order_catalogues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_catalogues_organisation_id'))

    op.drop_table('order_catalogues')
