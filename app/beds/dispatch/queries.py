"""Reads of announcements: the list a coordinator or an operator sees, and the board's counts per hospital and
section type (patients announced and not yet arrived, beds held)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts import permissions
from accounts.models import Organisation
from app.beds.dispatch.announcements import announcement_json
from app.beds.dispatch.models import OPEN_STATES, STATES, Announcement, AnnouncementCategory, BedHold
from app.beds.models import SectionType
from app.kit.actors import Actor
from app.kit.errors import PermissionDenied
from app.kit.i18n import _

# Newest first; past this, an operator's panel or a coordinator's list is history, read on the history pages.
MAX_LISTED = 200
STATE_FILTERS = (*STATES, "open")


async def announcements_for(session: AsyncSession, *, actor: Actor, hospital_id: int | None = None,
                            state: str | None = None) -> list[dict[str, Any]]:
    """The announcing authority's coordinators see its announcements; a hospital's operators their hospital's, and
    asking for another hospital's is refused (403), not answered empty."""
    query = (select(Announcement, BedHold, Organisation.name, SectionType.name_en, SectionType.name_ro)
             .outerjoin(BedHold, BedHold.announcement_id == Announcement.id)
             .join(Organisation, Organisation.id == Announcement.hospital_id)
             .join(SectionType, SectionType.id == Announcement.section_type_id))
    if permissions.may(actor, permissions.DISPATCH_ANNOUNCE):
        query = query.where(Announcement.organisation_id == actor.organisation_id)
    elif permissions.may(actor, permissions.DISPATCH_RECEIVE):
        if hospital_id is not None and hospital_id != actor.organisation_id:
            raise PermissionDenied(_("You see the announcements of your own hospital only."))
        query = query.where(Announcement.hospital_id == actor.organisation_id)
    else:
        raise PermissionDenied(_("Your role does not see announcements."))
    if hospital_id is not None:
        query = query.where(Announcement.hospital_id == hospital_id)
    if state == "open":
        query = query.where(Announcement.state.in_(OPEN_STATES))
    elif state is not None:
        query = query.where(Announcement.state == state)
    rows = await session.execute(query.order_by(Announcement.id.desc()).limit(MAX_LISTED))
    return [announcement_json(row, hold, {"hospital": name, "type_en": type_en, "type_ro": type_ro})
            for row, hold, name, type_en, type_ro in rows]


async def board_counts(session: AsyncSession) -> list[dict[str, int]]:
    """Per hospital and section type with anything going on: announced (not yet arrived, cancelled or expired)
    and held (live holds). Numbers only, the same for every reader of the board."""
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: {"announced": 0, "held": 0})
    announced = await session.execute(
        select(Announcement.hospital_id, Announcement.section_type_id, func.count())
        .where(Announcement.state.in_(OPEN_STATES))
        .group_by(Announcement.hospital_id, Announcement.section_type_id))
    for hospital_id, type_id, count in announced:
        counts[(hospital_id, type_id)]["announced"] = int(count)
    held = await session.execute(
        select(BedHold.hospital_id, BedHold.section_type_id, func.count()).where(BedHold.released_at.is_(None))
        .group_by(BedHold.hospital_id, BedHold.section_type_id))
    for hospital_id, type_id, count in held:
        counts[(hospital_id, type_id)]["held"] = int(count)
    return [{"hospital_id": hospital_id, "section_type_id": type_id, **found}
            for (hospital_id, type_id), found in sorted(counts.items())]


async def categories(session: AsyncSession) -> list[dict[str, str]]:
    """The categories a coordinator may pick, in the nomenclature's order (retired ones are not offered)."""
    rows = await session.execute(select(AnnouncementCategory.code, AnnouncementCategory.name_en,
                                        AnnouncementCategory.name_ro)
                                 .where(AnnouncementCategory.retired_at.is_(None))
                                 .order_by(AnnouncementCategory.position, AnnouncementCategory.id))
    return [{"code": code, "name_en": name_en, "name_ro": name_ro} for code, name_en, name_ro in rows]


async def open_for_hospitals(session: AsyncSession, hospital_ids: set[int]) -> list[dict[str, Any]]:
    """The open announcements of these hospitals (an operator's screen), oldest first: the next to arrive on top
    is the page's to sort."""
    if not hospital_ids:
        return []
    rows = await session.execute(
        select(Announcement, BedHold, Organisation.name, SectionType.name_en, SectionType.name_ro)
        .outerjoin(BedHold, BedHold.announcement_id == Announcement.id)
        .join(Organisation, Organisation.id == Announcement.hospital_id)
        .join(SectionType, SectionType.id == Announcement.section_type_id)
        .where(Announcement.hospital_id.in_(hospital_ids), Announcement.state.in_(OPEN_STATES))
        .order_by(Announcement.id).limit(MAX_LISTED))
    return [announcement_json(row, hold, {"hospital": name, "type_en": type_en, "type_ro": type_ro})
            for row, hold, name, type_en, type_ro in rows]


async def counts_by_hospital(session: AsyncSession, section_type_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Per hospital, (held, announced) summed over these section types (Nearest free bed's ranking)."""
    chosen = set(section_type_ids)
    summed: dict[int, tuple[int, int]] = {}
    for found in await board_counts(session):
        if found["section_type_id"] in chosen:
            held, announced = summed.get(found["hospital_id"], (0, 0))
            summed[found["hospital_id"]] = (held + found["held"], announced + found["announced"])
    return summed
