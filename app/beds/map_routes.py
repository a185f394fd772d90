"""The board as a map (``/board/map``, issue 22): each located hospital a marker with its free beds of the chosen
section type, and 'Nearest free bed' from an incident's location (app/beds/nearest_routes.py answers both)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds import queries
from app.beds.board_routes import SCRIPT_MESSAGES as BOARD_MESSAGES
from app.beds.dispatch.wording import script_messages as dispatch_messages
from app.beds.localities import LOCALITIES
from app.beds.staleness import LESS_THAN_A_MINUTE, script_units
from app.kit.i18n import _, _n, plural_forms
from app.kit.security import policy_allowing_images
from app.kit.state import reader_zone, services
from app.kit.templating import language_of, render, translator

# The map's script shows these; it fills the {placeholders} itself.
MAP_MESSAGES = {
    "closed": _("closed to ambulances"),
    "limited": _("limited: takes only some patients"),
    "stale": _("past its update interval"),
    "open_board": _("Open on the board"),
    "km": _("{km} km"),
    "none": _("No hospital with a known location has a section of the chosen types."),
    "taken_closed": _("closed, but the nearest: the policy sends the patient here when no hospital is open within "
                      "{radius} km"),
    "beyond": _("beyond {radius} km"),
    "no_bed": _("no free bed"),
    "need_place": _("Set the incident's location: click on the map, pick a place or type its coordinates."),
    "failed": _("The ranking could not be loaded; try again."),
    "incident": _("Incident"),
}
# The link badge's words, the board's own (static/js/link_badge.js): the map rides the board's socket.
LINK_MESSAGES = ("live", "reconnecting", "offline")
MAP_PLURALS = {
    "free": _n("{count} free", "{count} free", 0),
    "left_out": _n("{count} closed hospital left out (policy: open hospitals only).",
                   "{count} closed hospitals left out (policy: open hospitals only).", 0),
    "unplaced": _n("{count} hospital has no location and is not on the map.",
                   "{count} hospitals have no location and are not on the map.", 0),
    # Bed holds and announced patients (the dispatch work fills them; 0 until it lands).
    "held": _n("{count} held", "{count} held", 0),
    "announced": _n("{count} announced", "{count} announced", 0),
}
RULES = {
    "nearest-even-if-closed": _("when none is open there, the nearest hospital comes first even if it is closed"),
    "open-only": _("when none is open there, the nearest open hospital farther away comes first; closed hospitals "
                   "are left out"),
}


@requires(permissions.BOARD_VIEW)
async def map_page(request: Request) -> Response:
    app_services = services(request)
    settings = app_services.settings
    language = language_of(request)
    translate = translator(language, settings.zone)
    async with app_services.session_factory() as session:
        section_types = await queries.section_types(session)
    name_key = "name_ro" if language == "ro" else "name_en"
    response = render(request, "board_map.html", {
        "section_types": sorted(((row["id"], row[name_key]) for row in section_types), key=lambda pair: pair[1]),
        "localities": LOCALITIES,
        "radius_km": f"{settings.nearest_radius_km:g}",
        "rule": RULES[settings.nearest_when_none_open],
        "timezone": reader_zone(request).key,
        # The board's dispatch panel (board_dispatch.html): held and announced counts, the coordinator's notices.
        "dispatch_board_messages": dispatch_messages(language),
        "wall": False,
        "map_settings": {"tiles": settings.map_tiles, "attribution": settings.map_attribution,
                         "outline": "/static/vendor/world-atlas/romania.geojson",
                         # Without tiles, the places' names on the outline are what a reader finds their way by.
                         "places": [[place.name.removeprefix("București, "), place.latitude, place.longitude]
                                    for place in LOCALITIES if place.labelled],
                         "radius_km": settings.nearest_radius_km,
                         "messages": {**{key: translate(BOARD_MESSAGES[key]) for key in LINK_MESSAGES},
                                      **{key: translate(message) for key, message in MAP_MESSAGES.items()}},
                         "heartbeat_seconds": settings.heartbeat_seconds,
                         "units": script_units(language),
                         "less_than_a_minute": translate(LESS_THAN_A_MINUTE),
                         "forms": {key: plural_forms(language, message) for key, message in MAP_PLURALS.items()}},
    })
    origin = settings.map_tiles_origin
    if origin is not None:
        # Tiles come from the configured server: the page (only this one) may show its images.
        response.headers["content-security-policy"] = policy_allowing_images(origin)
    return response


routes: list[BaseRoute] = [Route("/board/map", map_page, methods=["GET"], name="board_map")]
