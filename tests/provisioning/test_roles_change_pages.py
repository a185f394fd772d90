"""Catalogue change requests through the pages, on both databases: the contact proposes through the operation
table (a bad row shows its message next to it), the head of operations approves, a steward starts the review,
sends it back, the contact revises, the steward applies; steps out of order and people outside are refused and
nothing changes; the list; Swedish."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.provisioning.core import workflow
from app.provisioning.core.models import ProvisioningRequest
from app.provisioning.roles.models import CatalogueChange, RoleCatalogue, RoleUnit
from tests.provisioning.roles_world import DOCTOR, HSA_CLINIC, HSA_WARD, NURSE, RolesWorld, make_roles_world
from tests.web import BrowserFactory, log_in, post_form

NEW_UNIT = "SE2321000198-E5KA"
ASSISTANT = "Kardiologi / Undersköterska"
WHY = "Undersköterskor på den nya hjärtmottagningen behöver logga in."


def rows(*filled: tuple[int, dict[str, str]], count: int = 6) -> dict[str, str]:
    """The operation table as a browser sends it: every field of every row, the filled ones as given."""
    form = {"rows": str(count)}
    for line in range(1, count + 1):
        for name in ("op", "specialty", "profession", "capability", "role", "units", "hsa_id", "name"):
            form[f"{name}-{line}"] = ""
    for line, values in filled:
        form.update({f"{name}-{line}": value for name, value in values.items()})
    return form


ADD_UNIT = {"op": "add_unit", "hsa_id": NEW_UNIT, "name": "Hjärtmottagning Hudiksvall"}
ADD_ASSISTANT = {"op": "add_role", "specialty": "Kardiologi", "profession": "Undersköterska",
                 "units": f"{HSA_WARD}, {NEW_UNIT}"}


async def written(services: AppServices, world: RolesWorld) -> tuple[int, int, int]:
    """Audit events (but logins and refusals), the catalogue's version and the units: what a refusal leaves alone."""
    async with services.session_factory() as session:
        events = await session.scalar(select(func.count()).select_from(AuditEvent)
                                      .where(AuditEvent.action.not_like("accounts.%")))
        stored = await session.get(RoleCatalogue, world.catalogue_id)
        units = await session.scalar(select(func.count()).select_from(RoleUnit))
    assert stored is not None
    return int(events or 0), stored.current_version, int(units or 0)


async def state_of(services: AppServices, request_id: int) -> str:
    async with services.session_factory() as session:
        request = await session.get(ProvisioningRequest, request_id)
    assert request is not None
    return request.state


async def switch_to(client: httpx.AsyncClient, username: str) -> None:
    await post_form(client, "/logout", {})
    await log_in(client, username)


async def propose(client: httpx.AsyncClient, world: RolesWorld, form: dict[str, str]) -> httpx.Response:
    return await post_form(client, f"/roles/catalogues/{world.catalogue_id}/changes", form)


def request_id_of(response: httpx.Response) -> int:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/roles/requests/(\d+)\?done=proposed", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def error_of(page: httpx.Response, field: str, line: int) -> str:
    found = re.search(rf'data-testid="error-{field}-{line}">([^<]*)<', page.text)
    assert found, f"no error for {field} on row {line}"
    return found.group(1)


async def test_the_contact_proposes_through_the_form(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    await log_in(client, "contact")
    page = await client.get(f"/roles/catalogues/{world.catalogue_id}/changes/new")
    assert page.status_code == 200
    assert "Propose a change to the role catalogue of VO-KARD name" in page.text
    assert f'<option value="{NURSE}">{NURSE}</option>' in page.text  # remove / re-link choose a current role
    assert f"<code>{HSA_WARD}</code>" in page.text
    assert "KARD-AVD name" in page.text
    assert page.text.count('name="op-') == 6
    assert (await client.get(f"/roles/catalogues/{world.catalogue_id}/changes/new?rows=40")).text.count(
        'name="op-') == 30

    before = await written(services, world)
    bad = await propose(client, world, {"description": WHY, **rows(
        (1, ADD_ASSISTANT | {"units": HSA_WARD}),
        (3, {"op": "add_unit", "hsa_id": "SE2321000198-e5ka", "name": "Mottagningen"}),
        (4, {"op": "relink_role", "role": DOCTOR, "units": "SE999"}), (5, {"specialty": "Ortopedi"}))})
    assert bad.status_code == 422
    assert "Each mistake is shown next to its row." in bad.text
    assert "Write the letters of an HSA-id in capitals: SE2321000198-E5KA." in error_of(bad, "hsa_id", 3)
    assert "Choose what this row changes." in error_of(bad, "op", 5)
    assert error_of(bad, "units", 4)
    assert "error-" not in bad.text.split('id="row-1"')[1].split('id="row-2"')[0]  # the good row has no message
    assert 'value="SE2321000198-e5ka"' in bad.text
    assert 'value="Ortopedi"' in bad.text
    assert '>SE999</textarea>' in bad.text
    assert WHY in bad.text
    undescribed = await propose(client, world, {"description": " ", **rows((1, ADD_UNIT))})
    assert undescribed.status_code == 422
    assert 'id="description-error">Describe the change and why it is needed.<' in undescribed.text
    more = await propose(client, world, {"description": WHY, "intent": "more_rows", **rows((2, ADD_UNIT))})
    assert more.status_code == 200
    assert more.text.count('name="op-') == 12
    assert f'value="{NEW_UNIT}"' in more.text
    assert await written(services, world) == before

    created = request_id_of(await propose(client, world, {"description": WHY, "intent": "propose", **rows(
        (2, ADD_UNIT), (4, ADD_ASSISTANT))}))
    async with services.session_factory() as session:
        change = await session.get(CatalogueChange, created)
    assert change is not None
    assert [item["op"] for item in change.operations] == ["add_unit", "add_role"]
    assert change.operations[1]["units"] == [HSA_WARD, NEW_UNIT]
    detail = await client.get(f"/roles/requests/{created}?done=proposed")
    assert detail.status_code == 200
    assert "The change is proposed." in detail.text
    assert 'data-testid="request-state">Submitted<' in detail.text
    assert "Add the unit Hjärtmottagning Hudiksvall (SE2321000198-E5KA)." in detail.text
    assert f"Add the role {ASSISTANT}, linked to KARD-AVD name ({HSA_WARD}), Hjärtmottagning Hudiksvall" in detail.text
    assert 'data-testid="preview"' in detail.text
    assert "Roles added" in detail.text
    assert "action=" not in detail.text.split('data-testid="request-history"')[0].split("</h1>")[1]


async def test_only_the_care_area_proposes(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    await log_in(client, "mgr.primary")  # a unit head of another care area
    before = await written(services, world)
    assert (await client.get(f"/roles/catalogues/{world.catalogue_id}/changes/new")).status_code == 403
    refused = await propose(client, world, {"description": WHY, **rows((1, ADD_UNIT))})
    assert refused.status_code == 403
    assert "contact person or a unit head may propose a change." in refused.text
    assert await written(services, world) == before
    await switch_to(client, "steward")
    assert (await client.get(f"/roles/catalogues/{world.catalogue_id}/changes/new")).status_code == 403
    await switch_to(client, "mgr.clinic")  # a unit head of the care area
    assert (await client.get(f"/roles/catalogues/{world.catalogue_id}/changes/new")).status_code == 200
    assert (await client.get("/roles/catalogues/999999/changes/new")).status_code == 404


async def test_the_change_from_proposal_to_a_new_version(client: httpx.AsyncClient, services: AppServices,
                                                         new_client: BrowserFactory) -> None:
    world = await make_roles_world(services)
    await log_in(client, "contact")
    number = request_id_of(await propose(client, world, {"description": WHY, **rows((1, ADD_ASSISTANT | {
        "units": HSA_WARD}))}))
    page, base = f"/roles/requests/{number}", f"/roles/changes/{number}"
    async with new_client() as other:
        await log_in(other, "head.digital")  # head of operations, but not of the approving care area
        before = await written(services, world)
        assert (await other.get(page)).status_code == 403
        refused = await post_form(other, f"{base}/approve", {})
        assert refused.status_code == 403
        assert "Only the head of operations responsible for this catalogue decides this." in refused.text
        await switch_to(other, "steward")
        early = await post_form(other, f"{base}/apply", {})  # before the head of operations approved
        assert early.status_code == 409
        assert 'data-testid="page-error">Only a change under review can be applied.<' in early.text
        assert 'action="/roles/changes' not in early.text  # a steward has nothing to do yet
        assert (await post_form(other, f"{base}/start-review", {})).status_code == 409
        assert await written(services, world) == before
        assert await state_of(services, number) == workflow.SUBMITTED

        await switch_to(other, "head.kard")
        decide = await other.get(page)
        assert f'action="{base}/approve"' in decide.text
        assert f'action="{base}/decline"' in decide.text
        approved = await post_form(other, f"{base}/approve", {})
        assert (approved.status_code, approved.headers["location"]) == (303, f"{page}?done=approved")
        assert f'action="{base}/approve"' not in (await other.get(page)).text

        await switch_to(other, "steward")
        queue = await other.get("/roles/changes")
        assert f'href="{page}">#{number}<' in queue.text
        assert 'data-testid="waits-for-you"' in queue.text
        assert (await post_form(other, f"{base}/start-review", {})).status_code == 303
        reviewing = await other.get(page)
        assert f'action="{base}/apply"' in reviewing.text
        assert f'action="{base}/send-back"' in reviewing.text
        empty = await post_form(other, f"{base}/send-back", {"send_back_reason": " "})
        assert empty.status_code == 422
        sent = await post_form(other, f"{base}/send-back", {"send_back_reason": "Lägg till den nya mottagningen"})
        assert sent.status_code == 303

    waiting = await client.get(page)
    assert 'data-testid="request-reason">Lägg till den nya mottagningen<' in waiting.text
    assert f'action="{base}/revise"' in waiting.text
    assert 'id="revise-specialty-1" name="specialty-1" value="Kardiologi"' in waiting.text  # prefilled
    revised = await post_form(client, f"{base}/revise", {"answer": "Mottagningen är tillagd", **rows(
        (1, ADD_UNIT), (2, ADD_ASSISTANT))})
    assert (revised.status_code, revised.headers["location"]) == (303, f"{page}?done=revised_for_approval")
    assert "goes back to the head of operations for approval" in (await client.get(
        f"{page}?done=revised_for_approval")).text

    async with new_client() as steward:
        # The revised operations are not what the head approved: they approve again before the stewards go on.
        await log_in(steward, "steward")
        assert (await post_form(steward, f"{base}/apply", {})).status_code == 409
        await switch_to(steward, "head.kard")
        again = await steward.get(page, headers={"accept-language": "sv"})
        assert f'action="{base}/approve"' in again.text
        assert "Tillbaka till verksamhetschefen för godkännande" in again.text  # the history says why, in Swedish
        assert (await post_form(steward, f"{base}/approve", {})).status_code == 303
        await switch_to(steward, "steward")
        assert (await post_form(steward, f"{base}/start-review", {})).status_code == 303
        review = await steward.get(page)
        assert "Hjärtmottagning Hudiksvall (SE2321000198-E5KA)" in review.text
        applied = await post_form(steward, f"{base}/apply", {})
        assert (applied.status_code, applied.headers["location"]) == (303, f"{page}?done=applied")
        done = await steward.get(page)
    assert 'data-testid="request-state">Done<' in done.text
    assert "Applied as version 2." in done.text
    assert f'href="/roles/catalogues/{world.catalogue_id}/compare?from=1&amp;to=2"' in done.text
    history = done.text.split('data-testid="request-history"')[1]
    for label in ("Proposed", "Approved by the head of operations", "Review started", "Sent back to the requester",
                  "Revised", "Applied"):
        assert label in history
    assert "Mottagningen är tillagd" in history
    assert await written(services, world) != before
    async with services.session_factory() as session:
        stored = await session.get(RoleCatalogue, world.catalogue_id)
        unit = await session.scalar(select(RoleUnit).where(RoleUnit.hsa_id == NEW_UNIT))
    assert stored is not None
    assert stored.current_version == 2
    assert unit is not None


async def test_a_revision_with_a_mistake_keeps_what_was_typed(client: httpx.AsyncClient, services: AppServices,
                                                               new_client: BrowserFactory) -> None:
    world = await make_roles_world(services)
    await log_in(client, "contact")
    number = request_id_of(await propose(client, world, {"description": WHY, **rows(
        (1, {"op": "remove_role", "role": NURSE}))}))
    base = f"/roles/changes/{number}"
    async with new_client() as other:
        await log_in(other, "head.kard")
        await post_form(other, f"{base}/approve", {})
        await switch_to(other, "steward")
        await post_form(other, f"{base}/start-review", {})
        await post_form(other, f"{base}/send-back", {"send_back_reason": "Behåll sjuksköterskan"})
    before = await written(services, world)
    wrong = await post_form(client, f"{base}/revise", {"answer": "Rättat", **rows(
        (2, {"op": "relink_role", "role": DOCTOR, "units": HSA_CLINIC}), (3, {"op": "remove_role", "role": ""}))})
    assert wrong.status_code == 422
    assert "The role  is not in the catalogue." in error_of(wrong, "role", 3)
    assert 'name="units-2" rows="2" cols="22">' + HSA_CLINIC in wrong.text
    assert "Rättat</textarea>" in wrong.text
    assert await written(services, world) == before
    assert await state_of(services, number) == workflow.WAITING_FOR_REQUESTER
    await switch_to(client, "mgr.ward")  # sees the care area's changes, may not revise another's
    page = await client.get(f"/roles/requests/{number}")
    assert page.status_code == 200
    assert f'action="{base}/revise"' not in page.text
    assert (await post_form(client, f"{base}/revise", {"answer": "", **rows((1, ADD_UNIT))})).status_code == 403


async def test_the_list_shows_what_each_person_may_see(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    await log_in(client, "contact")
    number = request_id_of(await propose(client, world, {"description": WHY, **rows((1, ADD_UNIT))}))
    mine = await client.get("/roles/changes")
    assert mine.status_code == 200
    assert f'href="/roles/requests/{number}">#{number}<' in mine.text
    assert f'data-testid="propose-{world.catalogue_id}"' in mine.text
    assert 'href="/roles/changes"' in mine.text  # the navigation bar
    await switch_to(client, "head.kard")
    waiting = await client.get("/roles/changes")
    assert 'data-testid="waits-for-you"' in waiting.text
    assert "propose-" not in waiting.text
    await switch_to(client, "mgr.primary")  # another care area
    other = await client.get("/roles/changes")
    assert other.status_code == 200
    assert f"#{number}<" not in other.text
    assert (await client.get(f"/roles/requests/{number}")).status_code == 403
    await switch_to(client, "anna")
    assert (await client.get("/roles/changes")).status_code == 403
    assert (await client.get(f"/roles/requests/{number}")).status_code == 403


async def test_the_change_pages_speak_swedish(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    client.headers["accept-language"] = "sv-SE,sv;q=0.9,en;q=0.5"
    await log_in(client, "contact")
    form = await client.get(f"/roles/catalogues/{world.catalogue_id}/changes/new")
    assert "Föreslå en ändring i rollkatalogen för VO-KARD name" in form.text
    assert "Lägg till en roll" in form.text
    bad = await propose(client, world, {"description": WHY, **rows((1, {"specialty": "Ortopedi"}))})
    assert "Välj vad raden ändrar." in bad.text
    number = request_id_of(await propose(client, world, {"description": WHY, **rows((1, ADD_UNIT))}))
    detail = await client.get(f"/roles/requests/{number}?done=proposed")
    assert "Ändring i rollkatalog" in detail.text
    assert "Lägg till enheten Hjärtmottagning Hudiksvall (SE2321000198-E5KA)." in detail.text
    assert "Inskickat" in detail.text
    listed = await client.get("/roles/changes")
    assert "Katalogändringar" in listed.text
