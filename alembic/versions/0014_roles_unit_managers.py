"""Roles: unit managers, assignment steps, login-ticket tokens (issue 23 items 2, 7, 11)

One column: ``employee_assignments.end_request_id``, the request that asks IT support to end in HSA an assignment
ended in bedboard (item 7), so that the employee's page and IT support's queue track it to done. Unit managers and
an employee's unit (item 2) use the columns that exist (``role_units.manager_user_id``,
``employees.unit_id``/``manager_user_id``); login-ticket tokens (item 11) are rows of ``api_tokens`` with the scope
``login-tickets``.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('employee_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_employee_assignments_end_request_id_provisioning_requests'),
                                    'provisioning_requests', ['end_request_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('employee_assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_employee_assignments_end_request_id_provisioning_requests'),
                                 type_='foreignkey')
        batch_op.drop_column('end_request_id')
