"""The role-catalogue pages through HTTP, on both databases: the region's catalogues, one catalogue with its
versions, comparing two versions, export, a steward's import (preview, apply, conflicts, refusals), the
staffing check, and Swedish."""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import re

import httpx
from sqlalchemy import func, select

from accounts.models import Organisation
from app.kit.audit import AuditEvent
from app.kit.state import AppServices
from app.provisioning.roles import competence
from app.provisioning.roles.catalogue import versions as catalogue
from app.provisioning.roles.models import CatalogueVersion
from tests.provisioning.roles_world import (
    DOCTOR,
    HSA_CLINIC,
    HSA_PRIMARY,
    HSA_WARD,
    NURSE,
    RolesWorld,
    actor,
    make_roles_world,
    role,
)
from tests.provisioning.test_roles_pages import active_assignment, switch_to
from tests.web import csrf_from, log_in

AIDE = "Kardiologi / Undersköterska"
KNOWN = {HSA_WARD, HSA_CLINIC, HSA_PRIMARY}


def table(page: httpx.Response, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(.*?)</table>', page.text, re.S)
    assert found, f"no table {testid} on the page ({page.status_code})"
    return html.unescape(found.group(1))


async def second_version(services: AppServices, world: RolesWorld, *, reason: str = "Aides on the clinic") -> None:
    """Version 2: the doctor removed, an aide added at the clinic, the nurse re-linked to both units."""
    steward = await actor(services, "steward")
    async with services.unit_of_work() as uow:
        now = await catalogue.current_roles(uow.session, world.catalogue_id)
        roles = catalogue.apply_operations(now, [
            {"op": "remove_role", "role": DOCTOR},
            role("Kardiologi", "Undersköterska", "", [HSA_CLINIC]),
            {"op": "relink_role", "role": NURSE, "units": [HSA_WARD, HSA_CLINIC]}], known_units=KNOWN)
        await catalogue.new_version(uow.session, actor=steward, catalogue_id=world.catalogue_id, roles=roles,
                                    reason=reason)


async def versions_of(services: AppServices, catalogue_id: int) -> list[int]:
    async with services.session_factory() as session:
        return list(await session.scalars(select(CatalogueVersion.number).where(
            CatalogueVersion.catalogue_id == catalogue_id).order_by(CatalogueVersion.number)))


async def imports_audited(services: AppServices) -> list[dict[str, object]]:
    async with services.session_factory() as session:
        return [after or {} for after in await session.scalars(select(AuditEvent.after).where(
            AuditEvent.action == "roles.catalogue_imported"))]


async def other_region_catalogue(services: AppServices) -> int:
    """A catalogue of another region: nobody of Region Gävleborg sees it."""
    steward = await actor(services, "steward")
    async with services.unit_of_work() as uow:
        region = Organisation(code="RX", name="Region X", kind="region")
        uow.session.add(region)
        await uow.session.flush()
        area = Organisation(code="VO-X", name="Elsewhere care", kind="care_area", parent_id=region.id)
        uow.session.add(area)
        await uow.session.flush()
        made = await catalogue.create_catalogue(uow.session, actor=steward, care_area_id=area.id,
                                                approver_care_area_id=area.id)
        return made.id


async def test_the_list_and_a_catalogue_show_roles_versions_and_links(client: httpx.AsyncClient,
                                                                       services: AppServices) -> None:
    world = await make_roles_world(services)
    elsewhere = await other_region_catalogue(services)
    detail = f"/roles/catalogues/{world.catalogue_id}"
    await log_in(client, "mgr.ward")
    listing = await client.get("/roles/catalogues")
    assert listing.status_code == 200
    assert 'href="/roles/catalogues"' in listing.text  # the navigation entry
    rows = table(listing, "catalogues")
    assert f'<a href="{detail}">VO-KARD name</a>' in rows
    assert re.search(r"<td>VO-KARD name</td>\s*<td>1</td>\s*<td>2</td>\s*<td>3</td>", rows)
    assert f'href="{detail}/staffing"' in rows
    assert "Elsewhere care" not in listing.text

    page = await client.get(detail)
    assert page.status_code == 200
    roles = table(page, "catalogue-roles")
    assert re.search(r"Kardiologi</th><td>Sjuksköterska</td><td>Hjärtsvikt</td><td>KARD-AVD name "
                     rf"\({HSA_WARD}\)</td>", roles)
    assert f"KARD-AVD name ({HSA_WARD})<br>KARD-MOT name ({HSA_CLINIC})" in roles
    history = table(page, "catalogue-versions")
    assert re.search(r"<th scope=\"row\">1</th><td>Mar 14, 2026, \d\d:\d\d</td><td>steward</td>"
                     r"<td>First catalogue</td>", history)
    assert f'href="{detail}/changes/new"' in page.text  # a manager may propose a change
    assert f'href="{detail}/import"' not in page.text
    assert f'href="{detail}/export.csv"' in page.text
    assert (await client.get(f"/roles/catalogues/{elsewhere}")).status_code == 404
    assert (await client.get("/roles/catalogues/abc")).status_code == 404

    await switch_to(client, "it.support")
    seen = await client.get(detail)
    assert seen.status_code == 200
    assert "/changes/new" not in seen.text
    await switch_to(client, "steward")
    assert f'href="{detail}/import"' in (await client.get(detail)).text
    await switch_to(client, "anna")  # an employee reads their tickets, not catalogues
    assert (await client.get(detail)).status_code == 403


async def test_comparing_two_versions(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    await second_version(services, world)
    compare = f"/roles/catalogues/{world.catalogue_id}/compare"
    await log_in(client, "contact")
    detail = await client.get(f"/roles/catalogues/{world.catalogue_id}")
    assert f'action="{compare}"' in detail.text
    assert '<option value="1" selected>1</option>' in detail.text
    page = await client.get(compare, params={"from": "1", "to": "2"})
    assert page.status_code == 200
    assert "From version 1 to version 2: 1 role added, 1 removed, 1 re-linked." in page.text
    # Issue 23 item 9: each count with its own plural in Swedish ("1 roll tillagd", "2 roller tillagda"), no "(er)".
    swedish = (await client.get(compare, params={"from": "1", "to": "2"}, headers={"accept-language": "sv"})).text
    assert "Från version 1 till version 2: 1 roll tillagd, 1 borttagen, 1 omkopplad." in swedish
    assert AIDE in table(page, "added-roles")
    assert f"KARD-MOT name ({HSA_CLINIC})" in table(page, "added-roles")
    assert DOCTOR in table(page, "removed-roles")
    relinked = table(page, "relinked-roles")
    assert f"<th scope=\"row\">{NURSE}</th><td>KARD-MOT name ({HSA_CLINIC})</td><td>–</td>" in relinked
    backwards = await client.get(compare, params={"from": "2", "to": "1"})
    assert DOCTOR in table(backwards, "added-roles")

    missing = await client.get(compare, params={"from": "1", "to": "9"})
    assert missing.status_code == 404
    assert "The catalogue has no version 9." in missing.text
    assert f'action="{compare}"' in missing.text  # the form stays, to choose again
    for query in ({"from": "one", "to": "2"}, {"to": "2"}, {"from": "-1", "to": "2"}):
        bad = await client.get(compare, params=query)
        assert bad.status_code == 400, query
        assert "A version is a whole number, such as 2." in bad.text


async def test_export_as_csv_and_json(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    steward = await actor(services, "steward")
    async with services.unit_of_work() as uow:
        now = await catalogue.current_roles(uow.session, world.catalogue_id)
        roles = catalogue.apply_operations(now, [role("=HYPERLINK(x)", "Läkare", "", [HSA_WARD])], known_units=KNOWN)
        await catalogue.new_version(uow.session, actor=steward, catalogue_id=world.catalogue_id, roles=roles,
                                    reason="A formula-like specialty")
    export = f"/roles/catalogues/{world.catalogue_id}/export"
    await log_in(client, "head.kard")
    current = await client.get(f"{export}.csv")
    assert current.status_code == 200
    assert current.headers["content-type"].startswith("text/csv")
    assert current.headers["content-disposition"] == 'attachment; filename="role-catalogue-VO-KARD-v2.csv"'
    assert current.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(current.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["specialty", "profession", "capability", "units"]
    assert ["'=HYPERLINK(x)", "Läkare", "", HSA_WARD] in lines  # a spreadsheet shows it as text
    assert ["Kardiologi", "Läkare", "", f"{HSA_WARD},{HSA_CLINIC}"] in lines

    first = await client.get(f"{export}.json", params={"version": "1"})
    assert first.headers["content-disposition"] == 'attachment; filename="role-catalogue-VO-KARD-v1.json"'
    document = first.json()
    assert (document["care_area"], document["version"]) == ("VO-KARD", 1)
    assert {"specialty": "Kardiologi", "profession": "Sjuksköterska", "capability": "Hjärtsvikt",
            "units": [HSA_WARD]} in document["roles"]
    assert len(document["roles"]) == 2
    assert (await client.get(f"{export}.csv", params={"version": "7"})).status_code == 404
    assert (await client.get(f"{export}.csv", params={"version": "x"})).status_code == 400


def import_file(services_csv: bytes) -> bytes:
    """The exported version 1 with the doctor removed and an aide added at the clinic."""
    text = services_csv.decode("utf-8-sig")
    kept = [line for line in text.split("\r\n") if line and not line.startswith("Kardiologi;Läkare")]
    return ("\r\n".join([*kept, f"Kardiologi;Undersköterska;;{HSA_CLINIC}"]) + "\r\n").encode("utf-8")


async def preview(client: httpx.AsyncClient, catalogue_id: int, content: bytes,
                  name: str = "kardiologi.csv") -> httpx.Response:
    token = await csrf_from(client, "/account")
    return await client.post(f"/roles/catalogues/{catalogue_id}/import/preview",
                             data={"csrf_token": token, "reason": "Yearly review"},
                             files={"file": (name, content, "text/csv")})


def confirmation(page: httpx.Response) -> dict[str, str]:
    form = re.search(r'data-testid="import-confirm">(.*?)</form>', page.text, re.S)
    assert form, page.text
    return {name: html.unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(1))}


async def test_a_steward_imports_a_file_after_its_preview(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    base = f"/roles/catalogues/{world.catalogue_id}"
    await log_in(client, "steward")
    form = await client.get(f"{base}/import")
    assert form.status_code == 200
    assert f'action="{base}/import/preview" enctype="multipart/form-data"' in form.text
    content = import_file((await client.get(f"{base}/export.csv")).content)

    wrong = content + b"Kardiologi;Kurator;;SE2321000198-ZZZZ\r\n"
    refused = await preview(client, world.catalogue_id, wrong)
    assert refused.status_code == 422
    problems = table(refused, "import-problems")
    assert re.search(r'<th scope="row">4</th><td>Units</td><td>The unit SE2321000198-ZZZZ is not a unit of the '
                     r"region.</td>", problems)
    assert 'data-testid="import-confirm"' not in refused.text

    shown = await preview(client, world.catalogue_id, content)
    assert shown.status_code == 200
    assert "Compared with version 1: 1 role added, 1 removed, 0 re-linked." in shown.text
    assert AIDE in table(shown, "added-roles")
    assert DOCTOR in table(shown, "removed-roles")
    assert await versions_of(services, world.catalogue_id) == [1]  # nothing yet
    carried = confirmation(shown)
    assert carried["file_name"] == "kardiologi.csv"
    applied = await client.post(f"{base}/import/apply", data={**carried, "reason": "Yearly review"})
    assert (applied.status_code, applied.headers["location"]) == (303, f"{base}?done=imported")

    page = await client.get(f"{base}?done=imported")
    assert "The file is imported: the catalogue has a new version." in page.text
    assert 'data-testid="current-version">2<' in page.text
    assert f"Kardiologi</th><td>Undersköterska</td><td>–</td><td>KARD-MOT name ({HSA_CLINIC})" in table(
        page, "catalogue-roles")
    assert "Yearly review" in table(page, "catalogue-versions")
    assert await versions_of(services, world.catalogue_id) == [1, 2]
    assert await imports_audited(services) == [{"version": 2, "sha256": hashlib.sha256(content).hexdigest(),
                                                "file_name": "kardiologi.csv"}]
    again = await preview(client, world.catalogue_id, content)
    assert "The file is exactly the current catalogue: there is nothing to import." in again.text


async def test_a_manager_may_not_import(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    base = f"/roles/catalogues/{world.catalogue_id}"
    await log_in(client, "steward")
    content = import_file((await client.get(f"{base}/export.csv")).content)
    carried = confirmation(await preview(client, world.catalogue_id, content))
    await switch_to(client, "mgr.ward")
    assert (await client.get(f"{base}/import")).status_code == 403
    assert (await preview(client, world.catalogue_id, content)).status_code == 403
    token = await csrf_from(client, "/account")
    refused = await client.post(f"{base}/import/apply", data={**carried, "csrf_token": token, "reason": "Mine"})
    assert refused.status_code == 403
    assert "You may not do this." in refused.text
    assert await versions_of(services, world.catalogue_id) == [1]
    assert await imports_audited(services) == []
    async with services.session_factory() as session:
        refusals = await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "accounts.authorization_refused", AuditEvent.object_id == f"{base}/import/apply"))
    assert refusals == 1


async def test_a_catalogue_changed_since_the_preview_is_previewed_again(client: httpx.AsyncClient,
                                                                        services: AppServices) -> None:
    world = await make_roles_world(services)
    base = f"/roles/catalogues/{world.catalogue_id}"
    await log_in(client, "steward")
    content = import_file((await client.get(f"{base}/export.csv")).content)
    carried = confirmation(await preview(client, world.catalogue_id, content))
    steward = await actor(services, "steward")
    async with services.unit_of_work() as uow:  # meanwhile a change request is applied: a role is added
        now = await catalogue.current_roles(uow.session, world.catalogue_id)
        roles = catalogue.apply_operations(now, [role("Kardiologi", "Kurator", "", [HSA_WARD])], known_units=KNOWN)
        await catalogue.new_version(uow.session, actor=steward, catalogue_id=world.catalogue_id, roles=roles,
                                    reason="Change #12")
    stale = await client.post(f"{base}/import/apply", data={**carried, "reason": "Yearly review"})
    assert stale.status_code == 409
    assert "The catalogue changed since the preview; review it again." in stale.text
    assert "Compared with version 2: 1 role added, 2 removed, 0 re-linked." in stale.text
    swedish = await client.post(f"{base}/import/apply", data={**carried, "reason": "Yearly review"},
                                headers={"accept-language": "sv"})
    assert "Jämfört med version 2: 1 roll tillagd, 2 borttagna, 0 omkopplade." in swedish.text
    assert "Kardiologi / Kurator" in table(stale, "removed-roles")
    assert await versions_of(services, world.catalogue_id) == [1, 2]
    fresh = confirmation(stale)
    assert fresh["fingerprint"] != carried["fingerprint"]
    applied = await client.post(f"{base}/import/apply", data={**fresh, "reason": "Yearly review"})
    assert applied.status_code == 303
    assert await versions_of(services, world.catalogue_id) == [1, 2, 3]

    lost = await client.post(f"{base}/import/apply", data={**fresh, "content": "%%%", "reason": "x"})
    assert lost.status_code == 422
    assert "The file did not come back with the confirmation. Upload it again." in lost.text


async def test_the_staffing_check(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    await active_assignment(services, world, [world.clinic])
    manager = await actor(services, "mgr.ward")
    async with services.unit_of_work() as uow:  # linked to the ward only, where Anna has no assignment
        await competence.assign_role(uow.session, actor=manager,
                                     employee_id=world.employee_id, catalogue_id=world.catalogue_id, role_key=NURSE)
    await log_in(client, "head.kard")
    page = await client.get("/roles/staffing")
    assert page.status_code == 200
    assert "As of 2026-03-14." in page.text
    unstaffed = table(page, f"unstaffed-{world.catalogue_id}")
    assert f'<th scope="row">{NURSE}</th><td>KARD-AVD name ({HSA_WARD})</td>' in unstaffed
    assert f'<th scope="row">{DOCTOR}</th><td>KARD-MOT name ({HSA_CLINIC})</td>' in unstaffed
    mismatched = table(page, f"mismatched-{world.catalogue_id}")
    assert (f'<th scope="row">Anna Berg</th><td>{NURSE}</td><td>The role is linked to none of the employee\'s '
            "units</td>") in mismatched

    one = await client.get(f"/roles/catalogues/{world.catalogue_id}/staffing")
    assert "Staffing check: VO-KARD name" in one.text
    sheet = await client.get(f"/roles/catalogues/{world.catalogue_id}/staffing.csv")
    assert sheet.headers["content-disposition"] == 'attachment; filename="staffing-VO-KARD-2026-03-14.csv"'
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Care area", "Finding", "Role", "Unit", "HSA-id", "Employee"]
    assert ["VO-KARD name", "Nobody staffs this role at this unit", NURSE, "KARD-AVD name", HSA_WARD, ""] in rows
    assert ["VO-KARD name", "The role is linked to none of the employee's units", NURSE, "", "", "Anna Berg"] in rows


async def test_the_catalogue_pages_speak_swedish(client: httpx.AsyncClient, services: AppServices) -> None:
    world = await make_roles_world(services)
    client.headers["accept-language"] = "sv-SE,sv;q=0.9,en;q=0.5"
    await log_in(client, "mgr.ward")
    listing = await client.get("/roles/catalogues")
    assert "<h1>Rollkataloger</h1>" in listing.text
    assert "Bemanningskontroll" in listing.text
    page = await client.get(f"/roles/catalogues/{world.catalogue_id}")
    assert "Rollkatalog för VO-KARD name" in page.text
    assert "Föreslå en ändring" in page.text
    assert "Kopplade enheter" in page.text
    staffing = await client.get("/roles/staffing")
    assert "Obemannade roller" in staffing.text
    sheet = await client.get("/roles/staffing.csv")
    assert "Ingen bemannar rollen på enheten" in sheet.content.decode("utf-8-sig")


async def test_a_file_larger_than_a_form_field_comes_back_whole(client: httpx.AsyncClient,
                                                                 services: AppServices) -> None:
    """The confirmation carries the file (base64): past the default 1 MB of a form field, it must still arrive."""
    world = await make_roles_world(services)
    base = f"/roles/catalogues/{world.catalogue_id}"
    lines = ["specialty;profession;capability;units",
             *(f"Kardiologi;Yrke {number};{'Kapabilitet ' * 7}{number};{HSA_WARD}" for number in range(12_000))]
    content = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    assert len(base64.urlsafe_b64encode(content)) > 1024 * 1024
    await log_in(client, "steward")
    shown = await preview(client, world.catalogue_id, content, name="large.csv")
    assert "Compared with version 1: 12,000 roles added, 2 removed, 0 re-linked." in shown.text
    applied = await client.post(f"{base}/import/apply", data={**confirmation(shown), "reason": "Everything"})
    assert applied.status_code == 303
    assert await versions_of(services, world.catalogue_id) == [1, 2]
