"""Announcements of incoming patients and bed holds (issue 22, dispatch)

``announcement_categories``: the nomenclature's list of patient categories (seeded here: trauma, stroke, STEMI,
respiratory, burns, paediatric, obstetric, psychiatric, other; names in English and Romanian).
``announcements``: a coordinator's announcement of a patient to a hospital's section type (category, urgency, age
band, flags, ETA, an optional note without personal data), its state and who moved it when, with the audit
sequence numbers of its announcement and acknowledgement.
``bed_holds``: one bed held for an announcement until it expires, ends on arrival, cancellation or expiry.

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
    ("trauma", "Trauma", "Traumă"), ("stroke", "Stroke", "AVC"), ("stemi", "STEMI", "STEMI"),
    ("respiratory", "Respiratory", "Respirator"), ("burns", "Burns", "Arsuri"),
    ("paediatric", "Paediatric", "Pediatric"), ("obstetric", "Obstetric", "Obstetrical"),
    ("psychiatric", "Psychiatric", "Psihiatric"), ("other", "Other", "Altele"),
)


def upgrade() -> None:
    categories = op.create_table(
        'announcement_categories',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name_en', sa.String(length=120), nullable=False),
        sa.Column('name_ro', sa.String(length=120), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_categories')),
        sa.UniqueConstraint('code', name=op.f('uq_announcement_categories_code')),
    )
    op.bulk_insert(categories, [{"code": code, "name_en": name_en, "name_ro": name_ro, "position": position}
                                for position, (code, name_en, name_ro) in enumerate(CATEGORIES)])
    op.create_table(
        'announcements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('hospital_id', sa.Integer(), nullable=False),
        sa.Column('section_type_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('created_by_user_id', sa.Integer(), nullable=True),
        sa.Column('category_code', sa.String(length=40), nullable=False),
        sa.Column('urgency', sa.String(length=10), nullable=False),
        sa.Column('age_band', sa.String(length=8), nullable=False),
        sa.Column('flags', sa.JSON(), nullable=False),
        sa.Column('eta_minutes', sa.Integer(), nullable=False),
        sa.Column('eta_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('note', sa.String(length=280), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.Column('announced_seq', sa.Integer(), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('acknowledged_by', sa.String(length=120), nullable=True),
        sa.Column('acknowledged_seq', sa.Integer(), nullable=True),
        sa.Column('unacknowledged_alert_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_by', sa.String(length=120), nullable=True),
        sa.Column('cancel_reason', sa.String(length=200), nullable=True),
        sa.CheckConstraint("state IN ('announced', 'acknowledged', 'arrived', 'cancelled', 'expired')",
                           name=op.f('ck_announcements_state_known')),
        sa.CheckConstraint("urgency IN ('immediate', 'urgent', 'normal')", name=op.f('ck_announcements_urgency_known')),
        sa.CheckConstraint('eta_minutes BETWEEN 1 AND 600', name=op.f('ck_announcements_eta_range')),
        sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'],
                                name=op.f('fk_announcements_created_by_user_id_users')),
        sa.ForeignKeyConstraint(['hospital_id'], ['hospitals.organisation_id'],
                                name=op.f('fk_announcements_hospital_id_hospitals')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_announcements_organisation_id_organisations')),
        sa.ForeignKeyConstraint(['section_type_id'], ['section_types.id'],
                                name=op.f('fk_announcements_section_type_id_section_types')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
    )
    op.create_index('ix_announcements_hospital_state', 'announcements', ['hospital_id', 'state'], unique=False)
    op.create_index(op.f('ix_announcements_announced_seq'), 'announcements', ['announced_seq'], unique=False)
    op.create_index(op.f('ix_announcements_organisation_id'), 'announcements', ['organisation_id'], unique=False)
    op.create_table(
        'bed_holds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('hospital_id', sa.Integer(), nullable=False),
        sa.Column('section_type_id', sa.Integer(), nullable=False),
        sa.Column('holder_user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('released_how', sa.String(length=10), nullable=True),
        sa.CheckConstraint("released_how IS NULL OR released_how IN ('arrived', 'cancelled', 'expired')",
                           name=op.f('ck_bed_holds_released_how_known')),
        sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'],
                                name=op.f('fk_bed_holds_announcement_id_announcements')),
        sa.ForeignKeyConstraint(['holder_user_id'], ['users.id'], name=op.f('fk_bed_holds_holder_user_id_users')),
        sa.ForeignKeyConstraint(['hospital_id'], ['hospitals.organisation_id'],
                                name=op.f('fk_bed_holds_hospital_id_hospitals')),
        sa.ForeignKeyConstraint(['section_type_id'], ['section_types.id'],
                                name=op.f('fk_bed_holds_section_type_id_section_types')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bed_holds')),
        sa.UniqueConstraint('announcement_id', name=op.f('uq_bed_holds_announcement_id')),
    )
    op.create_index('ix_bed_holds_live', 'bed_holds', ['hospital_id', 'section_type_id', 'released_at'], unique=False)
    op.create_index(op.f('ix_bed_holds_expires_at'), 'bed_holds', ['expires_at'], unique=False)
    op.create_index(op.f('ix_bed_holds_holder_user_id'), 'bed_holds', ['holder_user_id'], unique=False)


def downgrade() -> None:
    op.drop_table('bed_holds')
    op.drop_table('announcements')
    op.drop_table('announcement_categories')
