"""What a domain brings to ``bedboard demo``: its organisations, its logins, and the steps that fill its tables.

``app/demo.py`` runs every registered plugin's ``Demo`` in one transaction: first all organisations (parents
before children, in registration order), then each plugin's ``before_users`` step (what the accounts need to
exist, e.g. a hospital's bed-board row before its operator), then all users, then each plugin's
``after_users`` step (requests placed and decided as those users). Every step is idempotent: a second run adds
nothing. The steps read organisations by code as ids, so that the kit need not know the accounts' model.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from app.kit.actors import Actor
from app.kit.db import UnitOfWork


@dataclass(frozen=True)
class DemoOrganisation:
    code: str
    name: str
    kind: str
    parent_code: str | None = None


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    organisation_code: str
    # A hospital operator's owning authority: only its administrators manage the account (admin.samb manages
    # op.floreasca; admin.ms may take it over, audited).
    owner_code: str | None = None


# (the demo's unit of work, the actor it records as, every demo organisation's id by code)
DemoStep = Callable[[UnitOfWork, Actor, Mapping[str, int]], Awaitable[None]]


@dataclass(frozen=True)
class Demo:
    organisations: Sequence[DemoOrganisation] = ()
    users: Sequence[DemoUser] = ()
    before_users: DemoStep | None = None
    after_users: DemoStep | None = None
