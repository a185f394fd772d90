"""Admission status of hospitals and sections, its reasons, periods and notes (issue 21)

- ``hospitals`` and ``sections`` get their current status (``admission_status`` open | limited | closed, the reason's
  code and words, ``admission_until``, who set it and when, a version of its own, and when its setter was reminded of
  the expiry). Every existing row is open, version 1.
- ``admission_reasons``: the nomenclature's list of reasons, seeded with the ones the issue names; "other" needs
  words.
- ``admission_periods``: each stretch a hospital or section was limited or closed (the closures report and the
  history's bands read it); ``admission_notes``: requests to clarify a status and the answers.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TARGETS = ('hospitals', 'sections')
REASONS = (
    ('ct_down', 'CT out of order', 'CT defect', False),
    ('no_surgeon', 'No surgeon on call', 'Niciun chirurg de gardă', False),
    ('icu_full', 'ICU full', 'ATI plin', False),
    ('mass_casualty', 'Mass casualty', 'Victime multiple', False),
    ('staff_shortage', 'Not enough staff', 'Personal insuficient', False),
    ('technical_failure', 'Technical failure (power, oxygen, water)', 'Avarie tehnică (curent, oxigen, apă)', False),
    ('other', 'Other (say which)', 'Altul (precizați)', True),
)


def upgrade() -> None:
    for table in TARGETS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('admission_status', sa.String(length=10), nullable=False,
                                          server_default='open'))
            batch_op.add_column(sa.Column('admission_reason_code', sa.String(length=40), nullable=True))
            batch_op.add_column(sa.Column('admission_reason', sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column('admission_until', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('admission_set_by', sa.String(length=120), nullable=True))
            batch_op.add_column(sa.Column('admission_set_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('admission_version', sa.Integer(), nullable=False, server_default='1'))
            batch_op.add_column(sa.Column('admission_reminded_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_admission_until'), ['admission_until'], unique=False)
            batch_op.create_check_constraint('admission_status_known',
                                             "admission_status IN ('open', 'limited', 'closed')")
    reasons = op.create_table(
        'admission_reasons',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name_en', sa.String(length=120), nullable=False),
        sa.Column('name_ro', sa.String(length=120), nullable=False),
        sa.Column('needs_text', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_reasons')),
        sa.UniqueConstraint('code', name=op.f('uq_admission_reasons_code')),
    )
    op.bulk_insert(reasons, [{'code': code, 'name_en': name_en, 'name_ro': name_ro, 'needs_text': needs_text,
                              'position': position}
                             for position, (code, name_en, name_ro, needs_text) in enumerate(REASONS, start=1)])
    op.create_table(
        'admission_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('hospital_id', sa.Integer(), nullable=False),
        sa.Column('section_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('reason_code', sa.String(length=40), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_by', sa.String(length=120), nullable=False),
        sa.Column('until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_by', sa.String(length=120), nullable=True),
        sa.Column('ended_how', sa.String(length=10), nullable=True),
        sa.CheckConstraint("status IN ('limited', 'closed')", name=op.f('ck_admission_periods_status_not_open')),
        sa.ForeignKeyConstraint(['hospital_id'], ['hospitals.organisation_id'],
                                name=op.f('fk_admission_periods_hospital_id_hospitals')),
        sa.ForeignKeyConstraint(['section_id'], ['sections.id'], name=op.f('fk_admission_periods_section_id_sections')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_periods')),
    )
    op.create_index('ix_admission_periods_hospital_started', 'admission_periods', ['hospital_id', 'started_at'],
                    unique=False)
    op.create_index(op.f('ix_admission_periods_section_id'), 'admission_periods', ['section_id'], unique=False)
    op.create_table(
        'admission_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('author', sa.String(length=120), nullable=False),
        sa.Column('author_organisation_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.String(length=500), nullable=False),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_organisation_id'], ['organisations.id'],
                                name=op.f('fk_admission_notes_author_organisation_id_organisations')),
        sa.ForeignKeyConstraint(['period_id'], ['admission_periods.id'],
                                name=op.f('fk_admission_notes_period_id_admission_periods')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_notes')),
    )
    op.create_index(op.f('ix_admission_notes_period_id'), 'admission_notes', ['period_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_admission_notes_period_id'), table_name='admission_notes')
    op.drop_table('admission_notes')
    op.drop_index(op.f('ix_admission_periods_section_id'), table_name='admission_periods')
    op.drop_index('ix_admission_periods_hospital_started', table_name='admission_periods')
    op.drop_table('admission_periods')
    op.drop_table('admission_reasons')
    for table in TARGETS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_admission_status_known'), type_='check')
            batch_op.drop_index(batch_op.f(f'ix_{table}_admission_until'))
            for column in ('admission_reminded_at', 'admission_version', 'admission_set_at', 'admission_set_by',
                           'admission_until', 'admission_reason', 'admission_reason_code', 'admission_status'):
                batch_op.drop_column(column)
