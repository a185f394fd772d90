"""Rules "a hospital or section closes / reopens": fired by a person's closure and by the status's expiry (the job,
with the clock moved), each rule of its own authority, and none of them carrying a clarification note: another
authority's coordinator learns only what the board already shows (the status and its public reason)."""

from __future__ import annotations

import json

import httpx

from app.beds import admission_jobs, admission_notes
from app.beds.admission import Target
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.alerts.helpers import add_rule, alert_world, open_alerts
from tests.beds.test_api_setup import actor_of, session_login
from tests.web import BrowserFactory

SECRET = "the surgeon on call is drunk"


async def test_closures_and_reopenings_alert_each_authority_without_its_notes(
        client: httpx.AsyncClient, services: AppServices, new_client: BrowserFactory, clock: ManualClock) -> None:
    world, people = await alert_world(services, new_client)
    assert (await add_rule(people, "coord", kind="admission", hospital_ids=[world.hospital_a])).status_code == 201
    assert (await add_rule(people, "outsider", kind="admission")).status_code == 201
    operator, headers = people["op.a"]
    closed = await operator.put(f"/api/v1/hospitals/{world.hospital_a}/admission", headers=headers, json={
        "status": "closed", "reason_code": "icu_full", "reason": "ICU full until noon", "expected_version": 1})
    assert closed.status_code == 200, closed.text
    # SAMB's coordinator asks the hospital about it: a note the other authority must not read.
    async with services.unit_of_work() as uow:
        await admission_notes.add_note(uow, actor=await actor_of(services, "coord"),
                                       target=Target(world.hospital_a), text=SECRET)

    [own] = await open_alerts(people, "coord")
    [theirs] = await open_alerts(people, "outsider")
    for alert in (own, theirs):
        assert (alert["kind"], alert["details"]["after"], alert["details"]["reason"]) == (
            "admission", "closed", "ICU full until noon")
    assert own["id"] != theirs["id"]  # each authority's rule, each its own alert

    clock.advance(hours=4, minutes=1)  # past the default expiry: the job reopens it, audited as expired
    assert admission_jobs.JOB.run is not None
    await admission_jobs.JOB.run(services.job_context())
    for username in ("coord", "outsider"):  # their sessions ran out while the clock moved
        people.clients[username] = (people[username][0], await session_login(people[username][0], username))
    outsider, _headers = people["outsider"]
    reopened = [alert for alert in await open_alerts(people, "outsider") if alert["details"]["after"] == "open"]
    assert len(reopened) == 1
    assert reopened[0]["details"]["expired"] is True
    assert len(await open_alerts(people, "coord")) == 2
    everything = json.dumps([await open_alerts(people, "outsider"), (await outsider.get("/api/v1/alerts")).json(),
                             (await outsider.get("/board/alerts")).text])
    assert SECRET not in everything
    await people.close()
