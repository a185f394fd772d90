"""Hospital locations (issue 22, the map and "Nearest free bed")

``hospitals.latitude`` and ``hospitals.longitude``: WGS 84 degrees, optional (the nomenclature's file may give
them; a hospital without them is left off the map). A check constraint keeps them both set or both empty, the
latitude from -90 to 90 and the longitude from -180 to 180. Existing hospitals get none (the demo sets its own).

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCATION_CHECK = ("(latitude IS NULL AND longitude IS NULL) OR "
                  "(latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)")


def upgrade() -> None:
    with op.batch_alter_table('hospitals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.create_check_constraint('location_range', LOCATION_CHECK)


def downgrade() -> None:
    with op.batch_alter_table('hospitals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_hospitals_location_range'), type_='check')
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
