from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import select

from accounts.models import User
from accounts.passwords import MAX_LENGTH, MIN_LENGTH, PasswordHasher, check_policy, common_passwords
from accounts.service import AccountsContext
from app.kit.errors import ValidationFailed
from app.kit.state import AppServices
from tests.factories import TEST_PASSWORD, make_user
from tests.web import log_in


def test_the_shipped_list_has_the_3000_most_common_passwords() -> None:
    listed = common_passwords()
    assert len(listed) == 3000
    assert {"123456", "password", "qwerty"} <= listed


@pytest.mark.parametrize("password", [
    "a" * MIN_LENGTH, "x" * MAX_LENGTH, "parolă de tură lungă", "密码密码密码密码密码密码", "🚑🚑🚑🚑🚑🚑🚑🚑🚑🚑🚑🚑",
    "   twelve spaces and words   ",
])
def test_the_policy_accepts_any_unicode_from_12_characters(password: str) -> None:
    check_policy(password, "ana.pop")


@pytest.mark.parametrize(("password", "message"), [
    ("a" * (MIN_LENGTH - 1), "at least {min} characters"),
    ("x" * (MAX_LENGTH + 1), "at most {max} characters"),
    ("Ana.Pop.Spital", "may not be your username"),
    ("1qaz2wsx3edc", "among the most common"),
    ("Q1W2E3R4T5Y6", "among the most common"),
])
def test_the_policy_refuses(password: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:  # noqa: PT011 - the message is checked below
        check_policy(password, "ana.pop.spital")
    assert message in refused.value.message


async def test_a_stored_hash_is_upgraded_at_login_when_parameters_change(
    client: httpx.AsyncClient, services: AppServices
) -> None:
    weak = PasswordHasher("fast-insecure-for-tests", 1)
    strong = PasswordHasher("rfc9106", 1)
    user = await make_user(services, "ana.pop")
    async with services.unit_of_work() as uow:
        (await uow.session.get_one(User, user.id)).password_hash = await weak.hash(TEST_PASSWORD)
    weak_context = services.get(AccountsContext)
    services.provide(AccountsContext(hasher=strong, throttle=weak_context.throttle, sessions=weak_context.sessions))
    try:
        assert (await log_in(client, "ana.pop")).status_code == 303
        async with services.session_factory() as session:
            stored = await session.scalar(select(User.password_hash))
        assert stored is not None
        assert "m=65536,t=3,p=4" in stored
        assert not strong.needs_rehash(stored)
        assert await strong.verify(stored, TEST_PASSWORD)
    finally:
        services.provide(weak_context)  # the app's own hasher, closed with the app
        weak.close()
        strong.close()


async def test_hashing_runs_off_the_event_loop_in_a_bounded_pool() -> None:
    hasher = PasswordHasher("rfc9106", 2)
    loop_thread = threading.get_ident()
    running, most_at_once, threads = 0, 0, set()
    lock = threading.Lock()
    real_argon2 = hasher._argon2

    def observed_hash(password: str) -> str:
        nonlocal running, most_at_once
        with lock:
            running += 1
            most_at_once = max(most_at_once, running)
            threads.add(threading.get_ident())
        try:
            return real_argon2.hash(password)
        finally:
            with lock:
                running -= 1

    hasher._argon2 = SimpleNamespace(hash=observed_hash)  # type: ignore[assignment]
    ticks = 0

    async def board_heartbeat() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    heartbeat = asyncio.create_task(board_heartbeat())
    try:
        hashes = await asyncio.gather(*(hasher.hash(f"password number {n}") for n in range(20)))
    finally:
        heartbeat.cancel()
        hasher.close()
    assert len(set(hashes)) == 20
    assert loop_thread not in threads
    assert most_at_once == 2
    # The loop kept turning while twenty hashes ran: an open board's socket would have been served.
    assert ticks >= 20
