"""'Nearest free bed' as JSON (``GET /api/v1/nearest``), and the markers of the board's map (``/board/map/markers``).

Both read the same per-hospital counts (app/beds/nearest_queries.py); the ranking is app/beds/nearest.py's.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from accounts import permissions
from accounts.guard import requires
from app.beds.api_parsing import CODE, MAX_FILTER_VALUES
from app.beds.models import SectionType
from app.beds.nearest import Candidate, NearestPolicy, Point, Ranked, rank
from app.beds.nearest_queries import candidates
from app.kit.api_parsing import invalid, parse_id
from app.kit.i18n import _
from app.kit.settings import Settings
from app.kit.state import services

NEAREST_PARAMETERS = frozenset({"lat", "lon", "section_type"})
NEED_TYPE = _("Choose at least one section type.")


def _degrees(params: QueryParams, name: str, limit: float) -> float:
    text = params.get(name, "").strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise invalid(_("{field} must be a number of degrees from -{max} to {max}."), name, field=name, max=int(limit))
    return value


async def _section_types(session: AsyncSession, params: QueryParams, *, required: bool = True) -> list[int]:
    """Ids or codes, repeated or separated by commas (as the sections' filter takes them); an unknown one is 422."""
    values = [part.strip() for value in params.getlist("section_type") for part in value.split(",") if part.strip()]
    rows = list(await session.execute(select(SectionType.id, SectionType.code)))
    if not values and not required:
        return sorted(id_ for id_, _code in rows)
    if not values:
        raise invalid(NEED_TYPE, "section_type")
    if len(values) > MAX_FILTER_VALUES:
        raise invalid(_("A filter may have at most {max} values."), "section_type", max=MAX_FILTER_VALUES)
    ids = {parse_id(value, field="section_type") for value in values if value.isdigit()}
    codes = {value for value in values if not value.isdigit()}
    for code in codes:
        if not CODE.fullmatch(code):
            raise invalid(_("{value} is not a code (lower-case letters, digits, - and _)."), "section_type",
                          value=code)
    unknown = sorted((codes - {code for _id, code in rows}) | {str(i) for i in ids - {id_ for id_, _c in rows}})
    if unknown:
        raise invalid(_("There is no section type {value}."), "section_type", value=unknown[0])
    return sorted(ids | {id_ for id_, code in rows if code in codes})


def policy_of(settings: Settings) -> NearestPolicy:
    return NearestPolicy(settings.nearest_radius_km, settings.nearest_when_none_open)


def _candidate_json(candidate: Candidate) -> dict[str, Any]:
    return {"hospital_id": candidate.hospital_id, "name": candidate.name,
            "latitude": candidate.location.latitude, "longitude": candidate.location.longitude,
            "free_beds": candidate.free_beds, "available": candidate.available, "held": candidate.held,
            "announced": candidate.announced, "closed": candidate.closed, "limited": candidate.limited,
            "stale": candidate.stale}


def _ranked_json(item: Ranked) -> dict[str, Any]:
    return {**_candidate_json(item.candidate), "distance_km": round(item.distance_km, 2),
            "within_radius": item.within_radius, "tier": item.tier,
            "taken_although_closed": item.taken_although_closed}


@requires(permissions.BOARD_VIEW)
async def nearest(request: Request) -> Response:
    params = request.query_params
    for name in params:
        if name not in NEAREST_PARAMETERS:
            raise invalid(_("Unknown parameter {field}."), name, field=name)
    origin = Point(_degrees(params, "lat", 90), _degrees(params, "lon", 180))
    app_services = services(request)
    async with app_services.session_factory() as session:
        chosen = await _section_types(session, params)
        found, unplaced = await candidates(session, section_type_ids=chosen, now=app_services.clock.now())
    policy = policy_of(app_services.settings)
    ranking = rank(found, origin, policy)
    return JSONResponse({
        "origin": {"latitude": origin.latitude, "longitude": origin.longitude},
        "distance": "as_the_crow_flies", "section_types": chosen,
        "policy": {"radius_km": policy.radius_km, "when_none_open": policy.when_none_open},
        "hospitals": [_ranked_json(item) for item in ranking.ranked],
        "closed_left_out": ranking.closed_left_out,
        "unplaced": [{"hospital_id": item.hospital_id, "name": item.name, "free_beds": item.free_beds}
                     for item in unplaced],
    })


@requires(permissions.BOARD_VIEW)
async def map_markers(request: Request) -> Response:
    """Each located hospital's beds of the chosen section types, for the map's markers."""
    app_services = services(request)
    async with app_services.session_factory() as session:
        chosen = await _section_types(session, request.query_params, required=False)
        found, unplaced = await candidates(session, section_type_ids=chosen, now=app_services.clock.now())
    return JSONResponse({"hospitals": [_candidate_json(candidate) for candidate in found],
                         "unplaced": len(unplaced)})


routes: list[BaseRoute] = [
    Route("/api/v1/nearest", nearest, methods=["GET"], name="api_nearest"),
    Route("/board/map/markers", map_markers, methods=["GET"], name="board_map_markers"),
]
