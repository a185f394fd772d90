"""The coordinators' live board: the page, and the socket that feeds it."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from accounts import permissions
from accounts.guard import PERMISSION_ATTRIBUTE, requires
from app.beds import queries
from app.beds.admission_queries import admission_reason_names
from app.beds.running import bed_services
from app.beds.staleness import LESS_THAN_A_MINUTE, script_units
from app.kit.i18n import _, _n, plural_forms
from app.kit.state import current_actor, reader_zone, services
from app.kit.templating import language_of, render, translator
from realtime.endpoint import Viewer

# The board's script shows these; it fills the {placeholders} itself.
SCRIPT_MESSAGES = {
    "live": _("Live"),
    # Since when the page has heard nothing from the server (static/js/link_state.js: three missed heartbeats).
    "reconnecting": _("Reconnecting — nothing heard from the server since {time} ({age} ago)"),
    "offline": _("Offline — nothing heard from the server since {time} ({age} ago)"),
    "not_updated": _("Not updated for {age}"),
    "never": _("never reported"),
    "changed": _("changed {time} by {who}"),
    "confirmed": _("confirmed {time} by {who}"),
    "free": _("free"),
    "of": _("of {total}"),
    "hospital_total": _("free in total"),
    "no_sections": _("No section matches these filters."),
    "stale_flag": _("stale"),
    "sort_name": _("Name"),
    "sort_type": _("Type"),
    "total": _("Total"),
    "close": _("Close"),
    "reason": _("reason: {reason}"),
    "short_hours": _("{n} h"),
    "short_days": _("{n} d"),
    "page": _("Page {page} of {pages}"),
    "page_paused": _("Page {page} of {pages} (paused)"),
    "find_none": _("No hospital on the board has a section of the chosen types."),
    "find_widen": _("Clear the filters and look again"),
    "age_ago": _("reported {age} ago"),
    "closed_flag": _("closed (no approved beds)"),
    # Admission status (issue 21, static/js/board_admission.js).
    "adm_closed": _("Closed to ambulances"),
    "adm_limited": _("Limited: takes only some patients"),
    "adm_whole": _("{status} (the whole hospital)"),
    "adm_until": _("until {time} ({left} left)"),
    "adm_badge_closed": _("CLOSED"),
    "adm_badge_limited": _("LIMITED"),
    "find_all_closed": _("Every section of the chosen types is closed to ambulances."),
}
# Plural messages, as forms by CLDR category for the script (app/kit/i18n.py plural_forms).
SCRIPT_PLURALS = {
    "free_total": _n("{count} free", "{count} free", 0),
    # Past each section's own type interval (staleness.is_stale), no longer a fixed 24 h.
    "older": _n("{count} of them overdue", "{count} of them overdue", 0),
    # Free beds where admission is closed, in a total (issue 21): counted apart like the overdue ones.
    "closed_apart": _n("{count} of them closed to ambulances", "{count} of them closed to ambulances", 0),
    "closed_left_out": _n("{count} closed section left out", "{count} closed sections left out", 0),
    "closed_shown": _n("{count} closed section listed after the others",
                       "{count} closed sections listed after the others", 0),
}


# A hospital type's short text badge, so that the type is never told by colour alone (the legend spells it out).
# A type an import adds gets the first letters of its code.
BADGES = {"emergency": _("EMER"), "clinical": _("CLIN"), "specialised": _("SPEC"), "paediatric": _("CHILD")}


def _badge(code: str, translate: Callable[[str], str]) -> str:
    return translate(BADGES[code]) if code in BADGES else code[:4].upper()


def dark_theme_media(choice: str | None, *, wall: bool) -> str:
    """When the dark stylesheet applies, decided before the first paint (no flash of the other theme): the
    reader's choice kept on their account, else dark on a wall screen, else the computer's own setting."""
    if choice is not None:
        return "all" if choice == "dark" else "not all"
    return "all" if wall else "(prefers-color-scheme: dark)"


@requires(permissions.BOARD_VIEW)
async def board_page(request: Request) -> Response:
    app_services = services(request)
    language = language_of(request)
    translate = translator(language, app_services.settings.zone)
    async with app_services.session_factory() as session:
        section_types = await queries.section_types(session)
        hospital_types = await queries.hospital_types(session)
        hospitals = await queries.hospitals(session, actor=current_actor(request))
        reasons = await admission_reason_names(session, language)
    name_key = "name_ro" if language == "ro" else "name_en"
    kept = [(key, value) for key, value in request.query_params.multi_items() if key != "view"]
    wall = request.query_params.get("wall") == "1"
    return render(request, "board.html", {
        "wall": wall,
        "dark_media": dark_theme_media(current_actor(request).board_theme, wall=wall),
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "cards": request.query_params.get("view") == "cards",
        "view_query": urlencode(kept),
        "few_beds": app_services.settings.board_few_beds,
        "section_types": sorted(((row["id"], row[name_key]) for row in section_types), key=lambda pair: pair[1]),
        "hospital_types": [(row["code"], row[name_key], row["colour"]) for row in hospital_types],
        "hospitals": [(row["id"], row["name"]) for row in hospitals],
        # Every time the board writes (changes, the admission status's expiry) in the reader's organisation's zone.
        "timezone": reader_zone(request).key,
        "js_messages": {**{key: translate(message) for key, message in SCRIPT_MESSAGES.items()},
                        "units": script_units(language),
                        "heartbeat_seconds": app_services.settings.heartbeat_seconds,
                        "forms": {key: plural_forms(language, message) for key, message in SCRIPT_PLURALS.items()},
                        "section_type_names": {row["id"]: row[name_key] for row in section_types},
                        "hospital_type_names": {row["code"]: [_badge(row["code"], translate), row[name_key]]
                                                for row in hospital_types},
                        "few_beds": app_services.settings.board_few_beds,
                        "admission_reasons": reasons,
                        "less_than_a_minute": translate(LESS_THAN_A_MINUTE)},
    })


@requires(permissions.BOARD_VIEW)
async def legend_stylesheet(request: Request) -> Response:
    """The legend colours are data (hospital types); served as a stylesheet because the CSP allows no
    inline styles."""
    async with services(request).session_factory() as session:
        types = await queries.hospital_types(session)
    safe = [(row["code"], row["colour"]) for row in types
            if re.fullmatch(r"#[0-9a-fA-F]{6}", row["colour"]) and re.fullmatch(r"[\w-]+", row["code"])]
    rules = [f".type-{code} .swatch, .swatch.type-{code} {{ background: {colour}; }}\n"
             f".hospital.type-{code} {{ border-left-color: {colour}; }}" for code, colour in safe]
    return Response("\n".join(rules) + "\n", media_type="text/css")


@requires(permissions.BOARD_VIEW)
async def negative_reasons(request: Request) -> Response:
    """The reasons given for negative counts, for the sections of a cell the coordinator opened."""
    ids = [int(raw) for raw in request.query_params.getlist("section") if raw.isdigit() and len(raw) < 10]
    async with services(request).session_factory() as session:
        reasons = await queries.negative_reasons(session, ids)
    return JSONResponse({"reasons": {str(key): value for key, value in reasons.items()}})


@requires(permissions.BOARD_VIEW)
async def live_metrics(request: Request) -> Response:
    """This process's commit-to-socket delays and socket count, for operations and the benchmarks."""
    hub = services(request).hub
    return JSONResponse({"sockets": len(hub.subscriptions), "commit_to_socket": hub.stats.summary()})


def _own_origin(websocket: WebSocket) -> str:
    scheme = "https" if websocket.url.scheme == "wss" else "http"
    return f"{scheme}://{websocket.headers.get('host', '')}"


def from_own_site(websocket: WebSocket) -> bool:
    """The handshake comes from the site's own pages (or an allowed origin): every live socket asks it first."""
    origin = websocket.headers.get("origin", "")
    allowed = {_own_origin(websocket), *services(websocket).settings.allowed_origins}
    return bool(origin) and urlsplit(origin).netloc != "" and origin in allowed


async def authorise_board_socket(websocket: WebSocket) -> Viewer | None:
    """Before accept: a logged-in session whose role may view the board, from the site's own pages."""
    if not from_own_site(websocket):
        return None
    actor = current_actor(websocket)
    if actor.must_change_password or actor.session_id is None or not permissions.may(actor, permissions.BOARD_VIEW):
        return None
    return Viewer(user_id=actor.user_id, session_id=actor.session_id)


async def board_socket(websocket: WebSocket) -> None:
    await bed_services(websocket).board_socket(websocket)


setattr(board_socket, PERMISSION_ATTRIBUTE, permissions.BOARD_VIEW)

routes = [
    Route("/board", board_page, methods=["GET"], name="board"),
    Route("/board/legend.css", legend_stylesheet, methods=["GET"], name="board_legend"),
    Route("/board/reasons", negative_reasons, methods=["GET"], name="board_reasons"),
    Route("/metrics/live", live_metrics, methods=["GET"], name="live_metrics"),
    WebSocketRoute("/ws/beds", board_socket, name="board_socket"),
]
