"""Benchmark 6, API bodies: decoding and checking the body of ``PUT /api/v1/sections/{id}/free-beds``, three ways.

Issue 19 declares every API body once, with msgspec or pydantic v2; this measured the choice. In one process,
turn about, each way reads the same bytes: the hand parser the API had (kept here as the reference), the app's
pydantic declaration (app/beds/api_bodies.py), and the same body declared as a msgspec Struct. Both libraries
run after the kit's JSON reader (app/kit/api_parsing.py: duplicate keys, NaN, depth refused), as the app runs
pydantic, and once more with their own JSON reader, which would accept a repeated key. A refused body ("5" for
free_beds) is timed too, up to the 422's error object. Then one whole PUT through the ASGI app on SQLite, to show
what share of a request the body is.
Run: ``python -m bench.api_bodies [--quick]`` (prints a Markdown table).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Annotated

import httpx
import msgspec
import pydantic

from accounts.service import AccountsContext
from app.beds import service
from app.beds.api_bodies import FreeBedsChange, free_beds_refusal
from app.beds.models import MAX_FREE_BEDS, MIN_FREE_BEDS
from app.kit.api_bodies import problems_of
from app.kit.api_parsing import _decoded, invalid
from app.kit.errors import ValidationFailed
from app.kit.forms import MAX_ID
from app.kit.i18n import _
from app.kit.settings import Settings
from app.main import create_app
from app.migrations import upgrade_to_head
from bench.environment import describe_machine
from bench.markdown import number, table

GOOD = b'{"free_beds": 3, "expected_version": 7, "reason": "Two discharged, one admitted"}'
REFUSED = b'{"free_beds": "5", "expected_version": 7}'
FIELDS = ("free_beds", "expected_version", "reason")


def hand(body: bytes) -> object:
    """The API's parser before the declarations (app/beds/api_parsing.py at 622decc), the reference."""
    value = _decoded(body)
    assert isinstance(value, dict)
    for field in value:
        if field not in FIELDS:
            raise invalid(_("Unknown field {field}: send free_beds, expected_version and, if needed, reason."),
                          field, field=field)
    for field in FIELDS[:2]:
        if field not in value:
            raise invalid(_("The field {field} is required."), field, field=field)
    free_beds = service.check_free_beds(value["free_beds"])
    expected_version = service.check_version(value["expected_version"])
    if expected_version > MAX_ID:
        raise invalid(_("The expected version may be at most {max}."), "expected_version", max=MAX_ID)
    reason = value.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise invalid(_("The reason must be text."), "reason")
    return free_beds, expected_version, service.check_reason(reason)


class FreeBedsStruct(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    free_beds: Annotated[int, msgspec.Meta(ge=MIN_FREE_BEDS, le=MAX_FREE_BEDS)]
    expected_version: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
    reason: Annotated[str, msgspec.Meta(max_length=service.MAX_REASON_LENGTH)] | None = None


def _msgspec_refusal(error: msgspec.ValidationError) -> ValidationFailed:
    """msgspec stops at its first problem and says it in one English sentence ("Expected `int`, got `str` - at
    `$.free_beds`"): the field has to be read back out of the text."""
    field = str(error).rsplit("$.", 1)[-1].rstrip("`") if "$." in str(error) else "body"
    return invalid(_("Free beds must be a whole number."), field)


def pydantic_after_kit(body: bytes) -> object:
    try:
        return FreeBedsChange.model_validate(_decoded(body))
    except pydantic.ValidationError as error:
        raise free_beds_refusal(problems_of(error)) from None


def pydantic_own_reader(body: bytes) -> object:
    try:
        return FreeBedsChange.model_validate_json(body)
    except pydantic.ValidationError as error:
        raise free_beds_refusal(problems_of(error)) from None


def msgspec_after_kit(body: bytes) -> object:
    try:
        return msgspec.convert(_decoded(body), FreeBedsStruct, strict=True)
    except msgspec.ValidationError as error:
        raise _msgspec_refusal(error) from None


def msgspec_own_reader(body: bytes) -> object:
    try:
        return msgspec.json.decode(body, type=FreeBedsStruct)
    except msgspec.ValidationError as error:
        raise _msgspec_refusal(error) from None


REFERENCE, CHOSEN = "hand parser (reference)", "pydantic v2 after the kit's reader (chosen)"
WAYS: dict[str, Callable[[bytes], object]] = {
    REFERENCE: hand,
    CHOSEN: pydantic_after_kit,
    "msgspec after the kit's reader": msgspec_after_kit,
    "pydantic v2, own JSON reader": pydantic_own_reader,
    "msgspec, own JSON reader": msgspec_own_reader,
}


def _loop(way: Callable[[bytes], object], body: bytes, calls: int) -> float:
    """Microseconds a call, over ``calls`` calls (a refusal counts up to its ValidationFailed)."""
    began = time.perf_counter()
    for _call in range(calls):
        try:
            way(body)
        except ValidationFailed:
            pass
    return (time.perf_counter() - began) / calls * 1e6


def decode_and_check(body: bytes, calls: int, rounds: int) -> dict[str, float]:
    """The median over ``rounds`` rounds; in each round every way runs in turn, so none always finds warm caches."""
    times: dict[str, list[float]] = {name: [] for name in WAYS}
    for turn in range(rounds):
        order = list(WAYS.items())[turn % len(WAYS):] + list(WAYS.items())[:turn % len(WAYS)]
        for name, way in order:
            times[name].append(_loop(way, body, calls))
    return {name: statistics.median(found) for name, found in times.items()}


async def whole_put(requests: int) -> float:
    """Median microseconds of one PUT free-beds through the ASGI app (bearer token, SQLite, the write audited)."""
    from tests.beds.test_api_setup import bearer, make_token, make_world
    from tests.factories import make_organisation

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{scratch}/bench.db"
        await asyncio.to_thread(upgrade_to_head, url)
        app = create_app(Settings(database_url=url, secret_key="bench-secret-" + "k" * 40, var_dir=Path(scratch),
                                  password_profile="fast-insecure-for-tests"))
        services = app.state.services
        try:
            await make_organisation(services, "SAMB", "authority")
            world = await make_world(services)
            headers = bearer(await make_token(services, world.hospital_a, "bench"))
            times: list[float] = []
            transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for version in range(1, requests + 1):
                    body = {"free_beds": version % 10, "expected_version": version, "reason": "bench"}
                    began = time.perf_counter()
                    answer = await client.put(f"/api/v1/sections/{world.a_icu}/free-beds", json=body,
                                              headers=headers)
                    times.append(time.perf_counter() - began)
                    assert answer.status_code == 200, answer.text
            return statistics.median(times) * 1e6
        finally:
            services.get(AccountsContext).hasher.close()
            await services.engine.dispose()


def section(quick: bool) -> str:
    """The report's section: the table, and the whole PUT beside it."""
    calls, rounds, requests = (2_000, 3, 50) if quick else (20_000, 9, 400)
    good, refused = decode_and_check(GOOD, calls, rounds), decode_and_check(REFUSED, calls, rounds)
    reference_good, reference_refused = good[REFERENCE], refused[REFERENCE]
    rows = [(name, number(good[name], 2), number(good[name] / reference_good, 2), number(refused[name], 2),
             number(refused[name] / reference_refused, 2)) for name in WAYS]
    put = asyncio.run(whole_put(requests))
    return ("## API bodies: the PUT free-beds body, decoded and checked (bench/api_bodies.py)\n\n"
            f"Median µs a call over {rounds} rounds of {calls:,} calls, in one process; ratio against the hand "
            f"parser. pydantic {metadata.version('pydantic')}, msgspec {metadata.version('msgspec')}.\n\n"
            + table(("way", "valid body µs", "ratio", "refused body µs", "ratio"), rows)
            + f"\nOne whole PUT free-beds through the ASGI app on SQLite (median of {requests}): "
              f"{number(put, 0)} µs; the chosen way's body check is {number(100 * good[CHOSEN] / put, 2)} % of it.\n")


if __name__ == "__main__":
    machine = describe_machine()
    sys.stdout.write(f"Machine: {machine['cpu']}, {machine['memory']}, Python {machine['python']}, "
                     f"{machine['date']}, commit {machine['commit']}.\n\n{section('--quick' in sys.argv)}")
