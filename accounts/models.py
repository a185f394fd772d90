"""Tables of organisations, users, their roles, sessions and login throttling."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.kit.db import Base, UTCDateTime


class Organisation(Base):
    """An authority (MS, SAMB, SMURD), a hospital, or a provisioning unit; one table, told apart by kind."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    timezone: Mapped[str | None] = mapped_column(String(60))


class Role(Base):
    """Roles are rows so that the provisioning modules can add theirs with a migration."""

    __tablename__ = "roles"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    # Lower-cased username: "Ana" and "ana" are one account and share one login-throttle counter.
    username_key: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # A hospital operator's owning authority: the one whose administrators manage the account (the one that
    # made it, or the ministry after it took ownership). None for other users, and for an operator made
    # before owners were recorded and not backfilled: that one is the ministry's (accounts/ownership.py).
    owner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    language: Mapped[str | None] = mapped_column(String(8))
    # The board's theme: 'light', 'dark', or None to follow the computer (a wall screen starts dark).
    board_theme: Mapped[str | None] = mapped_column(String(5))
    # Where notifications are also sent by e-mail (through the outbox, when SMTP is configured).
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Deletion is soft: the row stays so that the audit log and "updated by" names still resolve.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship(lazy="raise", foreign_keys=[organisation_id])
    role_links: Mapped[list[UserRole]] = relationship(lazy="raise", cascade="all, delete-orphan")


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role_code: Mapped[str] = mapped_column(ForeignKey("roles.code"), primary_key=True)


class ActivationToken(Base):
    """A single-use link to choose a password (new account or reset). Only the token's hash is kept."""

    __tablename__ = "activation_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuthSession(Base):
    """A server-side login session. The cookie holds a random token; this row holds only its hash."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(30))
    client_address: Mapped[str | None] = mapped_column(String(64))


class LoginFailure(Base):
    """One failed login, counted per username key and per client address within the window."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username_key: Mapped[str] = mapped_column(String(80), index=True)
    client_address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LoginLock(Base):
    """A lock set when a counter reaches its limit; attempts while it holds neither count nor extend it."""

    __tablename__ = "login_locks"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(80))
    locked_until: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginThrottleKey(Base):
    """One row per throttled username and address: the row whose lock serialises the taking of attempts.

    ``accounts.throttle.reserve_attempt`` upserts it before counting, so that two workers never count the same
    window at once (a row lock on PostgreSQL, the write lock on SQLite).
    """

    __tablename__ = "login_throttle_keys"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A program's bearer token: one scope, one organisation, stored hashed, named, revocable (accounts/tokens.py)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # A scope a domain registers (accounts/tokens.py): "beds", "licenses.usage".
    scope: Mapped[str] = mapped_column(String(30), server_default="beds")
    # The hospital of a "beds" token (the key is named by string: accounts imports no domain).
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("hospitals.organisation_id"), index=True)
    # For every other scope: the organisation the token speaks for (a licence-usage token's health service).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # Whose administrators may revoke it: a bed token's authority (its maker's, or the ministry after it took
    # ownership), a licence-usage token's health service. None only for a token the migration could not place:
    # the ministry's.
    owner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown in lists so that a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
