"""roles module (seed 001): units with HSA-ids, employees, assignments, role catalogues and versions

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE_MODULE_ROLES = (
    ("manager", "Manager (nearest manager of employees)"),
    ("it_support", "IT support"),
    ("catalogue_steward", "Catalogue steward (e-health developer)"),
    ("catalogue_contact", "Care area contact person"),
    ("head_of_operations", "Head of operations"),
    ("employee", "Employee (sees their own login tickets)"),
)


def upgrade() -> None:
    op.create_table('role_catalogues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('care_area_id', sa.Integer(), nullable=False),
    sa.Column('approver_care_area_id', sa.Integer(), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approver_care_area_id'], ['organisations.id'],
        name=op.f('fk_role_catalogues_approver_care_area_id_organisations')),
    sa.ForeignKeyConstraint(['care_area_id'], ['organisations.id'],
        name=op.f('fk_role_catalogues_care_area_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_catalogues')),
    sa.UniqueConstraint('care_area_id', name=op.f('uq_role_catalogues_care_area_id'))
    )
    op.create_table('employees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('personal_number', sa.String(length=13), nullable=True),
    sa.Column('hsa_person_id', sa.String(length=31), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('manager_user_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['manager_user_id'], ['users.id'], name=op.f('fk_employees_manager_user_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['organisations.id'], name=op.f('fk_employees_unit_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_employees_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employees')),
    sa.UniqueConstraint('hsa_person_id', name=op.f('uq_employees_hsa_person_id')),
    sa.UniqueConstraint('personal_number', name=op.f('uq_employees_personal_number')),
    sa.UniqueConstraint('user_id', name=op.f('uq_employees_user_id'))
    )
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employees_unit_id'), ['unit_id'], unique=False)

    op.create_table('role_catalogue_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalogue_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['catalogue_id'], ['role_catalogues.id'],
        name=op.f('fk_role_catalogue_versions_catalogue_id_role_catalogues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_catalogue_versions')),
    sa.UniqueConstraint('catalogue_id', 'number', name=op.f('uq_role_catalogue_versions_catalogue_id'))
    )
    with op.batch_alter_table('role_catalogue_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_catalogue_versions_catalogue_id'), ['catalogue_id'], unique=False)

    op.create_table('role_units',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('hsa_id', sa.String(length=31), nullable=False),
    sa.Column('manager_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['manager_user_id'], ['users.id'], name=op.f('fk_role_units_manager_user_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
        name=op.f('fk_role_units_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_role_units')),
    sa.UniqueConstraint('hsa_id', name=op.f('uq_role_units_hsa_id'))
    )
    op.create_table('competence_roles_held',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('catalogue_id', sa.Integer(), nullable=False),
    sa.Column('role_key', sa.String(length=400), nullable=False),
    sa.Column('assigned_by', sa.String(length=120), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_by', sa.String(length=120), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['catalogue_id'], ['role_catalogues.id'],
        name=op.f('fk_competence_roles_held_catalogue_id_role_catalogues')),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'],
        name=op.f('fk_competence_roles_held_employee_id_employees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competence_roles_held'))
    )
    with op.batch_alter_table('competence_roles_held', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competence_roles_held_employee_id'), ['employee_id'], unique=False)

    op.create_table('employee_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('care_area_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('systems', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['care_area_id'], ['organisations.id'],
        name=op.f('fk_employee_assignments_care_area_id_organisations')),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'],
        name=op.f('fk_employee_assignments_employee_id_employees')),
    sa.ForeignKeyConstraint(['request_id'], ['provisioning_requests.id'],
        name=op.f('fk_employee_assignments_request_id_provisioning_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employee_assignments'))
    )
    with op.batch_alter_table('employee_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_assignments_care_area_id'), ['care_area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_assignments_employee_id'), ['employee_id'], unique=False)

    op.create_table('role_catalogue_changes',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('catalogue_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('operations', sa.JSON(), nullable=False),
    sa.Column('applied_version', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['catalogue_id'], ['role_catalogues.id'],
        name=op.f('fk_role_catalogue_changes_catalogue_id_role_catalogues')),
    sa.ForeignKeyConstraint(['request_id'], ['provisioning_requests.id'],
        name=op.f('fk_role_catalogue_changes_request_id_provisioning_requests')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_role_catalogue_changes'))
    )
    with op.batch_alter_table('role_catalogue_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_catalogue_changes_catalogue_id'), ['catalogue_id'], unique=False)

    op.create_table('employee_assignment_units',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['employee_assignments.id'],
        name=op.f('fk_employee_assignment_units_assignment_id_employee_assignments')),
    sa.ForeignKeyConstraint(['unit_id'], ['organisations.id'],
        name=op.f('fk_employee_assignment_units_unit_id_organisations')),
    sa.PrimaryKeyConstraint('assignment_id', 'unit_id', name=op.f('pk_employee_assignment_units'))
    )
    roles = sa.table("roles", sa.column("code", sa.String), sa.column("name", sa.String))
    op.bulk_insert(roles, [{"code": code, "name": name} for code, name in ROLE_MODULE_ROLES])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM roles WHERE code IN ('manager', 'it_support', 'catalogue_steward', "
                       "'catalogue_contact', 'head_of_operations', 'employee')"))
    op.drop_table('employee_assignment_units')
    with op.batch_alter_table('role_catalogue_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_catalogue_changes_catalogue_id'))

    op.drop_table('role_catalogue_changes')
    with op.batch_alter_table('employee_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employee_assignments_employee_id'))
        batch_op.drop_index(batch_op.f('ix_employee_assignments_care_area_id'))

    op.drop_table('employee_assignments')
    with op.batch_alter_table('competence_roles_held', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competence_roles_held_employee_id'))

    op.drop_table('competence_roles_held')
    op.drop_table('role_units')
    with op.batch_alter_table('role_catalogue_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_catalogue_versions_catalogue_id'))

    op.drop_table('role_catalogue_versions')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employees_unit_id'))

    op.drop_table('employees')
    op.drop_table('role_catalogues')
