"""A dispatch system's token (scope ``dispatch``) on both databases: it announces and cancels as a coordinator of its
authority, on the announcements' API only; it cannot acknowledge (the hospital's), nor read the beds; its holds are
capped together with its authority's other systems'."""

from __future__ import annotations

from accounts import tokens
from app.beds.dispatch.tokens import DISPATCH
from app.kit.state import AppServices
from tests.beds.alerts.helpers import alert_world, audit_count
from tests.beds.dispatch.helpers import patient, type_id
from tests.beds.test_api_setup import actor_of, bearer
from tests.web import BrowserFactory


async def _dispatch_token(services: AppServices) -> str:
    admin = await actor_of(services, "admin")
    async with services.unit_of_work() as uow:
        created = await tokens.create_token(uow, actor=admin, scope=DISPATCH, name="CAD SAMB",
                                            organisation_id=admin.organisation_id)
    return created.raw


async def test_a_dispatch_token_announces_and_cancels_for_its_authority(
        services: AppServices, new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)
    raw = await _dispatch_token(services)
    system = new_client("10.7.7.7")
    icu = await type_id(services, "icu")
    made = await system.post("/api/v1/announcements", json=patient(world.hospital_a, icu, hold=True),
                             headers=bearer(raw))
    assert made.status_code == 201, made.text
    assert made.json()["created_by"] == "CAD SAMB"
    assert await audit_count(services, "dispatch.announced") == 1
    # The authority's coordinators see it; its hospital's operator acknowledges it; the token may not.
    coord_list = (await people["coord"][0].get("/api/v1/announcements")).json()["announcements"]
    assert [found["id"] for found in coord_list] == [made.json()["id"]]
    announcement_id = made.json()["id"]
    refused = await system.post(f"/api/v1/announcements/{announcement_id}/acknowledge", headers=bearer(raw))
    assert refused.status_code == 403
    assert (await system.get("/api/v1/sections", headers=bearer(raw))).status_code in (401, 403)
    listed = await system.get("/api/v1/announcements?state=open", headers=bearer(raw))
    assert [found["id"] for found in listed.json()["announcements"]] == [announcement_id]
    cancelled = await system.post(f"/api/v1/announcements/{announcement_id}/cancel", json={"reason": "diverted"},
                                  headers=bearer(raw))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["hold"]["released_how"] == "cancelled"
    await system.aclose()
    await people.close()


async def test_a_dispatch_systems_holds_are_capped(services: AppServices, new_client: BrowserFactory) -> None:
    world, people = await alert_world(services, new_client)  # H-A surgery: 5 free; the default cap: 5
    raw = await _dispatch_token(services)
    system = new_client("10.7.7.7")
    surgery = await type_id(services, "surgery")
    answers = [await system.post("/api/v1/announcements", json=patient(world.hospital_a, surgery, hold=True),
                                 headers=bearer(raw)) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [201] * 5
    sixth = await system.post("/api/v1/announcements", json=patient(world.hospital_b, surgery, hold=True),
                              headers=bearer(raw))
    assert sixth.status_code == 409
    assert sixth.json()["error"]["code"] == "hold_limit_reached"
    await system.aclose()
    await people.close()
