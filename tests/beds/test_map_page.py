"""The board's map page (issue 22): who may open it, what it is given, the markers' counts, and the tile server's
origin allowed in its Content-Security-Policy only when one is set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from app.kit.settings import SettingsError, load_settings
from app.kit.state import AppServices
from tests.beds.test_api_setup import session_login
from tests.beds.test_nearest import close, make_places


def settings_of(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="map-settings">(.*?)</script>', page, re.S)
    assert found is not None
    settings: dict[str, object] = json.loads(found.group(1))
    return settings


async def test_a_coordinator_opens_the_map_with_the_offline_outline(client: httpx.AsyncClient,
                                                                    services: AppServices) -> None:
    await make_places(services)
    await session_login(client, "coord")
    page = await client.get("/board/map")
    assert page.status_code == 200
    settings = settings_of(page.text)
    assert settings["tiles"] == ""
    assert settings["outline"] == "/static/vendor/world-atlas/romania.geojson"
    assert "as the crow flies" in page.text
    assert "img-src" not in page.headers["content-security-policy"]  # nothing from another origin
    outline = await client.get("/static/vendor/world-atlas/romania.geojson")
    assert json.loads(outline.content)["features"][0]["properties"]["name"] == "Romania"
    assert (await client.get("/static/vendor/leaflet/leaflet.js")).status_code == 200


async def test_the_tile_servers_origin_is_allowed_only_on_the_map(client: httpx.AsyncClient,
                                                                  services: AppServices) -> None:
    await make_places(services)
    services.settings = services.settings.with_changes(map_tiles="https://tiles.example.ro/{z}/{x}/{y}.png")
    await session_login(client, "coord")
    page = await client.get("/board/map")
    assert "img-src 'self' data: https://tiles.example.ro" in page.headers["content-security-policy"]
    assert settings_of(page.text)["tiles"] == "https://tiles.example.ro/{z}/{x}/{y}.png"
    board = await client.get("/board")
    assert "tiles.example.ro" not in board.headers["content-security-policy"]


async def test_markers_carry_free_beds_and_the_closed_mark(client: httpx.AsyncClient, services: AppServices) -> None:
    ids = await make_places(services, free={"M": 0})
    await close(services, ids["F"])
    await session_login(client, "coord")
    answer = await client.get("/board/map/markers", params={"section_type": "icu"})
    assert answer.status_code == 200
    by_name = {item["name"]: item for item in answer.json()["hospitals"]}
    assert by_name["Spitalul N"]["free_beds"] == 3
    assert by_name["Spitalul M"]["free_beds"] == 0
    assert by_name["Spitalul F"]["closed"] is True
    assert by_name["Spitalul N"]["latitude"] == 44.433


async def test_an_operator_has_no_map(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_places(services)
    await session_login(client, "op.n")
    assert (await client.get("/board/map")).status_code == 403
    assert (await client.get("/board/map/markers")).status_code == 403


def test_the_map_and_nearest_settings_are_read_and_checked(tmp_path: Path) -> None:
    base = {"BEDBOARD_VAR_DIR": str(tmp_path)}
    default = load_settings(base)
    assert (default.map_tiles, default.nearest_radius_km, default.nearest_when_none_open) == (
        "", 15.0, "nearest-even-if-closed")
    chosen = load_settings({**base, "BEDBOARD_NEAREST_POLICY": "10km,open-only",
                            "BEDBOARD_MAP_TILES": "https://tiles.example.ro/{z}/{x}/{y}.png"})
    assert (chosen.nearest_radius_km, chosen.nearest_when_none_open) == (10.0, "open-only")
    assert chosen.map_tiles_origin == "https://tiles.example.ro"
    for name, value in (("BEDBOARD_NEAREST_POLICY", "far,open-only"), ("BEDBOARD_NEAREST_POLICY", "10,closest"),
                        ("BEDBOARD_MAP_TILES", "https://tiles.example.ro/tile.png")):
        with pytest.raises(SettingsError, match=name):
            load_settings({**base, name: value})


async def test_the_map_speaks_romanian(client: httpx.AsyncClient, services: AppServices) -> None:
    await make_places(services)
    await session_login(client, "coord")
    page = await client.get("/board/map", headers={"Accept-Language": "ro"})
    assert "Harta paturilor libere" in page.text
    assert "în linie dreaptă" in page.text
    assert "cel mai apropiat spital vine primul chiar dacă este închis" in page.text
    assert settings_of(page.text)["forms"]["free"]["few"] == "{count} libere"  # type: ignore[index]
