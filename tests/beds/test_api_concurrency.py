"""Concurrent writers naming the same version: exactly one wins, the others get 409, nothing is lost.

Runs on both backends (the `app` fixture's database_url); on PostgreSQL the writers really overlap on
separate connections, and the section row lock is what decides.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.kit.state import AppServices
from tests.beds.test_api_setup import (
    audit_events,
    bearer,
    change,
    free_beds_path,
    make_token,
    make_world,
    section_row,
)
from tests.web import BrowserFactory


@pytest.mark.parametrize("writers", [2, 8])
async def test_one_of_several_writers_with_the_same_version_succeeds(
    new_client: BrowserFactory, services: AppServices, writers: int
) -> None:
    world = await make_world(services)
    raws = [await make_token(services, world.hospital_a, f"HIS A {number}") for number in range(writers)]
    clients = [new_client(f"10.0.0.{number + 1}") for number in range(writers)]

    async def write(number: int) -> httpx.Response:
        async with clients[number] as http:
            return await http.put(free_beds_path(world.a_icu), json=change(number), headers=bearer(raws[number]))

    responses = await asyncio.gather(*(write(number) for number in range(writers)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * (writers - 1)
    winner = next(response.json() for response in responses if response.status_code == 200)
    for response in responses:
        if response.status_code == 409:
            assert response.json()["error"]["details"]["current"] == winner
    row = await section_row(services, world.a_icu)
    assert (row.free_beds, row.version, row.updated_by) == (winner["free_beds"], 2, winner["updated_by"])
    [event] = await audit_events(services, "beds.free_beds_set")
    assert event.after is not None
    assert event.after["free_beds"] == winner["free_beds"]


async def test_one_key_sent_at_once_for_two_sections_writes_once(new_client: BrowserFactory,
                                                                 services: AppServices) -> None:
    world = await make_world(services)
    raw = await make_token(services, world.hospital_a, "HIS A")
    headers = {**bearer(raw), "Idempotency-Key": "same-key"}

    async def write(section_id: int) -> httpx.Response:
        async with new_client() as http:
            return await http.put(free_beds_path(section_id), json=change(1), headers=headers)

    responses = await asyncio.gather(write(world.a_icu), write(world.a_surgery))
    assert sorted(response.status_code for response in responses) == [200, 422]
    refused = next(response for response in responses if response.status_code == 422)
    assert refused.json()["error"]["code"] == "idempotency_key_reused"
    assert len(await audit_events(services, "beds.free_beds_set")) == 1
