"""Clarification notes on an admission status (issue 21): a SAMB coordinator asks from the board, the hospital's
operator reads the question on their screen and answers, SAMB reads the answer, and SMURD's coordinator sees none
of it ("a rule of another authority's coordinator does not see this authority's private notes"). On both backends.
"""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select, update

from accounts.models import Organisation, User
from app.kit.state import AppServices
from app.notifications.models import Notification
from tests.beds.test_api_setup import audit_events, make_world, session_login
from tests.factories import make_user
from tests.web import csrf_from, log_in


async def notes_seen(client: httpx.AsyncClient, section_id: int) -> list[str]:
    answer = await client.get(f"/board/admission-notes?section_id={section_id}")
    assert answer.status_code == 200, answer.text
    return [note["text"] for note in answer.json()["notes"]]


async def notices_of(services: AppServices, username: str) -> list[Notification]:
    async with services.session_factory() as session:
        user_id = await session.scalar(select(User.id).where(User.username == username))
        return list(await session.scalars(select(Notification).where(Notification.user_id == user_id)))


async def test_samb_asks_the_operator_answers_and_smurd_sees_nothing(client: httpx.AsyncClient,
                                                                      services: AppServices) -> None:
    world = await make_world(services)  # coord is SAMB's
    await make_user(services, "coord.smurd", role="coordinator", organisation="SMURD")
    async with services.unit_of_work() as uow:
        ministry = await uow.session.scalar(select(Organisation.id).where(Organisation.code == "MS"))
        await uow.session.execute(update(Organisation).where(Organisation.id == world.hospital_a)
                                  .values(parent_id=ministry))
    operator = await session_login(client, "op.a")
    closed = await client.put(f"/api/v1/sections/{world.a_icu}/admission", headers=operator,
                              json={"status": "closed", "reason_code": "icu_full", "expected_version": 1})
    assert closed.status_code == 200, closed.text
    await client.post("/logout", headers=operator)

    coordinator = await session_login(client, "coord")
    asked = await client.post("/board/admission-notes", headers=coordinator, json={
        "hospital_id": world.hospital_a, "section_id": world.a_icu, "text": "  Until when for stroke patients?  "})
    assert asked.status_code == 200, asked.text
    assert asked.json()["note"]["text"] == "Until when for stroke patients?"
    open_section = await client.post("/board/admission-notes", headers=coordinator, json={
        "hospital_id": world.hospital_a, "section_id": world.a_surgery, "text": "Why?"})
    assert open_section.status_code == 409
    assert open_section.json()["error"]["message"] == "There is nothing to clarify: it is open."
    await client.post("/logout", headers=coordinator)

    [notice] = await notices_of(services, "op.a")
    assert notice.link == "/operator"
    assert notice.params["text"] == "Until when for stroke patients?"
    await log_in(client, "op.a")
    screen = (await client.get("/operator")).text
    assert re.search(r"<strong>coord</strong> \(Organisation SAMB\), [^<]+?: Until when for stroke patients\?",
                     screen), "the question is not on the operator's screen"
    answered = await client.post("/operator/admission-notes", data={
        "csrf_token": await csrf_from(client, "/operator"), "hospital_id": str(world.hospital_a),
        "section_id": str(world.a_icu), "text": "Until 18:00; strokes go to B."})
    assert answered.status_code == 303
    assert answered.headers["location"] == f"/operator?noted={world.a_icu}#notes-{world.a_icu}"
    assert "Until 18:00; strokes go to B." in (await client.get("/operator")).text
    await client.post("/logout", headers={"X-CSRF-Token": await csrf_from(client, "/operator")})

    await log_in(client, "coord")
    assert await notes_seen(client, world.a_icu) == ["Until when for stroke patients?",
                                                     "Until 18:00; strokes go to B."]
    await client.post("/logout", headers={"X-CSRF-Token": await csrf_from(client, "/account")})
    [answer_notice] = await notices_of(services, "coord")
    assert answer_notice.params["text"] == "Until 18:00; strokes go to B."

    await log_in(client, "coord.smurd")
    assert await notes_seen(client, world.a_icu) == []
    await client.post("/logout", headers={"X-CSRF-Token": await csrf_from(client, "/account")})

    events = await audit_events(services, "beds.admission_note_added")
    assert [(event.actor, event.object_type, event.object_id) for event in events] == [
        ("coord", "section", str(world.a_icu)), ("op.a", "section", str(world.a_icu))]
    assert events[0].after is not None
    assert events[0].after["status"] == "closed"


async def test_an_auditor_reads_the_board_but_writes_no_note(client: httpx.AsyncClient,
                                                             services: AppServices) -> None:
    world = await make_world(services)
    operator = await session_login(client, "op.a")
    await client.put(f"/api/v1/hospitals/{world.hospital_a}/admission", headers=operator,
                     json={"status": "limited", "reason_code": "ct_down", "expected_version": 1})
    await client.post("/logout", headers=operator)
    auditor = await session_login(client, "auditor")
    refused = await client.post("/board/admission-notes", headers=auditor,
                                json={"hospital_id": world.hospital_a, "text": "Why?"})
    assert refused.status_code == 403
    assert await audit_events(services, "beds.admission_note_added") == []
    blank = await client.post("/board/admission-notes", headers=auditor, json={})
    assert blank.status_code == 403  # told that they may not, not which field is missing
    await client.post("/logout", headers=auditor)
    coordinator = await session_login(client, "coord")
    empty = await client.post("/board/admission-notes", headers=coordinator,
                              json={"hospital_id": world.hospital_a, "text": "   "})
    assert empty.status_code == 422
    assert empty.json()["error"]["details"]["field"] == "text"
