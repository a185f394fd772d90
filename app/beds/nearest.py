"""'Nearest free bed' (issue 22): hospitals ranked by straight-line distance from an incident, under a policy.

Pure: no database, no clock. The distance is the great circle's ("as the crow flies", haversine on a sphere of the
Earth's mean radius): within Bucharest and Ilfov it differs from the WGS 84 ellipsoid's by under 0.5 %, far less
than a road route differs from either, and the screens say it is not a driving distance.

The ranking, in tiers, each nearest first:

1. open (or limited) hospitals within the policy's radius with a bed available (free minus held);
2. only when tier 1 is empty and the policy is ``nearest-even-if-closed`` (Bavaria's rule: the nearest hospital takes
   the patient even if it has closed itself to ambulances): the closed ones within the radius with a bed;
3. open hospitals beyond the radius with a bed available;
4. open hospitals with no bed available (listed, so that the coordinator sees why they are not offered);
5. closed hospitals not in tier 2, unless the policy is ``open-only`` (then they are left out and counted).

Hospitals without a known location cannot be ranked; the caller lists them apart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from app.kit.settings import DEFAULT_NEAREST_RADIUS_KM, WhenNoneOpen

EARTH_RADIUS_KM = 6371.0088  # the IUGG mean radius


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class NearestPolicy:
    """Within ``radius_km`` open hospitals come first; ``when_none_open`` says what comes first when none does."""

    radius_km: float = DEFAULT_NEAREST_RADIUS_KM
    when_none_open: WhenNoneOpen = "nearest-even-if-closed"


@dataclass(frozen=True)
class Candidate:
    """A hospital's beds of the chosen section types, as the board has them.

    ``held`` and ``announced`` are the dispatch's (bed holds and announced patients not yet arrived, app/beds/dispatch/,
    read by ``nearest_queries.dispatch_counts``): a held bed is not available to others.
    """

    hospital_id: int
    name: str
    location: Point
    free_beds: int
    closed: bool = False
    limited: bool = False
    stale: bool = False
    held: int = 0
    announced: int = 0

    @property
    def available(self) -> int:
        return self.free_beds - self.held


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    distance_km: float
    within_radius: bool
    tier: int
    # A closed hospital put first by the policy (tier 2): the screen says why it is offered.
    taken_although_closed: bool = False


@dataclass(frozen=True)
class Ranking:
    ranked: tuple[Ranked, ...]
    closed_left_out: int  # closed hospitals the open-only policy leaves out
    policy: NearestPolicy


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance by the haversine formula (stable for the short distances a city has)."""
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    d_phi = phi2 - phi1
    d_lambda = math.radians(b.longitude - a.longitude)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _tier(item: Ranked, policy: NearestPolicy, open_nearby: bool) -> int | None:
    candidate = item.candidate
    if candidate.closed:
        if candidate.available > 0 and item.within_radius and not open_nearby \
                and policy.when_none_open == "nearest-even-if-closed":
            return 2
        return None if policy.when_none_open == "open-only" else 5
    if candidate.available <= 0:
        return 4
    return 1 if item.within_radius else 3


def rank(candidates: Iterable[Candidate], origin: Point, policy: NearestPolicy) -> Ranking:
    measured = [Ranked(candidate, distance, distance <= policy.radius_km, 0)
                for candidate in candidates
                for distance in (distance_km(origin, candidate.location),)]
    open_nearby = any(not item.candidate.closed and item.candidate.available > 0 and item.within_radius
                      for item in measured)
    kept: list[Ranked] = []
    left_out = 0
    for item in measured:
        tier = _tier(item, policy, open_nearby)
        if tier is None:
            left_out += 1
            continue
        kept.append(replace(item, tier=tier, taken_although_closed=tier == 2))
    kept.sort(key=lambda item: (item.tier, item.distance_km, item.candidate.name.casefold()))
    return Ranking(tuple(kept), left_out, policy)


def first_of(ranking: Ranking, tiers: Sequence[int] = (1, 2, 3)) -> Ranked | None:
    """The hospital the policy offers first: the first with a bed in an offered tier."""
    return next((item for item in ranking.ranked if item.tier in tiers), None)
