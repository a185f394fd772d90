"""A catalogue version as CSV and JSON, and a file imported as the next version: preview, then apply."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.state import AppServices
from app.provisioning.roles.catalogue import versions as catalogue
from app.provisioning.roles.catalogue.files import (
    CatalogueChangedSincePreview,
    CatalogueFileInvalid,
    apply_import,
    export_version,
    preview_import,
    read_roles,
    roles_csv,
    roles_json,
)
from app.provisioning.roles.catalogue.versions import make_role
from tests.provisioning.test_role_catalogue import (
    AKUT,
    CONTACT,
    DOCTOR,
    HJARTA,
    NURSE,
    PRIMAR,
    STEWARD,
    RoleWorld,
    audit_events,
    make_catalogue,
    make_role_world,
)

KNOWN = {HJARTA, AKUT, PRIMAR}
HEADER = "specialty;profession;capability;units\r\n"


def steward_of(world: RoleWorld) -> Actor:
    """STEWARD working for the world's region: an import is refused to a steward of another region."""
    return replace(STEWARD, organisation_id=world.region_id, organisation_kind="region")


def _csv(*lines: str) -> bytes:
    return ("\ufeff" + HEADER + "".join(line + "\r\n" for line in lines)).encode()


def test_a_version_exports_as_spreadsheet_safe_csv() -> None:
    formula = make_role("=HYPERLINK(1)", "Läkare", "", [HJARTA])
    content = roles_csv([DOCTOR, formula])
    assert content.startswith("\ufeff".encode())
    assert content.decode("utf-8-sig").splitlines() == [
        "specialty;profession;capability;units",
        f"Kardiologi;Läkare;;{HJARTA},{AKUT}",
        f"'=HYPERLINK(1);Läkare;;{HJARTA}",
    ]
    assert read_roles(content, "roller.csv", KNOWN) == ([formula, DOCTOR], [])


def test_json_exports_and_reads_back() -> None:
    content = roles_json([NURSE, DOCTOR], care_area="VO-KARD", version=3)
    document = json.loads(content)
    assert (document["care_area"], document["version"]) == ("VO-KARD", 3)
    assert document["roles"][0] == {"specialty": "Kardiologi", "profession": "Sjuksköterska",
                                    "capability": "Hjärtsvikt", "units": [HJARTA]}
    assert read_roles(content, "roller.json", KNOWN) == ([DOCTOR, NURSE], [])


def test_a_csv_with_commas_reads_too() -> None:
    content = f'specialty,profession,capability,units\nKardiologi,Läkare,,"{HJARTA},{AKUT}"\n'.encode()
    assert read_roles(content, "roller.csv", KNOWN) == ([DOCTOR], [])


def test_every_mistake_is_reported_with_line_and_field() -> None:
    content = _csv(
        f"Kardiologi;Läkare;;{HJARTA}",
        "",
        f";Sjuksköterska;;{HJARTA}",
        "Kardiologi;Läkare/ST;;SE9999999999-0001",
        f"kardiologi;läkare;;{AKUT}",
        f"Kardiologi;Kurator;{'x' * 101};nej",
    )
    roles, problems = read_roles(content, "roller.csv", KNOWN)
    assert [(problem.where, problem.field) for problem in problems] == [
        ("4", "specialty"), ("5", "profession"), ("5", "units"), ("6", "specialty"), ("7", "capability"),
        ("7", "units")]
    assert problems[3].params == {"role": "kardiologi / läkare", "first": "2"}
    assert problems[2].params == {"hsa_id": "SE9999999999-0001"}
    assert roles == [make_role("Kardiologi", "Läkare", "", [HJARTA])]


@pytest.mark.parametrize(("content", "name", "expected"), [
    (b"specialty;profession;units\n", "r.csv", [("1", "capability")]),
    (b"specialty;profession;capability;units;note\n", "r.csv", [("1", "note")]),
    (b"", "r.csv", [("1", "-")]),
    (HEADER.encode(), "r.csv", [("1", "-")]),
    (b"\xff\xfe", "r.csv", [("1", "-")]),
    (b'{"roles": [}', "r.json", [("1", "-")]),
    (b'{"rolls": []}', "r.json", [("/", "roles")]),
    (b'{"roles": [], "extra": 1}', "r.json", [("/", "extra")]),
    (b'{"roles": [1, {"specialty": "K", "profession": "L", "units": "x", "colour": "red"}]}', "r.json",
     [("/roles/0", "-"), ("/roles/1", "colour"), ("/roles/1", "units")]),
])
def test_a_file_that_cannot_be_read_says_why(content: bytes, name: str, expected: list[tuple[str, str]]) -> None:
    roles, problems = read_roles(content, name, KNOWN)
    assert ([(problem.where, problem.field) for problem in problems], roles) == (expected, [])


async def test_an_import_is_previewed_then_applied(services: AppServices) -> None:
    world = await make_role_world(services)
    steward = steward_of(world)
    catalogue_id = await make_catalogue(services, world, [NURSE, DOCTOR])
    content = _csv(f"Kardiologi;Läkare;;{AKUT}", f"Kardiologi;Kurator;;{PRIMAR}")
    async with services.unit_of_work() as uow:
        preview = await preview_import(uow.session, actor=steward, catalogue_id=catalogue_id, file_name="r.csv",
                                       content=content)
    assert preview.ok
    assert preview.diff is not None
    assert preview.base_version == 1
    assert preview.diff.counts() == {"added": 1, "removed": 1, "relinked": 1}
    async with services.unit_of_work() as uow:
        version = await apply_import(uow.session, actor=steward, catalogue_id=catalogue_id, file_name="r.csv",
                                     content=content, fingerprint=preview.fingerprint, reason="Årlig översyn")
        assert version.number == 2
    async with services.unit_of_work() as uow:
        assert [role.key for role in await catalogue.current_roles(uow.session, catalogue_id)] == [
            "Kardiologi / Kurator", "Kardiologi / Läkare"]
        exported = await export_version(uow.session, catalogue_id, 1, file_format="json")
        assert [role["profession"] for role in json.loads(exported)["roles"]] == ["Läkare", "Sjuksköterska"]
        assert (await export_version(uow.session, catalogue_id)).decode("utf-8-sig").count("\r\n") == 3
    [event] = await audit_events(services, "roles.catalogue_imported")
    assert event.after is not None
    assert event.after["version"] == 2
    assert event.after["file_name"] == "r.csv"


async def test_an_import_applies_only_what_was_previewed(services: AppServices) -> None:
    world = await make_role_world(services)
    steward = steward_of(world)
    catalogue_id = await make_catalogue(services, world, [NURSE])
    content = _csv(f"Kardiologi;Läkare;;{AKUT}")
    async with services.unit_of_work() as uow:
        preview = await preview_import(uow.session, actor=steward, catalogue_id=catalogue_id, file_name="r.csv",
                                       content=content)
        await catalogue.new_version(uow.session, actor=steward, catalogue_id=catalogue_id, roles=[NURSE, DOCTOR],
                                    reason="Under tiden")
    async with services.unit_of_work() as uow:
        with pytest.raises(CatalogueChangedSincePreview):
            await apply_import(uow.session, actor=steward, catalogue_id=catalogue_id, file_name="r.csv",
                               content=content, fingerprint=preview.fingerprint, reason="Översyn")
        with pytest.raises(CatalogueFileInvalid) as raised:
            await apply_import(uow.session, actor=steward, catalogue_id=catalogue_id, file_name="r.csv",
                               content=_csv("Kardiologi;;;"), fingerprint=preview.fingerprint, reason="Översyn")
        assert raised.value.details["problems"][0]["field"] == "profession"


async def test_only_a_steward_imports(services: AppServices) -> None:
    world = await make_role_world(services)
    steward = steward_of(world)
    catalogue_id = await make_catalogue(services, world)
    async with services.unit_of_work() as uow:
        with pytest.raises(PermissionDenied):
            await preview_import(uow.session, actor=CONTACT, catalogue_id=catalogue_id, file_name="r.csv",
                                 content=_csv(f"Kardiologi;Läkare;;{AKUT}"))
        preview = await preview_import(uow.session, actor=steward, catalogue_id=catalogue_id, file_name="r.csv",
                                       content=_csv(f"Kardiologi;Läkare;;{AKUT}", "Kardiologi;;;"))
        assert preview.diff is None
        assert [problem.where for problem in preview.problems] == ["3"]
