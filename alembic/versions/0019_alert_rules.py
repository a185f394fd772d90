"""Alert rules and the alerts they fire (issue 21, alerts)

``alert_rules``: a coordinator's own rules (``scope`` 'user', ``owner_user_id``) or an authority's (``scope``
'authority', set by its administrators), each of one kind ('below': free beds of a section type under a threshold,
'admission': a hospital or section closes or reopens, 'negative', 'overdue'), with its edge state (``armed``,
``tripped``, ``last_seq``) so that it fires when its condition starts to hold, not while it goes on holding.
``alerts``: what fired, for whom, and who acknowledged it when, with the audit sequence numbers of both moments
(the positions a board resuming with ``since`` asks from). ``alert_rules_revision``: one row counting every change
to the rules, so that each process reads the rules again only when they changed.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'alert_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('owner_user_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('section_type_id', sa.Integer(), nullable=True),
        sa.Column('hospital_ids', sa.JSON(), nullable=False),
        sa.Column('threshold', sa.Integer(), nullable=True),
        sa.Column('hysteresis', sa.Integer(), server_default='1', nullable=False),
        sa.Column('email', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('armed', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('tripped', sa.JSON(), nullable=False),
        sa.Column('last_seq', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('below', 'admission', 'negative', 'overdue')",
                           name=op.f('ck_alert_rules_kind_known')),
        sa.CheckConstraint("scope IN ('user', 'authority')", name=op.f('ck_alert_rules_scope_known')),
        sa.CheckConstraint("scope = 'authority' OR owner_user_id IS NOT NULL",
                           name=op.f('ck_alert_rules_user_rule_has_owner')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_alert_rules_organisation_id_organisations')),
        sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_alert_rules_owner_user_id_users')),
        sa.ForeignKeyConstraint(['section_type_id'], ['section_types.id'],
                                name=op.f('fk_alert_rules_section_type_id_section_types')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rules')),
    )
    op.create_index('ix_alert_rules_live_kind', 'alert_rules', ['kind', 'section_type_id'], unique=False)
    op.create_index(op.f('ix_alert_rules_organisation_id'), 'alert_rules', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_alert_rules_owner_user_id'), 'alert_rules', ['owner_user_id'], unique=False)
    op.create_table(
        'alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=False),
        sa.Column('owner_user_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('fired_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('fired_seq', sa.Integer(), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('acknowledged_by', sa.String(length=120), nullable=True),
        sa.Column('acknowledged_seq', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_alerts_organisation_id_organisations')),
        sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_alerts_owner_user_id_users')),
        sa.ForeignKeyConstraint(['rule_id'], ['alert_rules.id'], name=op.f('fk_alerts_rule_id_alert_rules')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    )
    op.create_index('ix_alerts_open', 'alerts', ['organisation_id', 'acknowledged_at'], unique=False)
    op.create_index(op.f('ix_alerts_rule_id'), 'alerts', ['rule_id'], unique=False)
    op.create_index(op.f('ix_alerts_fired_seq'), 'alerts', ['fired_seq'], unique=False)
    op.create_index(op.f('ix_alerts_acknowledged_seq'), 'alerts', ['acknowledged_seq'], unique=False)
    revision_table = op.create_table(
        'alert_rules_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rules_revision')),
    )
    op.bulk_insert(revision_table, [{'id': 1, 'revision': 0}])


def downgrade() -> None:
    op.drop_table('alert_rules_revision')
    op.drop_index(op.f('ix_alerts_acknowledged_seq'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_fired_seq'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_rule_id'), table_name='alerts')
    op.drop_index('ix_alerts_open', table_name='alerts')
    op.drop_table('alerts')
    op.drop_index(op.f('ix_alert_rules_owner_user_id'), table_name='alert_rules')
    op.drop_index(op.f('ix_alert_rules_organisation_id'), table_name='alert_rules')
    op.drop_index('ix_alert_rules_live_kind', table_name='alert_rules')
    op.drop_table('alert_rules')
