"""provisioning: requests, tasks, calendars, notifications, job leases; licences; users.email; API token scopes

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LICENSE_ROLES = (
    ("referent", "Referent (commune or establishment)"),
    ("license_officer", "Licence officer (digital-health unit)"),
    ("helpdesk", "Help desk"),
)


def upgrade() -> None:
    op.create_table('job_runs',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('leased_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('leased_by', sa.String(length=80), nullable=True),
    sa.Column('last_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_outcome', sa.String(length=300), nullable=True),
    sa.Column('marker', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_runs'))
    )
    op.create_table('license_pools',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
        name=op.f('fk_license_pools_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_license_pools'))
    )
    op.create_table('provisioning_calendars',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('subdivision', sa.String(length=10), nullable=True),
    sa.Column('timezone', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
        name=op.f('fk_provisioning_calendars_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_provisioning_calendars'))
    )
    op.create_table('provisioning_closure_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
        name=op.f('fk_provisioning_closure_days_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provisioning_closure_days')),
    sa.UniqueConstraint('organisation_id', 'day', name=op.f('uq_provisioning_closure_days_organisation_id'))
    )
    with op.batch_alter_table('provisioning_closure_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provisioning_closure_days_organisation_id'), ['organisation_id'],
                              unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('provisioning_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
        name=op.f('fk_provisioning_requests_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_provisioning_requests_requester_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provisioning_requests'))
    )
    with op.batch_alter_table('provisioning_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provisioning_requests_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_provisioning_requests_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provisioning_requests_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index('ix_provisioning_requests_state_due', ['state', 'due_at'], unique=False)

    op.create_table('licenses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('run', sa.String(length=12), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('gender', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deactivation_reason', sa.String(length=20), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
        name=op.f('fk_licenses_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['request_id'], ['provisioning_requests.id'],
        name=op.f('fk_licenses_request_id_provisioning_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licenses'))
    )
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licenses_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_licenses_run'), ['run'], unique=False)
        batch_op.create_index('uq_licenses_active_run', ['run'],
            unique=True, sqlite_where=sa.text("state = 'active'"), postgresql_where=sa.text("state = 'active'"))

    op.create_table('provisioning_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('target_system', sa.String(length=60), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('assignee_role', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('external_reference', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['provisioning_requests.id'],
        name=op.f('fk_provisioning_tasks_request_id_provisioning_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provisioning_tasks')),
    sa.UniqueConstraint('request_id', 'key', name=op.f('uq_provisioning_tasks_request_id'))
    )
    with op.batch_alter_table('provisioning_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provisioning_tasks_request_id'), ['request_id'], unique=False)

    op.create_table('license_request_collaborators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('run', sa.String(length=12), nullable=False),
    sa.Column('gender', sa.String(length=10), nullable=False),
    sa.Column('license_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['license_id'], ['licenses.id'],
        name=op.f('fk_license_request_collaborators_license_id_licenses')),
    sa.ForeignKeyConstraint(['request_id'], ['provisioning_requests.id'],
        name=op.f('fk_license_request_collaborators_request_id_provisioning_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_license_request_collaborators')),
    sa.UniqueConstraint('request_id', 'position', name=op.f('uq_license_request_collaborators_request_id'))
    )
    with op.batch_alter_table('license_request_collaborators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_license_request_collaborators_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_license_request_collaborators_run'), ['run'], unique=False)

    op.create_table('license_request_subjects',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('license_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['license_id'], ['licenses.id'],
        name=op.f('fk_license_request_subjects_license_id_licenses')),
    sa.ForeignKeyConstraint(['request_id'], ['provisioning_requests.id'],
        name=op.f('fk_license_request_subjects_request_id_provisioning_requests')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_license_request_subjects'))
    )
    with op.batch_alter_table('license_request_subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_license_request_subjects_license_id'), ['license_id'], unique=False)

    op.create_table('provisioning_task_dependencies',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('prerequisite_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['prerequisite_id'], ['provisioning_tasks.id'],
        name=op.f('fk_provisioning_task_dependencies_prerequisite_id_provisioning_tasks')),
    sa.ForeignKeyConstraint(['task_id'], ['provisioning_tasks.id'],
        name=op.f('fk_provisioning_task_dependencies_task_id_provisioning_tasks')),
    sa.PrimaryKeyConstraint('task_id', 'prerequisite_id', name=op.f('pk_provisioning_task_dependencies'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    # A token now serves one purpose: a hospital's bed feed, or a health record's licence-usage feed.
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=30), nullable=False, server_default='beds'))
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.alter_column('hospital_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_organisation_id_organisations'), 'organisations',
                                    ['organisation_id'], ['id'])
    roles = sa.table("roles", sa.column("code", sa.String), sa.column("name", sa.String))
    op.bulk_insert(roles, [{"code": code, "name": name} for code, name in LICENSE_ROLES])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM roles WHERE code IN ('referent', 'license_officer', 'helpdesk')"))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_organisation_id_organisations'), type_='foreignkey')
        batch_op.alter_column('hospital_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('organisation_id')
        batch_op.drop_column('scope')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')

    op.drop_table('provisioning_task_dependencies')
    with op.batch_alter_table('license_request_subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_license_request_subjects_license_id'))

    op.drop_table('license_request_subjects')
    with op.batch_alter_table('license_request_collaborators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_license_request_collaborators_run'))
        batch_op.drop_index(batch_op.f('ix_license_request_collaborators_request_id'))

    op.drop_table('license_request_collaborators')
    with op.batch_alter_table('provisioning_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provisioning_tasks_request_id'))

    op.drop_table('provisioning_tasks')
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.drop_index('uq_licenses_active_run')
        batch_op.drop_index(batch_op.f('ix_licenses_run'))
        batch_op.drop_index(batch_op.f('ix_licenses_organisation_id'))

    op.drop_table('licenses')
    with op.batch_alter_table('provisioning_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_provisioning_requests_state_due')
        batch_op.drop_index(batch_op.f('ix_provisioning_requests_requester_id'))
        batch_op.drop_index(batch_op.f('ix_provisioning_requests_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_provisioning_requests_kind'))

    op.drop_table('provisioning_requests')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')

    op.drop_table('notifications')
    with op.batch_alter_table('provisioning_closure_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provisioning_closure_days_organisation_id'))

    op.drop_table('provisioning_closure_days')
    op.drop_table('provisioning_calendars')
    op.drop_table('license_pools')
    op.drop_table('job_runs')
