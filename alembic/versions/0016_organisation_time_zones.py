"""Each organisation's own time zone, inherited down the tree (issue 23 item 9)

One source of truth for an organisation's zone: ``organisations.timezone`` (accounts/zones.py says why it wins). The
zone a provisioning calendar held is moved onto its organisation where the organisation had none (where both were
set and differed, the calendar's wins: it is the one the deadlines were computed in), then the calendar's column is
dropped. Downgrading puts the column back filled with the organisation's zone (UTC where it had none, which is what
the deadlines used for an organisation without any zone).

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE organisations SET timezone = (SELECT c.timezone FROM provisioning_calendars c "
        "WHERE c.organisation_id = organisations.id) "
        "WHERE id IN (SELECT organisation_id FROM provisioning_calendars)")
    with op.batch_alter_table('provisioning_calendars') as batch:
        batch.drop_column('timezone')


def downgrade() -> None:
    with op.batch_alter_table('provisioning_calendars') as batch:
        batch.add_column(sa.Column('timezone', sa.String(length=60), nullable=False, server_default='UTC'))
    op.execute(
        "UPDATE provisioning_calendars SET timezone = (SELECT o.timezone FROM organisations o "
        "WHERE o.id = provisioning_calendars.organisation_id AND o.timezone IS NOT NULL) "
        "WHERE organisation_id IN (SELECT id FROM organisations WHERE timezone IS NOT NULL)")
    with op.batch_alter_table('provisioning_calendars') as batch:
        batch.alter_column('timezone', server_default=None)
