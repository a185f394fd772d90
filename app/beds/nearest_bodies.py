"""The answer of ``GET /api/v1/nearest`` (app/beds/nearest_routes.py), declared for the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from app.kit.settings import WhenNoneOpen

CLOSED = ConfigDict(extra="forbid")
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


@with_config(CLOSED)
class NearestOrigin(TypedDict):
    latitude: Latitude
    longitude: Longitude


@with_config(CLOSED)
class NearestPolicyBody(TypedDict):
    radius_km: Annotated[float, Field(gt=0, le=1000, description="Open hospitals within it come first.")]
    when_none_open: Annotated[WhenNoneOpen, Field(description="What comes first when none within the radius is "
                                                              "open: the nearest even if closed, or open ones only.")]


@with_config(CLOSED)
class NearestHospital(TypedDict):
    hospital_id: int
    name: str
    latitude: Latitude
    longitude: Longitude
    free_beds: Annotated[int, Field(description="Free beds of the chosen types (of closed sections only when every "
                                                "one is closed).")]
    available: Annotated[int, Field(description="Free beds minus beds held for announced patients.")]
    held: Annotated[int, Field(ge=0)]
    announced: Annotated[int, Field(ge=0, description="Patients announced and not yet arrived.")]
    closed: bool
    limited: bool
    stale: Annotated[bool, Field(description="A section of the chosen types is past its update interval.")]
    distance_km: Annotated[float, Field(ge=0, description="As the crow flies (great circle), not by road.")]
    within_radius: bool
    tier: Annotated[int, Field(ge=1, le=5, description="1 open within the radius with a bed; 2 closed within it, put "
                                                       "first by the policy; 3 open beyond it; 4 open with no bed; "
                                                       "5 closed.")]
    taken_although_closed: bool


@with_config(CLOSED)
class UnplacedHospital(TypedDict):
    hospital_id: int
    name: str
    free_beds: int


@with_config(CLOSED)
class NearestRanking(TypedDict):
    origin: NearestOrigin
    distance: Literal["as_the_crow_flies"]
    section_types: list[int]
    policy: NearestPolicyBody
    hospitals: list[NearestHospital]
    closed_left_out: Annotated[int, Field(ge=0, description="Closed hospitals the open-only policy leaves out.")]
    unplaced: Annotated[list[UnplacedHospital], Field(description="Hospitals with no known location: not ranked.")]
