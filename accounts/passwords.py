"""Password hashing (argon2id, off the event loop) and the password policy.

Hashing costs 64 MiB and tens of milliseconds; on the event loop, twenty logins at once would freeze
every open board. So it runs in a small dedicated thread pool (argon2's C code releases the GIL).
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import resources
from typing import TypeVar

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import profiles
from argon2.exceptions import InvalidHashError, VerificationError

from app.kit.errors import ValidationFailed
from app.kit.i18n import _
from app.kit.settings import PasswordProfile

T = TypeVar("T")
MIN_LENGTH = 12
MAX_LENGTH = 256


def _argon2_for(profile: PasswordProfile) -> Argon2Hasher:
    if profile == "rfc9106":
        # RFC 9106's second recommended option: argon2id, t=3, m=64 MiB, p=4.
        return Argon2Hasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
    # Only for tests: the same algorithm with parameters too weak to protect anything.
    return Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)


class PasswordHasher:
    def __init__(self, profile: PasswordProfile, threads: int) -> None:
        self._argon2 = _argon2_for(profile)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="argon2")
        self._dummy_hash: str | None = None

    async def _in_pool(self, function: Callable[..., T], *args: str) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    async def hash(self, password: str) -> str:
        return await self._in_pool(self._argon2.hash, normalise(password))

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when the password matches. An account without a password costs the same time to refuse."""
        if password_hash is None:
            await self.verify_dummy(password)
            return False
        try:
            return await self._in_pool(self._argon2.verify, password_hash, normalise(password))
        except (VerificationError, InvalidHashError):
            return False

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of a real verification, so that an unknown username is not told apart by timing."""
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash("bedboard dummy password for timing")
        await self.verify(self._dummy_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon2.check_needs_rehash(password_hash)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def normalise(password: str) -> str:
    # NFKC so that the same password typed on two keyboards (composed or decomposed letters) matches.
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("accounts").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line and not line.startswith("#"))


def check_policy(password: str, username: str) -> None:
    """Length and blocklist only, no composition rules (NIST SP 800-63B). Raises ValidationFailed."""
    candidate = normalise(password)
    if len(candidate) < MIN_LENGTH:
        raise ValidationFailed(_("The password must have at least {min} characters."), min=MIN_LENGTH,
                               details={"field": "new_password"})
    if len(candidate) > MAX_LENGTH:
        raise ValidationFailed(_("The password may have at most {max} characters."), max=MAX_LENGTH,
                               details={"field": "new_password"})
    if candidate.casefold() == username.casefold():
        raise ValidationFailed(_("The password may not be your username."), details={"field": "new_password"})
    if candidate.lower() in common_passwords():
        raise ValidationFailed(_("This password is among the most common ones; choose another."),
                               details={"field": "new_password"})
