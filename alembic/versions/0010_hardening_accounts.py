"""Hardening of accounts (issue 18): login attempts taken before the password check, and owning authorities

- ``login_throttle_keys``: one row per throttled username and address, whose row lock serialises the
  taking of login attempts across worker processes (accounts/throttle.py).
- ``users.owner_organisation_id`` and ``api_tokens.owner_organisation_id``: the authority that manages a
  hospital operator or a bed API token (for a licence-usage token: its health service). Existing rows are
  backfilled from the audit log: the authority of whoever created them (``accounts.user_created``,
  ``beds.api_token_created``); rows created from the command line, or whose creator's organisation is not an
  authority, go to the ministry (MS) when it exists, else stay without owner, which the code treats as the
  ministry's.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _creator_authority(action: str, table: str) -> str:
    """The id of the authority whose member wrote the row's creation event, else the ministry's (MS)."""
    return (
        "COALESCE("
        "(SELECT o.id FROM audit_events a JOIN organisations o ON o.code = a.organisation AND o.kind = 'authority'"
        f" WHERE a.action = '{action}' AND a.object_id = CAST({table}.id AS VARCHAR(80))"
        " ORDER BY a.seq LIMIT 1),"
        " (SELECT m.id FROM organisations m WHERE m.code = 'MS' AND m.kind = 'authority'))"
    )


def upgrade() -> None:
    op.create_table('login_throttle_keys',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_login_throttle_keys'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_owner_organisation_id'), ['owner_organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_owner_organisation_id_organisations'), 'organisations',
                                    ['owner_organisation_id'], ['id'])
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_api_tokens_owner_organisation_id'), ['owner_organisation_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_owner_organisation_id_organisations'),
                                    'organisations', ['owner_organisation_id'], ['id'])
    op.execute(
        f"UPDATE users SET owner_organisation_id = {_creator_authority('accounts.user_created', 'users')}"
        " WHERE organisation_id IN (SELECT h.id FROM organisations h WHERE h.kind = 'hospital')")
    op.execute(
        "UPDATE api_tokens SET owner_organisation_id ="
        f" {_creator_authority('beds.api_token_created', 'api_tokens')} WHERE scope = 'beds'")
    op.execute("UPDATE api_tokens SET owner_organisation_id = organisation_id WHERE scope <> 'beds'")


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_owner_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_tokens_owner_organisation_id'))
        batch_op.drop_column('owner_organisation_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_owner_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_owner_organisation_id'))
        batch_op.drop_column('owner_organisation_id')
    op.drop_table('login_throttle_keys')
