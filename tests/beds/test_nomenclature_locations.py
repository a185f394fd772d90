"""Hospital locations in the nomenclature's file (issue 22): optional columns (CSV) or keys (JSON), checked with a
message naming the field, applied and audited like the other hospital fields; a file without them keeps them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from sqlalchemy import select

from app.beds.models import Hospital
from app.beds.nomenclature.formats import CSV_COLUMNS
from app.beds.nomenclature.validation import Problem
from app.kit.clock import ManualClock
from app.kit.state import AppServices
from tests.beds.test_nomenclature_service import audit_events
from tests.beds.test_nomenclature_support import BASE, csv_bytes, import_file, json_bytes, problems_of, upload

PLACES = {"H-A": ("44.4527", "26.1010"), "H-B": ("44,3824", "26,1157")}  # H-B with a Romanian decimal comma


def located_csv(places: dict[str, tuple[str, str]], *, delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow((*CSV_COLUMNS, "hospital_latitude", "hospital_longitude"))
    writer.writerows((*line, *places.get(line[0], ("", ""))) for line in BASE)
    return buffer.getvalue().encode()


async def locations(services: AppServices) -> dict[str, tuple[float | None, float | None]]:
    async with services.session_factory() as session:
        rows = await session.execute(select(Hospital.short_code, Hospital.latitude, Hospital.longitude))
        return {code: (latitude, longitude) for code, latitude, longitude in rows}


def fields_and_texts(problems: Sequence[Problem]) -> list[tuple[str, str, str]]:
    return [(problem.where, problem.field, problem.text()) for problem in problems]


async def test_an_import_with_locations_places_the_hospitals_audited(services: AppServices,
                                                                     clock: ManualClock) -> None:
    await import_file(services, clock, located_csv(PLACES, delimiter=";"))
    assert await locations(services) == {"H-A": (44.4527, 26.101), "H-B": (44.3824, 26.1157)}
    added = {event.after["code"]: event.after for event in await audit_events(services, "beds.hospital_added")
             if event.after is not None}
    assert (added["H-A"]["latitude"], added["H-A"]["longitude"]) == (44.4527, 26.101)


async def test_a_moved_hospital_is_a_change_and_a_file_without_the_columns_keeps_it(services: AppServices,
                                                                                   clock: ManualClock) -> None:
    await import_file(services, clock, located_csv(PLACES))
    record = await import_file(services, clock, located_csv({**PLACES, "H-A": ("44.4530", "26.1010")}))
    assert record.counts["hospitals_changed"] == 1
    [event] = await audit_events(services, "beds.hospital_changed")
    assert (event.before, event.after) == ({"latitude": 44.4527}, {"code": "H-A", "latitude": 44.453})
    # An older file, with no location columns, changes nothing.
    unchanged = await upload(services, clock, csv_bytes(BASE))
    assert unchanged.examination is not None
    assert unchanged.examination.diff is not None
    assert unchanged.examination.diff.is_empty
    # Empty cells in the columns take the location away.
    await import_file(services, clock, located_csv({"H-A": PLACES["H-A"]}))
    assert (await locations(services))["H-B"] == (None, None)


async def test_out_of_range_or_half_locations_are_refused_naming_the_field(services: AppServices,
                                                                           clock: ManualClock) -> None:
    shown = await upload(services, clock, located_csv({"H-A": ("94.1", "26.1"), "H-B": ("44.4", "")}))
    found = fields_and_texts(problems_of(shown))
    assert ("2", "hospital_latitude", "The latitude must be a number of degrees from -90 to 90, e.g. 44.4527.") in found
    assert ("5", "hospital_longitude", "Give both the latitude and the longitude, or neither.") in found
    assert await locations(services) == {}


async def test_json_locations_are_numbers_checked_the_same_way(services: AppServices, clock: ManualClock) -> None:
    document = {"hospitals": [
        {"code": "H-A", "name": "Spitalul A", "type": "emergency", "latitude": 44.4527, "longitude": 26.101,
         "sections": [{"code": "ATI", "name": "ATI", "type": "icu", "total_beds": 5}]},
        {"code": "H-B", "name": "Spitalul B", "type": "clinical", "latitude": 44.38, "longitude": 200,
         "sections": []},
    ]}
    shown = await upload(services, clock, json_bytes(document), file_name="n.json")
    assert fields_and_texts(problems_of(shown)) == [
        ("/hospitals/1", "longitude", "The longitude must be a number of degrees from -180 to 180, e.g. 26.1010.")]
    document["hospitals"][1]["longitude"] = 26.1157
    await import_file(services, clock, json_bytes(document), file_name="n.json")
    assert await locations(services) == {"H-A": (44.4527, 26.101), "H-B": (44.38, 26.1157)}


async def test_every_line_of_a_hospital_gives_the_same_location(services: AppServices, clock: ManualClock) -> None:
    content = located_csv(PLACES).replace(b"Chirurgie I,surgery,CHIR,15,44.4527", b"Chirurgie I,surgery,CHIR,15,44.5")
    shown = await upload(services, clock, content)
    assert ("4", "hospital_latitude",
            "The hospital H-A has another location on line 2; every line must give it the same one.") in \
        fields_and_texts(problems_of(shown))
