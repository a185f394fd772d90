"""Demo data for ``bedboard demo``: every registered plugin's organisations, logins and data, in one transaction.

Each domain brings its part as a ``Demo`` of its plugin (app/kit/demo_data.py: the bed board its hospitals and
sections, the licence, role and IT-order modules theirs); this module knows none of them by name. Everything is
data applied by idempotent steps, so a second run adds nothing.
Passwords are random, generated at the first run and kept in ``<var_dir>/demo-credentials.json``
(mode 0600) so that later runs can print them again; no password is ever written in this code.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import Organisation, User
from accounts.service import AccountsContext, create_user, username_key
from app.kit import audit
from app.kit.actors import Actor
from app.kit.db import UnitOfWork
from app.kit.demo_data import Demo, DemoOrganisation, DemoUser
from app.kit.errors import DomainError
from app.main import plugins

CREDENTIALS_FILE = "demo-credentials.json"
# No 0/O or 1/l/i: the operator may type this on an old hospital PC from a printed sheet.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PASSWORD_GROUPS, GROUP_LENGTH = 4, 5
UNKNOWN_PASSWORD = "(unknown)"


@dataclass(frozen=True)
class DemoLogin:
    """One line of the printed table; ``password`` is None when this run cannot know it."""

    username: str
    role: str
    organisation_code: str
    password: str | None


UnitOfWorkFactory = Callable[[], UnitOfWork]


def generate_password() -> str:
    groups = ("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GROUP_LENGTH))
              for _ in range(PASSWORD_GROUPS))
    return "-".join(groups)


class UnreadableCredentials(DomainError):
    code = "unreadable_demo_credentials"


def read_credentials(var_dir: Path) -> dict[str, str]:
    path = var_dir / CREDENTIALS_FILE
    if not path.exists():
        return {}
    try:
        passwords = json.loads(path.read_text(encoding="utf-8"))["passwords"]
        return {str(name): str(password) for name, password in passwords.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise UnreadableCredentials("The demo credentials file {path} cannot be read ({reason}); move it "
                                    "away and run the demo again.", path=path, reason=error) from error


def write_credentials(var_dir: Path, passwords: Mapping[str, str]) -> None:
    """Write atomically, readable by the owner only, even for the instant before the rename."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / CREDENTIALS_FILE
    partial = path.with_suffix(".json.partial")
    partial.unlink(missing_ok=True)
    document = {"note": "Demo logins made by 'bedboard demo'. Never use on a real deployment.",
                "passwords": dict(sorted(passwords.items()))}
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        json.dump(document, stream, ensure_ascii=False, indent=2)
        stream.write("\n")
    os.replace(partial, path)


async def ensure_organisations(session: AsyncSession, actor: Actor,
                               specs: Sequence[DemoOrganisation]) -> dict[str, Organisation]:
    """Create the organisations that are missing, parents before children (in ``specs`` order); an existing
    code is left exactly as it is."""
    existing = {o.code: o for o in await session.scalars(
        select(Organisation).where(Organisation.code.in_([spec.code for spec in specs])))}
    for spec in specs:
        if spec.code in existing:
            continue
        parent = existing[spec.parent_code] if spec.parent_code else None
        organisation = Organisation(code=spec.code, name=spec.name, kind=spec.kind,
                                    parent_id=parent.id if parent else None)
        session.add(organisation)
        await session.flush()
        await audit.record(session, actor=actor, action="accounts.organisation_created",
                           object_type="organisation", object_id=organisation.id,
                           after={"code": spec.code, "name": spec.name, "kind": spec.kind,
                                  "parent": spec.parent_code})
        existing[spec.code] = organisation
    return existing


async def _existing_hashes(session: AsyncSession, specs: Sequence[DemoUser]) -> dict[str, str | None]:
    keys = [username_key(spec.username) for spec in specs]
    users = await session.scalars(select(User).where(User.username_key.in_(keys)))
    return {user.username_key: user.password_hash for user in users}


async def _known_password(context: AccountsContext, password_hash: str | None,
                          kept: str | None) -> str | None:
    # The kept password is shown only if it still opens the account: someone may have changed it since.
    if kept is None or not await context.hasher.verify(password_hash, kept):
        return None
    return kept


async def ensure_users(session: AsyncSession, context: AccountsContext, actor: Actor, var_dir: Path,
                       specs: Sequence[DemoUser]) -> list[DemoLogin]:
    """Create the missing users; never touch the password of one that exists."""
    hashes = await _existing_hashes(session, specs)
    kept = read_credentials(var_dir)
    missing = [spec for spec in specs if username_key(spec.username) not in hashes]
    new_passwords = {spec.username: kept.get(spec.username) or generate_password() for spec in missing}
    if any(kept.get(name) != password for name, password in new_passwords.items()):
        # Kept before the users exist: a failed commit leaves spare lines, never a lost password.
        write_credentials(var_dir, {**kept, **new_passwords})
    logins = []
    for spec in specs:
        if spec.username in new_passwords:
            password: str | None = new_passwords[spec.username]
            await create_user(session, context=context, actor=actor, organisation_code=spec.organisation_code,
                              role=spec.role, username=spec.username, display_name=spec.display_name,
                              password=password, owner_code=spec.owner_code)
        else:
            password = await _known_password(context, hashes[username_key(spec.username)],
                                             kept.get(spec.username))
        logins.append(DemoLogin(spec.username, spec.role, spec.organisation_code, password))
    return logins


def registered_demos() -> list[Demo]:
    """What every registered plugin brings to the demo, in registration order (the app's plugins)."""
    return [plugin.demo for plugin in plugins() if plugin.demo is not None]


async def load_demo(unit_of_work: UnitOfWorkFactory, context: AccountsContext, var_dir: Path, *,
                    actor: Actor | None = None, demos: Sequence[Demo] | None = None) -> list[DemoLogin]:
    """Load every demo step in one transaction and return the logins to print, in the plugins' order.

    ``demos``: the plugins' parts (by default the app's, ``registered_demos()``)."""
    actor = actor or Actor.system("cli")
    demos = registered_demos() if demos is None else demos
    async with unit_of_work() as uow:
        organisations = await ensure_organisations(uow.session, actor,
                                                   [spec for demo in demos for spec in demo.organisations])
        ids = {code: organisation.id for code, organisation in organisations.items()}
        for demo in demos:
            if demo.before_users is not None:
                await demo.before_users(uow, actor, ids)
        logins = await ensure_users(uow.session, context, actor, var_dir,
                                    [spec for demo in demos for spec in demo.users])
        for demo in demos:
            if demo.after_users is not None:
                await demo.after_users(uow, actor, ids)
        return logins


def logins_table(logins: list[DemoLogin]) -> str:
    """The logins as aligned text columns, for the terminal."""
    rows = [("username", "role", "organisation", "password")]
    rows += [(login.username, login.role, login.organisation_code, login.password or UNKNOWN_PASSWORD)
             for login in logins]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = ["  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[3]])
             for row in rows]
    return "\n".join(lines)
